/** A message staff write to the subject from the console (notifications/staff-message.ts). */
export const messages = {
  'mail.staffMessage.subject': 'A message about your request {requestId}',
  'mail.staffMessage.question.subject': 'A question about your request {requestId}',
  'mail.staffMessage.greeting': 'Hello,',
  'mail.staffMessage.intro': 'The people handling your request for {type} ({requestId}) have written to you:',
  'mail.staffMessage.question.intro': 'To go on with your request for {type} ({requestId}), the people handling it need an answer from you:',
  'mail.staffMessage.answer':
    'You can answer on the page of your request: open the link in the email in which we confirmed that we received your request. Only the people handling your request read what you write there.',
};
