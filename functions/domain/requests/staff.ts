/**
 * What staff do to a request: approve, deny, and decide on connectors that failed (retry, accept the
 * request as partial with a reason, or cancel). Every action is attributed and audited. An action first
 * claims the request with a conditional status change, then completes the workflow's waiting task; if
 * that fails the claim is undone, so the record never says more than the workflow did.
 */
import { StopExecutionCommand } from '@aws-sdk/client-sfn';
import { badRequest, conflict } from '#commons/errors';
import type { AppContext } from '../context.ts';
import { CLOSED_STATUSES, type RequestRecord, type RequestStatus, type TaskKind } from './model.ts';
import { StateConflict } from './repository.ts';
import { completeTask } from './tasks.ts';
import { notifyOutcome } from '../workflow/notify.ts';
import { extensionRefusal } from '../deadline-ops/extension.ts';
import { clockStopRefusal } from './deadline-actions.ts';
import { requestToday } from './zone.ts';

export const DENIAL_REASONS = {
  manifestly_unfounded: 'The request is manifestly unfounded (GDPR Art. 12(5)).',
  excessive: 'The request is excessive, in particular because of its repetitive character (GDPR Art. 12(5)).',
  identity_not_verified: 'We could not verify that the request comes from the person the data is about.',
  exemption: 'A legal exemption applies to the data requested.',
  other: 'Another reason, explained below.',
} as const;
export type DenialReason = keyof typeof DENIAL_REASONS;

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
  | 'download';

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
  if (r.status === 'awaiting_review') actions.push('approve', 'deny');
  if (r.status === 'awaiting_staff') {
    if (Object.values(r.connectors ?? {}).some((c) => c.status === 'failed')) actions.push('retry');
    actions.push('accept-partial');
  }
  if (!extensionRefusal(ctx, r, now)) actions.push('extend');
  if (open && r.openPk) {
    if (r.pause) actions.push('resume');
    else if (!clockStopRefusal(ctx, r) && requestToday(ctx.config, r, now) <= r.dueDate) actions.push('pause');
  }
  if (open) actions.push('assign', 'cancel');
  if (r.package && now.getTime() <= Date.parse(r.package.expiresAt)) actions.push('download');
  return actions;
}

async function claim(
  ctx: AppContext,
  requestId: string,
  kind: TaskKind,
  from: RequestStatus,
  set: Partial<RequestRecord>,
): Promise<RequestRecord> {
  const before = await ctx.repo.get(requestId);
  if (before.status !== from) throw conflict('wrong_state', `request ${requestId} is ${before.status}, not ${from}`);
  if (!(await ctx.repo.taskToken(requestId, kind))) {
    throw conflict('not_waiting', `request ${requestId} is not waiting for ${kind} yet; try again in a moment`);
  }
  try {
    // A review decision is taken once: the first staff member to record one wins, whatever it is.
    await ctx.repo.update(requestId, set, { onlyIf: [from], ...(kind === 'review' ? { absent: ['decision'] } : {}) });
  } catch (err) {
    if (err instanceof StateConflict) throw conflict('wrong_state', err.message);
    throw err;
  }
  return before;
}

async function completeOrUndo(ctx: AppContext, before: RequestRecord, kind: TaskKind, output: unknown, undo: string[]) {
  try {
    await completeTask(ctx, before.requestId, kind, output);
  } catch (err) {
    // Put back what the claim changed: the status, and the connector outcomes (retry marks them pending,
    // accept-partial marks them accepted_missing), so staff can decide again.
    await ctx.repo.update(
      before.requestId,
      { status: before.status, ...(before.connectors ? { connectors: before.connectors } : {}) },
      { remove: undo },
    );
    throw err;
  }
}

export async function approve(ctx: AppContext, requestId: string, actor: string, confirmRequestId?: string): Promise<RequestRecord> {
  const current = await ctx.repo.get(requestId);
  // Erasure cannot be undone: approving one is a separate, explicit act that names the request.
  if (current.type === 'erasure' && confirmRequestId !== requestId) {
    throw badRequest('confirmation_required', 'approving an erasure requires confirmRequestId equal to the request id');
  }
  const at = ctx.clock.now().toISOString();
  const decision = { outcome: 'approved' as const, by: actor, at };
  const before = await claim(ctx, requestId, 'review', 'awaiting_review', { status: 'in_progress', decision });
  await completeOrUndo(ctx, before, 'review', { outcome: 'approved', by: actor }, ['decision']);
  await ctx.repo.audit(requestId, actor, 'review.approved', { type: before.type });
  return ctx.repo.get(requestId);
}

export async function deny(ctx: AppContext, requestId: string, actor: string, reason: DenialReason, note?: string): Promise<RequestRecord> {
  if (reason === 'other' && !note) throw badRequest('note_required', 'a denial for another reason needs a note that explains it');
  const at = ctx.clock.now().toISOString();
  const decision = { outcome: 'denied' as const, by: actor, at, reason, ...(note ? { note } : {}) };
  const before = await claim(ctx, requestId, 'review', 'awaiting_review', { decision });
  await completeOrUndo(ctx, before, 'review', { outcome: 'denied', by: actor }, ['decision']);
  await ctx.repo.audit(requestId, actor, 'review.denied', { reason, ...(note ? { note } : {}) });
  return ctx.repo.get(requestId);
}

/** Failed connectors, or the one named, run again. */
export async function retry(ctx: AppContext, requestId: string, actor: string, connectorId?: string): Promise<RequestRecord> {
  const current = await ctx.repo.get(requestId);
  const failed = Object.values(current.connectors ?? {}).filter((c) => c.status === 'failed').map((c) => c.connectorId);
  const chosen = connectorId ? [connectorId] : failed;
  if (connectorId && !failed.includes(connectorId)) {
    throw badRequest('not_failed', `connector ${connectorId} has not failed on this request`);
  }
  if (chosen.length === 0) throw conflict('nothing_to_retry', 'no connector has failed on this request');
  const connectors = { ...current.connectors };
  for (const id of chosen) connectors[id] = { ...connectors[id]!, status: 'pending' };
  const before = await claim(ctx, requestId, 'reconcile', 'awaiting_staff', { status: 'in_progress', connectors });
  await completeOrUndo(ctx, { ...before, connectors: current.connectors }, 'reconcile', { action: 'retry', connectors: chosen }, []);
  await ctx.repo.audit(requestId, actor, 'connectors.retry', { connectors: chosen });
  return ctx.repo.get(requestId);
}

/** Completes the request without the failed connectors' data; the reason is kept and shown to the subject. */
export async function acceptPartial(ctx: AppContext, requestId: string, actor: string, reason: string): Promise<RequestRecord> {
  if (!reason.trim()) throw badRequest('reason_required', 'accepting a partial answer needs a reason on record');
  const current = await ctx.repo.get(requestId);
  const connectors = { ...current.connectors };
  const missing: string[] = [];
  for (const c of Object.values(connectors)) {
    if (c.status === 'failed') {
      connectors[c.connectorId] = { ...c, status: 'accepted_missing' };
      missing.push(c.connectorId);
    }
  }
  const at = ctx.clock.now().toISOString();
  const before = await claim(ctx, requestId, 'reconcile', 'awaiting_staff', {
    status: 'assembling',
    connectors,
    partialAcceptance: { by: actor, at, reason },
  });
  await completeOrUndo(ctx, { ...before, connectors: current.connectors }, 'reconcile', { action: 'accept_partial' }, ['partialAcceptance']);
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

/** Cancels an open request: through the waiting staff task when there is one, else by stopping the workflow. */
export async function cancel(ctx: AppContext, requestId: string, actor: string, reason: string): Promise<RequestRecord> {
  if (!reason.trim()) throw badRequest('reason_required', 'cancelling needs a reason on record');
  const current = await ctx.repo.get(requestId);
  if (CLOSED_STATUSES.has(current.status)) throw conflict('closed', `request ${requestId} is already ${current.status}`);
  if (current.status === 'awaiting_staff') {
    const before = await claim(ctx, requestId, 'reconcile', 'awaiting_staff', { status: 'awaiting_staff' });
    await completeOrUndo(ctx, before, 'reconcile', { action: 'cancel', reason, by: actor }, []);
    await ctx.repo.audit(requestId, actor, 'request.cancelled', { reason });
    return ctx.repo.get(requestId);
  }
  if (current.executionArn) {
    await ctx.sfn.send(new StopExecutionCommand({ executionArn: current.executionArn, error: 'Cancelled', cause: 'cancelled by staff' }));
  }
  await ctx.repo.audit(requestId, actor, 'request.cancelled', { reason });
  await notifyOutcome(ctx, requestId, { outcome: 'cancelled', reason });
  return ctx.repo.get(requestId);
}
