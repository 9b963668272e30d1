/**
 * Words the pages show for the API's codes. The denial reasons mirror DENIAL_REASONS on the server
 * (a unit test keeps the keys equal); they are copied rather than imported because the server module
 * pulls in the AWS SDK.
 */
export const DENIAL_REASON_TEXT: Record<string, string> = {
  manifestly_unfounded: 'The request is manifestly unfounded (GDPR Art. 12(5)).',
  excessive: 'The request is excessive, in particular because of its repetitive character (GDPR Art. 12(5)).',
  identity_not_verified: 'We could not verify that the request comes from the person the data is about.',
  exemption: 'A legal exemption applies to the data requested.',
  agent_permission_insufficient: "The agent's signed permission does not show that the person gave them authority to make this request.",
  other: 'Another reason, explained below.',
};

export const DENIAL_REASON_LABEL: Record<string, string> = {
  manifestly_unfounded: 'Manifestly unfounded',
  excessive: 'Excessive (repetitive)',
  identity_not_verified: 'Identity not verified',
  exemption: 'Exemption applies',
  agent_permission_insufficient: 'Agent permission insufficient',
  other: 'Other (explain in the note)',
};

/** The grounds of GDPR Art. 18(1), as staff read them (the subject reads them in plain words on the form). */
export const RESTRICTION_GROUND_LABEL: Record<string, string> = {
  accuracy_contested: '(a) accuracy contested: restricted while we check it',
  unlawful_keep: '(b) unlawful processing: the subject wants it kept, not erased',
  legal_claims: '(c) we no longer need it, the subject needs it for legal claims',
  objection_pending: '(d) objection pending: restricted while we weigh our grounds',
};

export const SHORT_TYPE: Record<string, string> = { access: 'Access', erasure: 'Erasure', portability: 'Portability', marketing_opt_out: 'Marketing opt-out', restriction: 'Restriction', rectification: 'Rectification' };

export const STAFF_STATUS_LABEL: Record<string, string> = {
  awaiting_verification: 'Awaiting verification',
  unverified_closed: 'Closed (unverified)',
  awaiting_review: 'Awaiting review',
  denied: 'Denied',
  in_progress: 'In progress',
  awaiting_staff: 'Needs a decision',
  assembling: 'Assembling',
  awaiting_release: 'Awaiting release',
  completed: 'Completed',
  completed_partial: 'Completed (partial)',
  cancelled: 'Cancelled',
  duplicate: 'Duplicate',
  forwarded: 'Forwarded to the controller',
  restricted: 'Restricted (until lifted)',
};

export const OPEN_STATUSES = ['awaiting_verification', 'awaiting_review', 'in_progress', 'awaiting_staff', 'assembling', 'awaiting_release', 'restricted'];

/** Statuses after which nothing more happens (CLOSED_STATUSES on the server): the closed list's filter. */
export const CLOSED_STATUSES = ['completed', 'completed_partial', 'denied', 'cancelled', 'duplicate', 'unverified_closed', 'forwarded'];
