/**
 * Processor mode (notifications/partner-forward.ts): a resale partner's end user is told who answers
 * the request; the partner (the controller) is sent the request. `status.forwarded` is the status page.
 */
export const processor = {
  'mail.forwarded.subject': 'Your request {requestId} is answered by {partner}',
  'mail.forwarded.body':
    'You use our service through {partner}. For the personal data in that service, {partner} decides how it is used (it is the controller), and we process it on its behalf. We may therefore not answer your request for {type} ourselves: on {date} we passed it on to {partner}, which will answer you.',
  'mail.forwarded.deadline': 'We asked {partner} to answer you by {due}, the deadline that applied to your request with us.',
  'mail.forwarded.contact': 'How to reach {partner}',
  'mail.forwarded.contact.email': 'Email: {value}',
  'mail.forwarded.contact.url': 'Web: {value}',
  'mail.forwarded.contact.phone': 'Phone: {value}',
  'mail.forwarded.contact.address': 'Post: {value}',
  'mail.forwarded.nothing': 'We have not released any of your data. If {partner} asks us to, we help it answer your request.',
  'mail.forwarded.complaint':
    'If you are not satisfied with how your request is handled, you may complain to a data protection authority, such as {authority} ({url}), or seek a judicial remedy.',
  'status.forwarded': 'Passed on to the company that provides your service and decides how your data is used; it will answer you. Our email says how to reach it.',
  // To the partner, in the language its contact is configured with.
  'mail.partner.subject': 'Data subject request {requestId} from one of your end users',
  'mail.partner.greeting': 'Hello {partner},',
  'mail.partner.intro':
    'One of your end users has made a data subject request to {organisation}. Under our data processing agreement you are the controller for this person’s data and we are your processor (GDPR Art. 28(3)(e)), so the request is yours to answer. We have verified that the requester controls the email address below.',
  'mail.partner.details': 'The request',
  'mail.partner.reference': 'Our reference: {requestId}',
  'mail.partner.type': 'Type: {type}',
  'mail.partner.received': 'Received by us: {date}',
  'mail.partner.deadline': 'Deadline you must meet: {due}',
  'mail.partner.law': 'Law applied to the deadline: {law}',
  'mail.partner.subjectEmail': 'The requester’s email address: {email}',
  'mail.partner.subjectName': 'Name given on the request: "{name}"',
  'mail.partner.told': 'We told the requester that you answer the request and how to reach you. We have not answered it and have released none of the data we process for you.',
  'mail.partner.instruct':
    'If you want us to help (for example to export or erase this person’s data in our systems), write to {dpo} quoting the reference {requestId}. We act on this request only on your documented instruction.',
};
