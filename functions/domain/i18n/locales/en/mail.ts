/** The mails to the subject (the erasure report's own lines are in erasure.ts). */
export const mail = {
  'mail.greeting': 'Hello,',
  // The name is text a requester typed: it only ever stands quoted on this labelled line of its own.
  'mail.name_line': 'Name on the request: "{name}"',
  'mail.complaint':
    'You have the right to lodge a complaint with the supervisory authority, {authority} ({address}, {url}), and to seek a judicial remedy.',

  'mail.ack.subject': 'We received your request ({requestId})',
  'mail.ack.received': 'We received your request for {type} on {received}. Its reference is {requestId}.',
  'mail.ack.due':
    'We will answer by {due}. First we need to confirm that this address belongs to you: we are sending you a separate email with a 6-digit code.',
  'mail.ack.follow': 'You can follow your request here:',
  'mail.ack.ignore': 'If you did not make this request, you can ignore this email: nothing happens until the code is entered.',

  'mail.code.subject': 'Your verification code',
  // Test support reads the code after "is: " (and "er: " in Norwegian): keep the colon and one space.
  'mail.code.line': 'Your code for request {requestId} is: {code}',
  'mail.code.enter': 'Enter it on this page, where you can also ask for a new code:',
  'mail.code.validity':
    'It is valid for {minutes, plural, one {# minute} other {# minutes}}. Never share it with anyone: we will never ask you for it by phone.',

  'mail.duplicate.subject': 'You already have an open request ({requestId})',
  'mail.duplicate.body':
    'We received a new request for {type}, but a request of the same kind for this address is already open ({requestId}, due {due}). We will answer that one; there is nothing more to do.',
  'mail.duplicate.follow': 'You can follow it here:',

  'mail.denial.subject': 'Your request {requestId} was declined',
  'mail.denial.body': 'We have declined your request for {type} ({requestId}).',
  'mail.reason': 'Reason: {reason}',
  'mail.denial.reason.manifestly_unfounded': 'The request is manifestly unfounded (GDPR Art. 12(5)).',
  'mail.denial.reason.excessive': 'The request is excessive, in particular because of its repetitive character (GDPR Art. 12(5)).',
  'mail.denial.reason.identity_not_verified': 'We could not verify that the request comes from the person the data is about.',
  'mail.denial.reason.exemption': 'A legal exemption applies to the data requested.',
  'mail.denial.reason.other': 'Another reason, explained below.',

  'mail.unverified.subject': 'Your request {requestId} was closed',
  'mail.unverified.body':
    'We closed your request ({requestId}) because the email address was not confirmed in time, so we could not be sure the request came from you. No data was disclosed or changed.',
  'mail.unverified.again': 'You are welcome to make a new request at any time.',

  'mail.cancelled.subject': 'Your request {requestId} was cancelled',
  'mail.cancelled.body': 'Your request ({requestId}) was cancelled. Reason: {reason}',
  'mail.cancelled.by_staff': 'cancelled by our staff',

  'mail.completion.subject': 'Your data is ready ({requestId})',
  'mail.completion.done': 'We have finished your request for {type} ({requestId}).',
  'mail.completion.download': 'Download your data (the link works until {expires}; it is for you only, do not forward it):',
  'mail.completion.partial': 'Data from these systems could not be included: {systems}. The report in the package explains why.',

  'mail.extension.subject': 'We need more time for your request {requestId}',
  'mail.extension.body': 'We are extending the time to answer your request for {type} ({requestId}), received on {received}.',
  'mail.extension.new_date': 'We will answer by {due} instead of {previous}, as {statute} allows.',

  'mail.erasure.subject': 'Your data was erased ({requestId})',
  'mail.erasure.intro': 'We have finished your request for erasure ({requestId}). This is what we did:',
  'mail.erasure.packages':
    'We also deleted the copies of your data we had prepared for {count, plural, one {your earlier request} other {your # earlier requests}}: the download links in our earlier emails no longer work.',
  'mail.erasure.status_link': 'The same report is on your request page:',
};
