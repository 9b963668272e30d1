/**
 * Rectification (GDPR Art. 16; CCPA right to correct, 11 CCR §7023): its names, the public form's words
 * for it and its fields, and the report the subject gets of what was corrected where.
 */
export const rectification = {
  'type.rectification': 'correction of your personal data',
  'type.short.rectification': 'Correction',
  'form.type.rectification': 'Correct my data',
  'form.rectification.legend': 'What is right? Fill in only what we have wrong (optional if you explain it below)',
  'form.rectification.name': 'Correct name',
  'form.rectification.phone': 'Correct phone number',
  'form.rectification.email': 'Correct email address',
  'form.rectification.line1': 'Correct street address',
  'form.rectification.postalCode': 'Postcode',
  'form.rectification.city': 'City',
  'form.rectification.country': 'Country (two-letter code, e.g. NO)',
  'rectification.field.name': 'name',
  'rectification.field.email': 'email address',
  'rectification.field.phone': 'phone number',
  'rectification.field.address': 'postal address',
  'rectification.mail.subject': 'We have dealt with your request to correct your data (request {requestId})',
  'rectification.mail.greeting': 'Hello,',
  'rectification.mail.done': 'As you asked, we have corrected the data we hold about you:',
  'rectification.mail.corrected': '{system}: your {field} was corrected.',
  'rectification.mail.none': 'We did not change any of your data.',
  'rectification.mail.refusedIntro': 'We did not make these corrections:',
  'rectification.mail.refused': 'Your {field}: {reason}',
  'rectification.mail.failed': 'We could not yet confirm the correction in: {systems}. Our staff are following this up.',
  'rectification.mail.recipientsTold': 'We have told those we disclosed your data to about the correction: {names}.',
  'rectification.mail.recipientsByStaff': 'Our staff are telling these recipients of your data about the correction: {names}.',
} as const;
