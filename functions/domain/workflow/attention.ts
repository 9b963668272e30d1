/**
 * NeedsAttention: any workflow step that still fails after its retries is caught (`States.ALL`) and
 * recorded here, and the request waits for staff instead of dying with its execution. Staff retry the
 * step, accept a partial answer where that means something, or cancel (functions/domain/requests/staff.ts).
 *
 * The state machine hands the error over as `caught.<StepName>` (each Catch writes under its own
 * state's name, the only way the step is known without a copy of the handling states per step).
 */
import { logger } from '#commons/observability';
import type { AppContext } from '../context.ts';
import { StateConflict } from '../requests/repository.ts';
import { CLOSED_STATUSES, type Attention, type RequestRecord } from '../requests/model.ts';
import { describeFailure } from './reconcile.ts';
import { CLOSING_MAIL } from './notify.ts';
import { closingMailKey } from '../partners/match.ts';

/**
 * The steps a staff retry can re-enter: the state machine's RetryFailedStep routes each name back to
 * its state (a test checks the two agree). A caught step outside this list is shown but not retried.
 */
export const RETRYABLE_STEPS = [
  'RecordReceipt',
  'VerifyIdentity',
  'MatchPartner',
  'CloseUnverified',
  'ApproveAutomatically',
  'AwaitReview',
  'NotifyDenied',
  'NotifyForwarded',
  'PlanConnectors',
  'Collect',
  'Reconcile',
  'AwaitStaffOnFailures',
  'NotifyCancelled',
  'ConfirmErasure',
  'NotifyErased',
  'NotifyOptedOut',
  'NotifyRestricted',
  'AwaitLifting',
  'NotifyLifted',
  'NotifyRectified',
  'Assemble',
  'AwaitRelease',
  'AssembleReleased',
  'NotifySubject',
] as const;
export type RetryableStep = (typeof RETRYABLE_STEPS)[number];

export function isRetryable(step: string): step is RetryableStep {
  return (RETRYABLE_STEPS as readonly string[]).includes(step);
}

/** The steps that tell the subject a request closed. */
const CLOSING_STEPS: ReadonlySet<string> = new Set(['NotifySubject', 'NotifyErased', 'NotifyOptedOut', 'NotifyLifted', 'NotifyDenied', 'NotifyForwarded', 'NotifyCancelled', 'CloseUnverified']);

/**
 * Whether the request waits for staff on a failed step: on the queue (awaiting_staff), or closed with
 * the subject not told (a cancellation closes before it mails, so its mail can fail on a closed request;
 * the failure then carries the closed status itself, which a failure from before a cancel never does).
 */
export function needsAttention(r: Pick<RequestRecord, 'attention' | 'status'>): boolean {
  if (!r.attention) return false;
  return r.status === 'awaiting_staff' || (CLOSED_STATUSES.has(r.status) && r.attention.status === r.status && CLOSING_STEPS.has(r.attention.step));
}

/**
 * What staff may do about a failed step, besides cancelling (which staffActions decides for every open
 * request alike). Retry always, for a step the workflow can re-enter. Accepting a partial answer only
 * where it has a meaning: once collection is over with connectors failed, i.e. when the staff decision
 * on those connectors itself could not be set up (AwaitStaffOnFailures). Before that nothing was
 * collected to answer with, and after it (Assemble, the closing mails) nothing is missing but the step.
 */
export function attentionActions(r: Pick<RequestRecord, 'attention' | 'connectors' | 'status'>): Array<'retry' | 'accept-partial'> {
  const a = r.attention;
  if (!a || !needsAttention(r)) return [];
  const actions: Array<'retry' | 'accept-partial'> = [];
  if (isRetryable(a.step)) actions.push('retry');
  if (acceptsPartial(r)) actions.push('accept-partial');
  return actions;
}

export function acceptsPartial(r: Pick<RequestRecord, 'attention' | 'connectors' | 'status'>): boolean {
  return r.status === 'awaiting_staff' && r.attention?.step === 'AwaitStaffOnFailures' && Object.values(r.connectors ?? {}).some((c) => c.status === 'failed');
}

/** Messages quote what they failed on (SES names the address it refused): never the subject's details. */
const EMAIL_RE = /[^\s@<>"'(),;:]+@[^\s@<>"'(),;:]+\.[^\s@<>"'(),;:]+/g;

export function safeMessage(request: Pick<RequestRecord, 'subject'>, message: string): string {
  let safe = message.replace(EMAIL_RE, '[address]');
  const name = request.subject.name?.trim();
  if (name && name.length >= 2) safe = safe.split(name).join('[name]');
  return safe.slice(0, 300);
}

export type Caught = Record<string, { Error?: string; Cause?: string }>;

export interface FailureRecorded {
  step: string;
  /** The request was closed meanwhile (a cancel that won a race, which is what failed the step): nothing to decide. */
  closed: boolean;
  /** How long NeedsAttention waits before it reminds staff again. */
  staffSeconds: number;
}

/** How often the record is read again when the request moved between the read and the write. */
const ATTEMPTS = 3;

export async function recordFailure(ctx: AppContext, requestId: string, caught: Caught): Promise<FailureRecorded> {
  const { repo, clock, config } = ctx;
  const entries = Object.entries(caught);
  if (entries.length !== 1) throw new Error(`expected one caught step, got ${entries.length}`);
  const [step, error] = entries[0]!;
  const described = describeFailure(error);
  const staffSeconds = config.workflow.staffTaskTimeoutSeconds;
  for (let attempt = 1; ; attempt++) {
    const request = await repo.get(requestId);
    const attention: Attention = {
      step,
      error: described.type.slice(0, 200),
      message: safeMessage(request, described.message),
      at: clock.now().toISOString(),
      status: request.status,
    };
    logger.error('workflow step failed for good', { requestId, step, error: attention.error });
    // Closed with the subject told (or nothing to tell): a cancel that won a race is why the step failed.
    const untold = CLOSED_STATUSES.has(request.status) && CLOSING_STEPS.has(step) && !(await repo.mailClaim(requestId, closingMailKey(request, CLOSING_MAIL)))?.sentAt;
    if (CLOSED_STATUSES.has(request.status) && !untold) {
      await repo.audit(requestId, 'system', 'workflow.step_failed', { step, error: attention.error, message: attention.message, closed: request.status });
      return { step, closed: true, staffSeconds };
    }
    // This very failure recorded already (the step's Lambda retried after its write): keep the status it saved.
    if (needsAttention(request) && request.attention?.step === step && request.attention.error === attention.error) {
      return { step, closed: false, staffSeconds };
    }
    try {
      // A closed request stays closed: staff can only have the closing mail sent again.
      await repo.update(requestId, untold ? { attention } : { status: 'awaiting_staff', attention }, { onlyIf: [request.status] });
    } catch (err) {
      if (err instanceof StateConflict && attempt < ATTEMPTS) continue;
      throw err;
    }
    await repo.audit(requestId, 'system', 'workflow.needs_attention', { step, error: attention.error, message: attention.message, status: attention.status });
    return { step, closed: false, staffSeconds };
  }
}
