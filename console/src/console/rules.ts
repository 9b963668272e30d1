/**
 * Which actions the console offers for a request, from its status and the staff member's role. The API
 * enforces the same rules (and is the authority); this keeps the console from offering buttons that can
 * only fail. Viewers get read-only actions.
 */
export type Role = 'approver' | 'viewer';

export type Action =
  | 'approve'
  | 'deny'
  | 'extend'
  | 'pause'
  | 'resume'
  | 'retry'
  | 'accept-partial'
  | 'cancel'
  | 'assign'
  | 'download';

/** The parts of the staff view the rules look at. */
export interface RuleInput {
  status: string;
  connectors?: Array<{ status: string }>;
  extension?: unknown;
  pause?: unknown;
  package?: unknown;
}

const CLOSED = new Set(['unverified_closed', 'denied', 'completed', 'completed_partial', 'cancelled', 'duplicate']);
/** Statuses whose deadline clock is running: verification is not yet a request the clock runs for. */
const DEADLINE_STATUSES = new Set(['awaiting_review', 'in_progress', 'awaiting_staff', 'assembling']);

export function allowedActions(request: RuleInput, roles: readonly Role[]): Action[] {
  const actions: Action[] = [];
  const approver = roles.includes('approver');
  const open = !CLOSED.has(request.status);
  if (approver) {
    if (request.status === 'awaiting_review') actions.push('approve', 'deny');
    if (request.status === 'awaiting_staff') {
      if ((request.connectors ?? []).some((c) => c.status === 'failed')) actions.push('retry');
      actions.push('accept-partial');
    }
    if (DEADLINE_STATUSES.has(request.status)) {
      // The law allows one extension; the API refuses a second, so the console does not offer it.
      if (!request.extension) actions.push('extend');
      actions.push(request.pause ? 'resume' : 'pause');
    }
    if (open) actions.push('assign', 'cancel');
  }
  // Reviewing the package reads the subject's full data: a privileged act, approvers only (the API
  // answers a viewer 403 and audits each review as package.reviewed).
  if (request.package && approver) actions.push('download');
  return actions;
}

/** Actions that cannot be undone ask the staff member to type the request id, not just click. */
export function needsTypedConfirmation(action: Action, type: string): boolean {
  return action === 'approve' && type === 'erasure';
}
