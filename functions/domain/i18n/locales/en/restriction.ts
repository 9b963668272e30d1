/**
 * Restriction of processing (GDPR Art. 18): its names, the public form's words for it and its grounds
 * (Art. 18(1)(a)-(d) in plain words), and the three mails: restricted, the notice before lifting
 * (Art. 18(3)), lifted.
 */
export const restriction = {
  'type.restriction': 'restricting the use of your data',
  'type.short.restriction': 'Restriction',
  'form.type.restriction': 'Restrict use of my data (keep it, but do not use it while the reason lasts)',
  'form.restriction.ground': 'Why do you want the use restricted? (optional)',
  'form.restriction.groundNone': 'I will explain in the details',
  'restriction.ground.accuracy_contested': 'My data is wrong: do not use it while you check it',
  'restriction.ground.unlawful_keep': 'You should not be using my data, but I want it kept rather than erased',
  'restriction.ground.legal_claims': 'You no longer need my data, but I need it kept for a legal claim',
  'restriction.ground.objection_pending': 'I have objected to your use of my data: do not use it while you decide',
  'status.restricted': 'Done: the use of your data is restricted. We sent you an email, and we will tell you before we lift the restriction.',
  'restriction.mail.subject': 'We have restricted the use of your data (request {requestId})',
  'restriction.mail.greeting': 'Hello,',
  'restriction.mail.done': 'As you asked, we have restricted the use of your data. In each of these systems your data is now marked as restricted:',
  'restriction.mail.system': '{system}: restricted on {date}.',
  'restriction.mail.none': 'We found no data about you in the systems that can mark it as restricted.',
  'restriction.mail.byHand': 'Our staff are marking your data as restricted by hand in: {systems}.',
  'restriction.mail.failed': 'We could not yet confirm the restriction in: {systems}. Our staff are following this up.',
  'restriction.mail.meaning': 'While the restriction lasts, we only store your data. We use it for anything else only with your consent, to establish, exercise or defend legal claims, to protect the rights of another person, or for reasons of important public interest.',
  'restriction.mail.recipientsTold': 'We have told those we disclosed your data to about the restriction: {names}.',
  'restriction.mail.recipientsByStaff': 'Our staff are telling these recipients of your data about the restriction: {names}.',
  'restriction.mail.before': 'We will tell you before we lift the restriction.',
  'restriction.notice.subject': 'We intend to lift the restriction on your data (request {requestId})',
  'restriction.notice.intro': 'We restricted the use of your data at your request. We intend to lift that restriction on {date} at the earliest.',
  'restriction.notice.reason': 'Why: {reason}',
  'restriction.notice.object': 'If you disagree, please tell us before then by replying on your request page, or write to our data protection officer. You may also complain to a data protection authority.',
  'restriction.lifted.subject': 'The restriction on your data has been lifted (request {requestId})',
  'restriction.lifted.done': 'As we told you, we have now lifted the restriction on the use of your data in: {systems}.',
  'restriction.lifted.none': 'As we told you, we have now lifted the restriction on the use of your data.',
  'restriction.lifted.recipientsTold': 'We have told those we disclosed your data to that the restriction is lifted: {names}.',
  'restriction.lifted.recipientsByStaff': 'Our staff are telling these recipients of your data that the restriction is lifted: {names}.',
  'restriction.lifted.after': 'We may again use your data as our privacy notice describes. Your other rights, such as access, correction and erasure, are unchanged.',
} as const;
