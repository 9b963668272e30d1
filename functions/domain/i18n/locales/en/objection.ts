/**
 * The marketing opt-out (objection to direct marketing, withdrawal of marketing consent; CCPA opt-out of
 * sale or sharing): its names, the public form's words for it and the details field every type has,
 * and the confirmation the subject gets.
 */
export const objection = {
  'type.marketing_opt_out': 'stopping marketing to you (objection and withdrawal of consent)',
  'type.short.marketing_opt_out': 'Marketing opt-out',
  'form.type.marketing_opt_out': 'Stop marketing (no more marketing emails, and withdraw my consent to marketing; do not sell or share my data)',
  'form.intro.optOut': 'You can also tell us to stop marketing to you: we then stop in every system we use and make sure it stays that way.',
  'form.details': 'Anything we should know? (optional)',
  'form.detailsHint': 'For example which emails you get, or what the request is about. At most {max, number} characters. Please do not send passwords or card numbers.',
  'objection.mail.subject': 'We have stopped marketing to you (request {requestId})',
  'objection.mail.greeting': 'Hello,',
  'objection.mail.done': 'As you asked, we have stopped marketing to you. In each of these systems you are now marked as not wanting marketing:',
  'objection.mail.system': '{system}: opted out on {date}.',
  'objection.mail.none': 'We found no marketing records about you in our systems. We have still recorded your choice, so we will not start marketing to you later.',
  'objection.mail.kept': 'We keep a coded (hashed) fingerprint of your email address on our suppression list, so that a later import or sign-up does not turn marketing back on. It stays even if you later ask us to erase your data: without it, we could not honour this choice.',
  'objection.mail.service': 'You will still get messages about your account and requests you make, which are not marketing.',
  'objection.mail.failed': 'We could not yet confirm the opt-out in: {systems}. Our staff are following this up.',
  /** The access report: one line per system where the subject opted out. */
  'objection.access.line': 'You opted out of marketing on {date} ({system}).',
} as const;
