/**
 * Staff decisions on a resale partner's end user (processor mode, ../partners/match.ts), each attributed
 * and audited:
 * - `forward`: the request goes to the partner, the controller, and closes as `forwarded`
 *   (the workflow's NotifyForwarded mails the partner and the subject; no connector runs);
 * - `not-partner`: the match was wrong (the subject is the company's own customer), with a reason:
 *   the request is then reviewed as any other;
 * - `partner-instruction`: the partner instructed the company to answer (its reference on record):
 *   the request is then reviewed and approved as any other, on that instruction. On a request already
 *   forwarded (the partner's instruction came later), it reopens the request: back in the queue awaiting
 *   review, with a new workflow run (`<id>-assisted`) that goes straight to staff review.
 */
import { randomUUID } from 'node:crypto';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { badRequest, conflict } from '#commons/errors';
import type { AppContext } from '../context.ts';
import { partnerHold } from '../partners/match.ts';
import { CLOSED_STATUSES, type PartnerMark, type RequestRecord, type Transition } from './model.ts';
import { openRequestFor } from './subject-lock.ts';
import { StateConflict } from './repository.ts';
import { claim, completeOrUndo, undoTransition } from './staff.ts';
import { TaskRefusal } from './task-refusal.ts';

/** The request, which must be a partner's end user awaiting review with no decision taken on the match yet. */
async function heldRequest(ctx: AppContext, requestId: string): Promise<RequestRecord & { partner: PartnerMark }> {
  const r = await ctx.repo.get(requestId);
  if (!r.partner) throw conflict('not_partner_request', `request ${requestId} was not matched to a resale partner`);
  if (r.status !== 'awaiting_review') throw conflict('wrong_state', `request ${requestId} is ${r.status}, not awaiting_review`);
  if (!partnerHold(r)) throw conflict('partner_decided', `the partner match of request ${requestId} was already decided`);
  return r as RequestRecord & { partner: PartnerMark };
}

export async function forwardToPartner(ctx: AppContext, requestId: string, actor: string): Promise<RequestRecord> {
  const current = await heldRequest(ctx, requestId);
  const at = ctx.clock.now().toISOString();
  // Where the mail goes: the partner's contact as configured now (the DPA's address may have changed since the match).
  const to = ctx.config.partners.find((p) => p.id === current.partner.id)?.contact.email;
  if (!to) throw conflict('partner_unknown', `partner ${current.partner.id} is no longer configured: say the subject is not the partner's customer, or configure the partner again`);
  const partner: PartnerMark = { ...current.partner, forwarded: { by: actor, at, to } };
  // The decision is the claim, as for a denial: the status stays awaiting_review until NotifyForwarded closes it.
  const claimed = await claim(ctx, requestId, actor, 'forward', 'review', 'awaiting_review', 'awaiting_review', { decision: { outcome: 'forwarded', by: actor, at }, partner }, {
    match: { 'partner.id': current.partner.id, 'partner.at': current.partner.at },
  });
  await completeOrUndo(ctx, claimed, 'review', new TaskRefusal('ReviewForwarded', { outcome: 'forwarded', by: actor }), {
    restore: { partner: current.partner },
    remove: ['decision'],
    mine: { 'decision.at': at, 'decision.by': actor },
  });
  await ctx.repo.audit(requestId, actor, 'partner.forwarded', { partnerId: current.partner.id });
  return ctx.repo.get(requestId);
}

/** Records a decision on the match without touching the workflow, which still waits for review. */
async function decideMatch(ctx: AppContext, current: RequestRecord & { partner: PartnerMark }, partner: PartnerMark): Promise<void> {
  try {
    await ctx.repo.update(current.requestId, { partner }, {
      onlyIf: ['awaiting_review'],
      absent: ['decision', 'partner.override', 'partner.instruction', 'partner.forwarded'],
      match: { 'partner.id': current.partner.id, 'partner.at': current.partner.at },
    });
  } catch (err) {
    if (err instanceof StateConflict) throw conflict('wrong_state', err.message);
    throw err;
  }
}

export async function notPartnerCustomer(ctx: AppContext, requestId: string, actor: string, reason: string): Promise<RequestRecord> {
  if (!reason.trim()) throw badRequest('reason_required', 'saying the subject is not the partner’s customer needs a reason on record');
  const current = await heldRequest(ctx, requestId);
  await decideMatch(ctx, current, { ...current.partner, override: { by: actor, at: ctx.clock.now().toISOString(), reason } });
  await ctx.repo.audit(requestId, actor, 'partner.overridden', { partnerId: current.partner.id, reason });
  return ctx.repo.get(requestId);
}

export async function recordPartnerInstruction(ctx: AppContext, requestId: string, actor: string, reference: string, note?: string): Promise<RequestRecord> {
  if (!reference.trim()) throw badRequest('reference_required', 'the partner’s instruction needs its reference on record');
  const found = await ctx.repo.get(requestId);
  if (found.status === 'forwarded') return reopenOnInstruction(ctx, found, actor, reference, note);
  const current = await heldRequest(ctx, requestId);
  const instruction = { by: actor, at: ctx.clock.now().toISOString(), reference, ...(note ? { note } : {}) };
  await decideMatch(ctx, current, { ...current.partner, instruction });
  await ctx.repo.audit(requestId, actor, 'partner.instruction_recorded', { partnerId: current.partner.id, reference, ...(note ? { note } : {}) });
  return ctx.repo.get(requestId);
}

/**
 * The partner's instruction after the request was forwarded and closed: the request goes back to the
 * queue awaiting review (one conditional write from `forwarded`, so two clicks reopen it once), the
 * forward decision goes (it stays on the audit trail and in `partner.forwarded`), and a new run of the
 * workflow takes it to staff review. If the run cannot start, the request is put back as it was.
 */
async function reopenOnInstruction(ctx: AppContext, r: RequestRecord, actor: string, reference: string, note?: string): Promise<RequestRecord> {
  const { requestId } = r;
  if (!r.partner?.forwarded) throw conflict('not_partner_request', `request ${requestId} was not forwarded to a resale partner`);
  if (r.partner.instruction) throw conflict('partner_decided', `request ${requestId} was already reopened on the partner’s instruction`);
  if (r.subjectPurgedAt) throw conflict('purged', `request ${requestId} no longer holds the subject’s address; the subject must file again`);
  // The subject may have filed again after the forward: two open requests of one type for one person
  // would be answered twice. Checked here for a clean refusal, and again through the subject lock below.
  const newer = (await ctx.repo.bySubject(r.subjectHash)).find((o) => o.requestId !== requestId && o.type === r.type && !CLOSED_STATUSES.has(o.status));
  if (newer) throw anotherOpen(r, newer.requestId);
  const at = ctx.clock.now().toISOString();
  const partner: PartnerMark = { ...r.partner, instruction: { by: actor, at, reference, ...(note ? { note } : {}) } };
  const transition: Transition = { id: randomUUID(), action: 'partner-instruction', by: actor, at, from: 'forwarded', to: 'awaiting_review' };
  try {
    await ctx.repo.update(
      requestId,
      { status: 'awaiting_review', partner, transition, openPk: 'OPEN', openSk: `${r.dueDate}#${requestId}` },
      { onlyIf: ['forwarded'], absent: ['partner.instruction'], remove: ['decision', 'closedAt', 'purgePk', 'purgeAfter'] },
    );
  } catch (err) {
    if (err instanceof StateConflict) throw conflict('wrong_state', err.message);
    throw err;
  }
  const { decision, closedAt, purgePk, purgeAfter } = r;
  const putBack = () => undoTransition(ctx, r, transition, { partner: r.partner, ...(decision ? { decision } : {}), ...(closedAt ? { closedAt } : {}), ...(purgePk ? { purgePk } : {}), ...(purgeAfter ? { purgeAfter } : {}) }, []);
  // The reopened request takes the subject lock, so a filing from now on is a duplicate of it; one that
  // took the lock since the check above (filed at this very moment) wins, and this reopen is put back.
  const filedMeanwhile = await openRequestFor(ctx, r.type, r.subjectHash, requestId, ctx.clock.now());
  if (filedMeanwhile) {
    await putBack();
    throw anotherOpen(r, filedMeanwhile);
  }
  let executionArn: string;
  try {
    executionArn = await startAssistedRun(ctx, requestId, reference);
  } catch (err) {
    await putBack();
    throw err;
  }
  await ctx.repo.update(requestId, { executionArn });
  await ctx.repo.audit(requestId, actor, 'partner.instruction_recorded', { partnerId: r.partner.id, reference, ...(note ? { note } : {}), reopened: true });
  return ctx.repo.get(requestId);
}

function anotherOpen(r: RequestRecord, other: string) {
  return conflict(
    'open_request_exists',
    `the subject filed another ${r.type} request after the forward, ${other}, which is still open: record the partner's instruction on that request (or cancel it first), so the subject's request is answered once`,
  );
}

/**
 * The reopened request's run, named after it (so starting twice is a no-op): its input says it is
 * assisted, which takes it from the receipt straight to MatchPartner and staff review (the subject
 * verified the address on the first run; no new code is sent).
 */
async function startAssistedRun(ctx: AppContext, requestId: string, reference: string): Promise<string> {
  const out = await ctx.sfn.send(
    new StartExecutionCommand({
      stateMachineArn: ctx.stateMachineArn(),
      name: `${requestId}-assisted`,
      input: JSON.stringify({ requestId, assisted: { reference } }),
    }),
  );
  return out.executionArn!;
}
