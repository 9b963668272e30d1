/** Words shared by mails, pages and reports. */
export const common = {
  'type.access': 'access to your personal data',
  'type.erasure': 'erasure of your personal data',
  'type.portability': 'a copy of your personal data to take elsewhere (portability)',
  'type.short.access': 'Access',
  'type.short.erasure': 'Erasure',
  'type.short.portability': 'Portability',
  'records.count': '{count, plural, one {# record} other {# records}}',
  'mail.signature.dpo': 'Data protection officer: {name} <{email}>',
};
