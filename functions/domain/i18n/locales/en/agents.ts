/**
 * Requests filed by an authorised agent: the public form's agent part, the agent's status view, the
 * notice to the subject that an agent filed for them, the agent's acknowledgement, and the denial reason.
 */
export const agents = {
  'agents.form.toggle': 'I am filing for someone else, as their authorised agent',
  'agents.form.legend': 'About you, the agent',
  'agents.form.intro':
    'Above, give the email address and name of the person the request is for. We send the confirmation code and the answer to that person, not to you; you get a link to follow the status.',
  'agents.form.name': 'The agent’s name',
  'agents.form.email': 'The agent’s email',
  'agents.form.organisation': 'The agent’s organisation (optional)',
  'agents.form.relationship': 'How you act for the person',
  'agents.form.permission': 'The permission the person signed',
  'agents.form.permissionHint': 'A PDF, PNG or JPEG file of at most {size}.',
  'agents.form.permissionMissing': 'Attach the permission the person signed.',
  'agents.form.permissionTooLarge': 'The file is too large: it may be at most {size}.',
  'agents.form.permissionType': 'The file must be a PDF, PNG or JPEG.',
  'agents.form.sentHeading': 'Request received',
  'agents.form.sentText':
    'Request {requestId} is received. We have asked the person to confirm their email address with a code we sent them. We answer them directly; we email you a link where you can follow the status.',
  'agents.relationship.authorised_agent': 'Authorised agent',
  'agents.relationship.power_of_attorney': 'Holder of a power of attorney',
  'agents.relationship.parent_or_guardian': 'Parent or guardian',
  'agents.relationship.legal_representative': 'Legal representative',
  'agents.relationship.other': 'Other',
  'agents.status.agentView': 'You filed this request as an agent. Here you see its status only; the answer goes to the person it is about.',
  'denial.agent_permission_insufficient': 'The agent’s signed permission does not show that the person gave them authority to make this request.',
  'mail.denial.reason.agent_permission_insufficient':
    'The agent’s signed permission does not show that the person gave them authority to make this request.',
  'agents.mail.notice.subject': 'A request about your data was made for you: {requestId}',
  'agents.mail.notice.body': 'Someone who says they act for you has asked us for {type} on your behalf (request {requestId}, received {received}).',
  'agents.mail.notice.agent': 'Agent: “{agent}”',
  'agents.mail.notice.verify':
    'We only go ahead once you confirm your email address with the code we sent you in a separate email, and we send any answer only to you, never to the agent.',
  'agents.mail.notice.verify_or_attorney':
    'We only go ahead once you confirm your email address with the code we sent you in a separate email, or once our staff have checked and accepted a power of attorney you gave the agent. We send any answer only to you, never to the agent.',
  'agents.mail.notice.object':
    'If you did not give this person permission, do not enter the code, and tell our data protection officer at {email}. Without your confirmation the request closes and nothing is done.',
  'agents.mail.ack.subject': 'We received the request you made: {requestId}',
  'agents.mail.ack.body':
    'We received the request for {type} that you made on someone’s behalf on {received} (request {requestId}). We have asked that person to confirm their identity with us directly, and we answer them, not you.',
  'agents.mail.ack.follow': 'You can follow the status of the request (the status only) here:',
  'agents.erasure.permissionsDeleted':
    '{count, plural, one {We also deleted the signed permission an agent gave us for one of your earlier requests.} other {We also deleted the # signed permissions agents gave us for your earlier requests.}}',
};
