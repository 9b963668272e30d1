/**
 * What staff do to a request: approve, deny, and decide on connectors that failed or on a workflow step
 * that failed for good (retry, accept the request as partial with a reason where that applies, or
 * cancel). Every action is attributed and audited. An action first claims the request with a conditional status change, then completes the workflow's waiting task; if
 * that fails the claim is undone (conditionally: only its own), so the record never says more than the
 * workflow did. A losing action answers 409 and has changed nothing.
 */
import { randomUUID } from 'node:crypto';
import { ExecutionDoesNotExist, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { badRequest, conflict } from '#commons/errors';
import type { AppContext } from '../context.ts';
import { CLOSED_STATUSES, type DenialReason, type RequestRecord, type RequestStatus, type TaskKind, type Transition } from './model.ts';
import { retentionFields } from '../retention/subjects.ts';
import { StateConflict, type UpdateConditions } from './repository.ts';
import { completeTask } from './tasks.ts';
import { notifyOutcome } from '../workflow/notify.ts';
import { acceptsPartial, attentionActions, isRetryable, needsAttention } from '../workflow/attention.ts';
import { extensionRefusal } from '../deadlines/ops/extension.ts';
import { clockStopRefusal } from '../deadlines/ops/refusals.ts';
import { requestToday } from '../deadlines/request-zone.ts';
import { discardUnreleased } from '../release/discard.ts';
import { partnerHold, reopenable } from '../partners/match.ts';

/**
 * Processor mode: the company may not answer a resale partner's end user on its own (GDPR Art. 28(3)(e)),
 * so approve and deny wait until staff forwarded it, overrode the match or recorded the partner's instruction.
 */
function refuseWhilePartnerHold(r: RequestRecord): void {
  if (r.status === 'awaiting_review' && partnerHold(r)) {
    throw conflict(
      'partner_request',
      `request ${r.requestId} is from an end user of resale partner ${r.partner!.name}: forward it to the partner, record the partner's instruction, or say the subject is not the partner's customer`,
    );
  }
}
import { powerOfAttorneyRefusal } from '../agents/power-of-attorney.ts';

export type StaffAction =
  | 'approve'
  | 'deny'
  | 'extend'
  | 'pause'
  | 'resume'
  | 'retry'
  | 'accept-partial'
  | 'cancel'
  | 'assign'
  | 'download'
  | 'withhold'
  | 'release'
  // Processor mode (./partner-actions.ts), on a resale partner's end user awaiting review.
  | 'forward'
  | 'not-partner'
  | 'partner-instruction'
  | 'accept-power-of-attorney';

/**
 * The actions the API would accept on this request now from a staff member with these roles, checked
 * by the same rules the actions enforce (extensionRefusal and clockStopRefusal are the very checks of
 * extend and pause), so the console offers exactly what can succeed. Everything but reading needs the
 * approver role, reviewing the package included (it discloses the subject's data).
 */
export function staffActions(ctx: AppContext, r: RequestRecord, roles: readonly string[], now: Date = ctx.clock.now()): StaffAction[] {
  if (!roles.includes('approver')) return [];
  const actions: StaffAction[] = [];
  const open = !CLOSED_STATUSES.has(r.status);
  // A decision on record while still awaiting review is being handed to the workflow: nothing to decide.
  const deciding = r.status === 'awaiting_review' && r.decision !== undefined;
  // While the preview is counted the review is not requested yet: staff decide once they can see it.
  // A partner's end user is forwarded, or reviewed once staff override the match or the partner instructed.
  if (r.status === 'awaiting_review' && !deciding && !r.previewPending) actions.push(...(partnerHold(r) ? (['forward', 'not-partner', 'partner-instruction'] as const) : (['approve', 'deny'] as const)));
  if (!powerOfAttorneyRefusal(ctx, r)) actions.push('accept-power-of-attorney');
  if (needsAttention(r)) {
    // A step failed for good (NeedsAttention): what applies depends on the step.
    actions.push(...attentionActions(r));
  } else if (r.status === 'awaiting_staff') {
    if (Object.values(r.connectors ?? {}).some((c) => c.status === 'failed')) actions.push('retry');
    actions.push('accept-partial');
  }
  if (!extensionRefusal(ctx, r, now)) actions.push('extend');
  if (open && r.openPk) {
    if (r.pause) actions.push('resume');
    else if (!clockStopRefusal(ctx, r) && requestToday(ctx.config, r, now) <= r.dueDate) actions.push('pause');
  }
  // The package waits for staff (release/): they may withhold parts of it, then let it go.
  if (r.status === 'awaiting_release') actions.push('withhold', 'release');
  // Processor mode: the partner's instruction that came after the request was forwarded reopens it.
  if (reopenable(r)) actions.push('partner-instruction');
  if (open) actions.push('assign');
  // Cancel answers 409 while a decision is handed over or the workflow is telling the subject it closed.
  if (open && !deciding && !r.closing) actions.push('cancel');
  if (r.package && now.getTime() <= Date.parse(r.package.expiresAt)) actions.push('download');
  return actions;
}

export interface Claim {
  before: RequestRecord;
  transition: Transition;
}

/**
 * Claims the request for an action that completes the workflow's waiting task: one conditional write
 * moves it from `from` to `to` and records the transition, so of two actions racing for the same task
 * one wins and the other gets a 409 having changed nothing. A review decision is taken once, whatever it
 * is (`decision` must be absent), and no claim succeeds on a request cancelled meanwhile.
 */
export async function claim(
  ctx: AppContext,
  requestId: string,
  actor: string,
  action: StaffAction,
  kind: TaskKind,
  from: RequestStatus,
  to: RequestStatus,
  set: Partial<RequestRecord>,
  /** Fields the claim removes, and values it expects (the very failure staff looked at). */
  more: Pick<UpdateConditions, 'remove' | 'match' | 'absent'> = {},
): Promise<Claim> {
  const before = await ctx.repo.get(requestId);
  if (before.status !== from) throw conflict('wrong_state', `request ${requestId} is ${before.status}, not ${from}`);
  if (!(await ctx.repo.taskToken(requestId, kind))) {
    const why = kind === 'review' && before.previewPending ? ': what approval will touch is still being counted' : '';
    throw conflict('not_waiting', `request ${requestId} is not waiting for ${kind} yet${why}; try again in a moment`);
  }
  const transition: Transition = { id: randomUUID(), action, by: actor, at: ctx.clock.now().toISOString(), from, to };
  try {
    await ctx.repo.update(requestId, { ...set, status: to, transition }, { onlyIf: [from], ...more, ...(kind === 'review' ? { absent: ['decision'] } : {}) });
  } catch (err) {
    if (err instanceof StateConflict) throw conflict('wrong_state', err.message);
    throw err;
  }
  return { before, transition };
}

/** What a claim wrote besides the status: put back or removed when it is undone. */
export interface Undo {
  restore?: Partial<RequestRecord>;
  remove?: string[];
  /**
   * Values only this call wrote (its decision's or acceptance's time and author): when another action
   * changed the request since, `remove` is still taken back where these match, and nothing else.
   */
  mine?: Record<string, unknown>;
}

/**
 * Completes the waiting task; if that fails, undoes the claim: only this call's claim (its transition id,
 * the status it wrote), so a cancel that came in between is never overwritten. The fields restored are
 * those the claim changed (retry marks connectors pending, accept-partial marks them accepted_missing).
 */
export async function completeOrUndo(ctx: AppContext, claimed: Claim, kind: TaskKind, output: unknown, undo: Undo) {
  const { before, transition } = claimed;
  try {
    await completeTask(ctx, before.requestId, kind, output);
  } catch (err) {
    if (await undoTransition(ctx, before, transition, undo.restore ?? {}, undo.remove ?? [])) throw err;
    // Another action moved the request on in between (a cancel that stopped the workflow): it won.
    if (undo.mine && undo.remove?.length) await removeIfMine(ctx, before.requestId, undo.mine, undo.remove);
    const now = await ctx.repo.get(before.requestId);
    throw conflict('wrong_state', `request ${before.requestId} is ${now.status}: another action came first`);
  }
}

async function removeIfMine(ctx: AppContext, requestId: string, mine: Record<string, unknown>, remove: string[]): Promise<void> {
  try {
    await ctx.repo.update(requestId, {}, { match: mine, remove });
  } catch (err) {
    if (!(err instanceof StateConflict)) throw err;
  }
}

/** Puts back what `transition` changed, if nothing changed the request since; false when something did. */
export async function undoTransition(
  ctx: AppContext,
  before: RequestRecord,
  transition: Transition,
  restore: Partial<RequestRecord>,
  remove: string[],
): Promise<boolean> {
  try {
    await ctx.repo.update(
      before.requestId,
      { ...restore, status: before.status, ...(before.transition ? { transition: before.transition } : {}) },
      { onlyIf: [transition.to], match: { 'transition.id': transition.id }, remove: [...remove, ...(before.transition ? [] : ['transition'])] },
    );
    return true;
  } catch (err) {
    if (err instanceof StateConflict) return false;
    throw err;
  }
}

export async function approve(ctx: AppContext, requestId: string, actor: string, confirmRequestId?: string): Promise<RequestRecord> {
  const current = await ctx.repo.get(requestId);
  refuseWhilePartnerHold(current);
  // Erasure cannot be undone: approving one is a separate, explicit act that names the request.
  if (current.type === 'erasure' && confirmRequestId !== requestId) {
    throw badRequest('confirmation_required', 'approving an erasure requires confirmRequestId equal to the request id');
  }
  const at = ctx.clock.now().toISOString();
  const decision = { outcome: 'approved' as const, by: actor, at };
  const claimed = await claim(ctx, requestId, actor, 'approve', 'review', 'awaiting_review', 'in_progress', { decision });
  await completeOrUndo(ctx, claimed, 'review', { outcome: 'approved', by: actor }, { remove: ['decision'], mine: { 'decision.at': at, 'decision.by': actor } });
  await ctx.repo.audit(requestId, actor, 'review.approved', { type: claimed.before.type });
  return ctx.repo.get(requestId);
}

export async function deny(ctx: AppContext, requestId: string, actor: string, reason: DenialReason, note?: string): Promise<RequestRecord> {
  if (reason === 'other' && !note) throw badRequest('note_required', 'a denial for another reason needs a note that explains it');
  refuseWhilePartnerHold(await ctx.repo.get(requestId));
  const at = ctx.clock.now().toISOString();
  const decision = { outcome: 'denied' as const, by: actor, at, reason, ...(note ? { note } : {}) };
  // The status stays awaiting_review until NotifyDenied closes the request; the decision is the claim.
  const claimed = await claim(ctx, requestId, actor, 'deny', 'review', 'awaiting_review', 'awaiting_review', { decision });
  await completeOrUndo(ctx, claimed, 'review', { outcome: 'denied', by: actor }, { remove: ['decision'], mine: { 'decision.at': at, 'decision.by': actor } });
  await ctx.repo.audit(requestId, actor, 'review.denied', { reason, ...(note ? { note } : {}) });
  return ctx.repo.get(requestId);
}

/** Failed connectors, or the one named, run again; or, in NeedsAttention, the step that failed. */
export async function retry(ctx: AppContext, requestId: string, actor: string, connectorId?: string): Promise<RequestRecord> {
  const current = await ctx.repo.get(requestId);
  if (needsAttention(current)) return retryStep(ctx, current, actor, connectorId);
  const failed = Object.values(current.connectors ?? {}).filter((c) => c.status === 'failed').map((c) => c.connectorId);
  const chosen = connectorId ? [connectorId] : failed;
  if (connectorId && !failed.includes(connectorId)) {
    throw badRequest('not_failed', `connector ${connectorId} has not failed on this request`);
  }
  if (chosen.length === 0) throw conflict('nothing_to_retry', 'no connector has failed on this request');
  const connectors = { ...current.connectors };
  for (const id of chosen) connectors[id] = { ...connectors[id]!, status: 'pending' };
  const claimed = await claim(ctx, requestId, actor, 'retry', 'reconcile', 'awaiting_staff', 'in_progress', { connectors });
  await completeOrUndo(ctx, claimed, 'reconcile', { action: 'retry', connectors: chosen }, { restore: { connectors: claimed.before.connectors } });
  await ctx.repo.audit(requestId, actor, 'connectors.retry', { connectors: chosen });
  return ctx.repo.get(requestId);
}

/**
 * Re-enters the step that failed: the request goes back to the status it had when the step failed, so
 * the step finds it as it left it (its own conditional writes expect that status).
 */
async function retryStep(ctx: AppContext, current: RequestRecord, actor: string, connectorId?: string): Promise<RequestRecord> {
  const attention = current.attention!;
  const { requestId } = current;
  if (connectorId) throw badRequest('not_failed', `step ${attention.step} failed, not a connector: retry the step without naming one`);
  if (!isRetryable(attention.step)) throw conflict('not_retryable', `step ${attention.step} cannot be retried; cancel the request`);
  // From the queue back to the status the step failed in; a closed request (its mail failed) stays as it is.
  const claimed = await claim(ctx, requestId, actor, 'retry', 'attention', current.status, attention.status, {}, {
    remove: ['attention'],
    match: { 'attention.step': attention.step, 'attention.at': attention.at },
  });
  await completeOrUndo(ctx, claimed, 'attention', { action: 'retry', step: attention.step }, { restore: { attention } });
  await ctx.repo.audit(requestId, actor, 'workflow.step_retried', { step: attention.step });
  return ctx.repo.get(requestId);
}

/** Completes the request without the failed connectors' data; the reason is kept and shown to the subject. */
export async function acceptPartial(ctx: AppContext, requestId: string, actor: string, reason: string): Promise<RequestRecord> {
  if (!reason.trim()) throw badRequest('reason_required', 'accepting a partial answer needs a reason on record');
  const current = await ctx.repo.get(requestId);
  // In NeedsAttention the workflow waits on its own task, and accepting applies only after collection.
  const attention = current.status === 'awaiting_staff' ? current.attention : undefined;
  if (attention && !acceptsPartial(current)) {
    throw conflict('not_offered', `step ${attention.step} failed: a partial answer does not apply; retry the step or cancel`);
  }
  const kind = attention ? 'attention' : 'reconcile';
  const connectors = { ...current.connectors };
  const missing: string[] = [];
  for (const c of Object.values(connectors)) {
    if (c.status === 'failed') {
      connectors[c.connectorId] = { ...c, status: 'accepted_missing' };
      missing.push(c.connectorId);
    }
  }
  const at = ctx.clock.now().toISOString();
  const claimed = await claim(
    ctx,
    requestId,
    actor,
    'accept-partial',
    kind,
    'awaiting_staff',
    'assembling',
    { connectors, partialAcceptance: { by: actor, at, reason } },
    attention ? { remove: ['attention'], match: { 'attention.step': attention.step, 'attention.at': attention.at } } : {},
  );
  await completeOrUndo(ctx, claimed, kind, { action: 'accept_partial' }, {
    restore: { connectors: claimed.before.connectors, ...(attention ? { attention } : {}) },
    remove: ['partialAcceptance'],
    mine: { 'partialAcceptance.at': at, 'partialAcceptance.by': actor },
  });
  await ctx.repo.audit(requestId, actor, 'connectors.accepted_partial', { reason, missing });
  return ctx.repo.get(requestId);
}

/**
 * Makes a staff member responsible for an open request: the escalation job then chases them instead of
 * the whole privacy team. An empty assignee hands it back to the team.
 */
export async function assign(ctx: AppContext, requestId: string, actor: string, assignee: string | undefined): Promise<RequestRecord> {
  const current = await ctx.repo.get(requestId);
  if (CLOSED_STATUSES.has(current.status)) throw conflict('closed', `request ${requestId} is already ${current.status}`);
  try {
    await ctx.repo.update(
      requestId,
      assignee ? { assignee } : {},
      { onlyIf: [current.status], ...(assignee ? {} : { remove: ['assignee'] }) },
    );
  } catch (err) {
    if (err instanceof StateConflict) throw conflict('wrong_state', err.message);
    throw err;
  }
  await ctx.repo.audit(requestId, actor, assignee ? 'request.assigned' : 'request.unassigned', assignee ? { assignee } : undefined);
  return ctx.repo.get(requestId);
}

/** How often cancel reads again when the workflow moved the request between its read and its write. */
const CANCEL_ATTEMPTS = 3;

/**
 * Cancels an open request. The cancellation is itself the closing write, conditional on the status that
 * was read: of racing cancels one wins and the others get 409 `closed`; a workflow step or staff action
 * that comes after it finds the request closed and changes nothing, and one that is closing already (a
 * workflow step telling the subject it completed) wins over it. A request waiting for staff is then
 * cancelled through the waiting task, any other by stopping the workflow; the subject is told once.
 * While a review decision is being recorded (claimed, not yet handed to the workflow) the request cannot
 * be cancelled: 409 `decision_pending`, and a moment later it can.
 */
export async function cancel(ctx: AppContext, requestId: string, actor: string, reason: string): Promise<RequestRecord> {
  if (!reason.trim()) throw badRequest('reason_required', 'cancelling needs a reason on record');
  const claimed = await claimCancellation(ctx, requestId, actor, reason);
  const { before } = claimed;
  if (before.status === 'awaiting_staff') {
    await completeOrUndo(
      ctx,
      claimed,
      // NeedsAttention waits on its own task; a decision on failed connectors on the reconcile one.
      before.attention ? 'attention' : 'reconcile',
      { action: 'cancel', reason, by: actor },
      { restore: { openPk: 'OPEN', ...(before.openSk ? { openSk: before.openSk } : {}) }, remove: ['closedAt', 'cancellation', 'purgePk', 'purgeAfter'] },
    );
    await ctx.repo.audit(requestId, actor, 'request.cancelled', { reason });
    // The workflow's own closing step tells the subject too; whichever comes first sends the one mail,
    // so the answer to this call means the subject was told.
    await notifyOutcome(ctx, requestId, { outcome: 'cancelled', reason });
    return ctx.repo.get(requestId);
  }
  await ctx.repo.audit(requestId, actor, 'request.cancelled', { reason });
  if (before.executionArn) await stopExecution(ctx, before.executionArn);
  // A package waiting for release never goes out: it and its staged records go now.
  if (before.status === 'awaiting_release') await discardUnreleased(ctx, before);
  await notifyOutcome(ctx, requestId, { outcome: 'cancelled', reason });
  return ctx.repo.get(requestId);
}

/** The closing write of a cancellation, read again when the workflow moved the request in between. */
async function claimCancellation(ctx: AppContext, requestId: string, actor: string, reason: string): Promise<Claim> {
  for (let attempt = 1; ; attempt++) {
    const before = await ctx.repo.get(requestId);
    if (CLOSED_STATUSES.has(before.status)) throw conflict('closed', `request ${requestId} is already ${before.status}`);
    if (before.closing) throw conflict('closed', `request ${requestId} is being closed as ${before.closing}`);
    if (before.status === 'awaiting_review' && before.decision) {
      throw conflict('decision_pending', `a review decision on request ${requestId} is being recorded; try again in a moment`);
    }
    const at = ctx.clock.now().toISOString();
    const transition: Transition = { id: randomUUID(), action: 'cancel', by: actor, at, from: before.status, to: 'cancelled' };
    try {
      await ctx.repo.update(
        requestId,
        { status: 'cancelled', closedAt: at, cancellation: { by: actor, at, reason }, transition, ...retentionFields(ctx.config, at) },
        { onlyIf: [before.status], absent: ['closing', ...(before.status === 'awaiting_review' ? ['decision'] : [])] },
      );
      return { before, transition };
    } catch (err) {
      if (!(err instanceof StateConflict)) throw err;
      if (attempt >= CANCEL_ATTEMPTS) throw conflict('wrong_state', `${err.message}; try again`);
    }
  }
}

async function stopExecution(ctx: AppContext, executionArn: string): Promise<void> {
  try {
    await ctx.sfn.send(new StopExecutionCommand({ executionArn, error: 'Cancelled', cause: 'cancelled by staff' }));
  } catch (err) {
    // It had ended (failed or timed out) already: nothing is left to stop.
    if (!(err instanceof ExecutionDoesNotExist)) throw err;
  }
}
