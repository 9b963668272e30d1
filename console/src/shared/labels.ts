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

export const SHORT_TYPE: Record<string, string> = { access: 'Access', erasure: 'Erasure', portability: 'Portability', marketing_opt_out: 'Marketing opt-out', rectification: 'Rectification' };

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
};

export const OPEN_STATUSES = ['awaiting_verification', 'awaiting_review', 'in_progress', 'awaiting_staff', 'assembling', 'awaiting_release'];

/** Statuses after which nothing more happens (CLOSED_STATUSES on the server): the closed list's filter. */
export const CLOSED_STATUSES = ['completed', 'completed_partial', 'denied', 'cancelled', 'duplicate', 'unverified_closed', 'forwarded'];
