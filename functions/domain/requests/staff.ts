/**
 * What staff do to a request: approve, deny, and decide on connectors that failed or on a workflow step
 * that failed for good (retry, accept the request as partial with a reason where that applies, or
 * cancel). Every action is attributed and audited. An action first claims the request with a conditional status change, then completes the workflow's waiting task; if
 * that fails the claim is undone (conditionally: only its own), so the record never says more than the
 * workflow did. A losing action answers 409 and has changed nothing.
 */
import { choiceAudit, recordChoice, type ChoiceInput } from '../rectification/choice.ts';
import { randomUUID } from 'node:crypto';
import { ExecutionDoesNotExist, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { badRequest, conflict } from '#commons/errors';
import type { AppContext } from '../context.ts';
import { CLOSED_STATUSES, type DenialReason, type RequestRecord, type RequestStatus, type TaskKind, type Transition } from './model.ts';
import { retentionFields } from '../retention/subjects.ts';
import { StateConflict, type UpdateConditions } from './repository.ts';
import { completeTask } from './tasks.ts';
import { sendRefusal, TaskRefusal } from './task-refusal.ts';
import { notifyOutcome } from '../workflow/notify.ts';
import { acceptsPartial, attentionActions, isRetryable, needsAttention } from '../workflow/attention.ts';
import { extensionRefusal } from '../deadlines/ops/extension.ts';
import { answeredRefusal, clockStopRefusal } from '../deadlines/ops/refusals.ts';
import { requestToday } from '../deadlines/request-zone.ts';
import { discardUnreleased } from '../release/discard.ts';
import { partnerHold, reopenable } from '../partners/match.ts';
import { powerOfAttorneyRefusal } from '../agents/power-of-attorney.ts';

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
  | 'accept-power-of-attorney'
  // A restriction (../restriction/lifting.ts): tell the subject, then lift.
  | 'announce-lifting'
  | 'lift';

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
  // An agent's request with a plainly insufficient permission may be refused before the code is entered.
  if (!earlyDenialRefusal(r)) actions.push('deny');
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
    else if (!clockStopRefusal(ctx, r) && !answeredRefusal(r) && requestToday(ctx.config, r, now) <= r.dueDate) actions.push('pause');
  }
  // The package waits for staff (release/): they may withhold parts of it, then let it go.
  if (r.status === 'awaiting_release') actions.push('withhold', 'release');
  // Processor mode: the partner's instruction that came after the request was forwarded reopens it.
  if (reopenable(r)) actions.push('partner-instruction');
  if (open) actions.push('assign');
  // A restriction in force ends by lifting, after the subject was told (Art. 18(3)), never by a cancel.
  if (r.status === 'restricted') {
    const notice = r.restriction?.notice;
    if (!notice?.mailedAt) actions.push('announce-lifting');
    else if (requestToday(ctx.config, r, now) >= notice.liftOn) actions.push('lift');
  }
  // Cancel answers 409 while a decision is handed over or the workflow is telling the subject it closed.
  if (open && !deciding && !r.closing && r.status !== 'restricted') actions.push('cancel');
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
    // A refusal (a review denied or forwarded) ends the task on its other way, which the state's Catch routes.
    await completeTask(ctx, before.requestId, kind, output, output instanceof TaskRefusal ? (c, token) => sendRefusal(c, token, output) : undefined);
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

export async function approve(ctx: AppContext, requestId: string, actor: string, confirmRequestId?: string, rectification?: ChoiceInput): Promise<RequestRecord> {
  const current = await ctx.repo.get(requestId);
  refuseWhilePartnerHold(current);
  // Erasure cannot be undone: approving one is a separate, explicit act that names the request.
  if (current.type === 'erasure' && confirmRequestId !== requestId) {
    throw badRequest('confirmation_required', 'approving an erasure requires confirmRequestId equal to the request id');
  }
  if (rectification && current.type !== 'rectification') {
    throw badRequest('rectification_not_applicable', `rectification is only for approving a rectification, not a ${current.type} request`);
  }
  // Staff's corrections are stored before the review task completes, so the act step finds them; a
  // choice left by an approval that then lost its claim is replaced by the next approval's.
  const choice = current.type === 'rectification' && current.status === 'awaiting_review' ? await recordChoice(ctx, requestId, actor, rectification) : undefined;
  const at = ctx.clock.now().toISOString();
  const decision = { outcome: 'approved' as const, by: actor, at };
  const claimed = await claim(ctx, requestId, actor, 'approve', 'review', 'awaiting_review', 'in_progress', { decision });
  await completeOrUndo(ctx, claimed, 'review', { outcome: 'approved', by: actor }, { remove: ['decision'], mine: { 'decision.at': at, 'decision.by': actor } });
  await ctx.repo.audit(requestId, actor, 'review.approved', { type: claimed.before.type });
  if (choice) await ctx.repo.audit(requestId, actor, 'rectification.chosen', choiceAudit(choice));
  return ctx.repo.get(requestId);
}

export async function deny(ctx: AppContext, requestId: string, actor: string, reason: DenialReason, note?: string): Promise<RequestRecord> {
  if (reason === 'other' && !note) throw badRequest('note_required', 'a denial for another reason needs a note that explains it');
  const current = await ctx.repo.get(requestId);
  if (current.status === 'awaiting_verification') return denyAgentBeforeVerification(ctx, current, actor, reason, note);
  refuseWhilePartnerHold(current);
  const at = ctx.clock.now().toISOString();
  const decision = { outcome: 'denied' as const, by: actor, at, reason, ...(note ? { note } : {}) };
  // The status stays awaiting_review until NotifyDenied closes the request; the decision is the claim.
  const claimed = await claim(ctx, requestId, actor, 'deny', 'review', 'awaiting_review', 'awaiting_review', { decision });
  await completeOrUndo(ctx, claimed, 'review', new TaskRefusal('ReviewDenied', { outcome: 'denied', by: actor }), { remove: ['decision'], mine: { 'decision.at': at, 'decision.by': actor } });
  await ctx.repo.audit(requestId, actor, 'review.denied', { reason, ...(note ? { note } : {}) });
  return ctx.repo.get(requestId);
}

/**
 * An agent's request whose signed permission is plainly no permission (blank, unsigned, for someone
 * else) is refused at once rather than left waiting up to `verification.unverifiedTimeoutSeconds` for a
 * code the subject may never enter. Only for a request an agent filed, only before verification and only
 * with `agent_permission_insufficient`: every other reason is about the subject, so it waits until the
 * subject has shown the address is theirs. The denial mail tells the address nothing the agent notice
 * did not (an agent filed; the permission did not hold), and the agent sees the status only.
 *
 * The decision is the claim (awaiting_review with the decision, so a code entered meanwhile is refused
 * and of two racing denials one wins); the run, waiting in VerifyIdentity, is stopped; the closing step's
 * own code then closes the request as denied and mails the subject once.
 */
async function denyAgentBeforeVerification(ctx: AppContext, r: RequestRecord, actor: string, reason: DenialReason, note?: string): Promise<RequestRecord> {
  const refusal = earlyDenialRefusal(r, reason);
  if (refusal) throw conflict(refusal.code, refusal.message);
  const at = ctx.clock.now().toISOString();
  const decision = { outcome: 'denied' as const, by: actor, at, reason, ...(note ? { note } : {}) };
  const transition: Transition = { id: randomUUID(), action: 'deny', by: actor, at, from: 'awaiting_verification', to: 'awaiting_review' };
  try {
    await ctx.repo.update(r.requestId, { status: 'awaiting_review', decision, transition }, { onlyIf: ['awaiting_verification'], absent: ['decision', 'verification.verifiedAt', 'verificationWaived'] });
  } catch (err) {
    if (err instanceof StateConflict) throw conflict('wrong_state', err.message);
    throw err;
  }
  try {
    if (r.executionArn) await stopExecution(ctx, r.executionArn, 'denied by staff before verification');
  } catch (err) {
    // The run still waits for the code: the record must not say it was decided.
    await ctx.repo.update(r.requestId, { status: 'awaiting_verification' }, { onlyIf: ['awaiting_review'], match: { 'decision.at': at, 'decision.by': actor }, remove: ['decision', 'transition'] }).catch((undo: unknown) => {
      if (!(undo instanceof StateConflict)) throw undo;
    });
    throw err;
  }
  await ctx.repo.audit(r.requestId, actor, 'review.denied', { reason, ...(note ? { note } : {}), beforeVerification: true });
  await notifyOutcome(ctx, r.requestId, { outcome: 'denied' });
  return ctx.repo.get(r.requestId);
}

/** Why this request may not be denied before its verification, or undefined when it may. */
export function earlyDenialRefusal(r: RequestRecord, reason?: DenialReason): { code: string; message: string } | undefined {
  if (r.status !== 'awaiting_verification' || r.verification?.verifiedAt || r.verificationWaived) {
    return { code: 'wrong_state', message: `request ${r.requestId} is ${r.status}, not waiting for verification` };
  }
  if (!r.agent) return { code: 'not_verified', message: 'a request is denied in review, once the subject has confirmed the address; only an agent’s request can be refused before, for an insufficient permission' };
  if (reason !== undefined && reason !== 'agent_permission_insufficient') {
    return { code: 'not_verified', message: 'before the subject has confirmed the address, an agent’s request can be denied only for agent_permission_insufficient' };
  }
  return undefined;
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
    if (before.status === 'restricted') {
      throw conflict('restricted', `request ${requestId} has the subject's data restricted: it ends by lifting the restriction after telling the subject (GDPR Art. 18(3)), not by a cancel`);
    }
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

async function stopExecution(ctx: AppContext, executionArn: string, cause = 'cancelled by staff'): Promise<void> {
  try {
    await ctx.sfn.send(new StopExecutionCommand({ executionArn, error: 'Cancelled', cause }));
  } catch (err) {
    // It had ended (failed or timed out) already: nothing is left to stop.
    if (!(err instanceof ExecutionDoesNotExist)) throw err;
  }
}
