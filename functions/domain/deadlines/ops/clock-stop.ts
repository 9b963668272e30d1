/**
 * What staff (and the subject's reply) do to a request's clock: stop and restart it where the law allows
 * that (extending the period is ./extension.ts). Each change is a conditional write on the
 * state that was checked, so two staff members acting at once cannot lose a pause or resume twice, and
 * each is audited. Refusals are RequestErrors whose message says which rule refused.
 */
import { RequestError, conflict, unprocessable } from '#commons/errors';
import { logger } from '#commons/observability';
import { daysBetween } from '../calendar.ts';
import { shiftDueDates } from '../compute.ts';
import type { AppContext } from '../../context.ts';
import { answeredRefusal, clockStopRefusal, closedRefusal } from './refusals.ts';
import { CLOSED_STATUSES, type RequestRecord } from '../../requests/model.ts';
import { StateConflict, type UpdateConditions } from '../../requests/repository.ts';
import { requestTimeZone, requestToday } from '../request-zone.ts';

function assertOpen(r: RequestRecord): void {
  const refusal = closedRefusal(r);
  if (refusal) throw refusal;
}

/**
 * Applies a clock change if the request is still open (in the queue) and `conditions` hold; undefined
 * when they do not, and the caller says why.
 */
async function whileOpen(
  ctx: AppContext,
  requestId: string,
  set: Partial<RequestRecord>,
  conditions: UpdateConditions,
): Promise<RequestRecord | undefined> {
  try {
    return await ctx.repo.update(requestId, set, { ...conditions, present: ['openPk', ...(conditions.present ?? [])] });
  } catch (err) {
    if (err instanceof StateConflict) return undefined;
    throw err;
  }
}

/** Stops the clock, for instance while waiting for the clarification or identity proof asked of the subject. */
export async function pauseDeadline(
  ctx: AppContext,
  requestId: string,
  actor: string,
  reason: string,
): Promise<RequestRecord> {
  const now = ctx.clock.now();
  const r = await ctx.repo.get(requestId);
  assertOpen(r);
  const answered = answeredRefusal(r);
  if (answered) throw answered;
  const refusal = clockStopRefusal(ctx, r);
  if (refusal) throw unprocessable('clock_stop_not_allowed', refusal);
  if (r.pause) throw conflict('already_paused', `the clock of request ${requestId} has been stopped since ${r.pause.since}`);
  const today = requestToday(ctx.config, r, now);
  if (today > r.dueDate) {
    throw unprocessable('past_due_date', `the due date ${r.dueDate} has passed: a clock that has run out cannot be stopped`);
  }
  const at = now.toISOString();
  const pause = { since: today, at, by: actor, reason };
  const updated = await whileOpen(ctx, requestId, { pause, updatedAt: at }, { absent: ['pause'] });
  if (!updated) {
    const current = await ctx.repo.get(requestId);
    assertOpen(current);
    throw conflict('already_paused', `the clock of request ${requestId} was just stopped by someone else`);
  }
  await ctx.repo.audit(requestId, actor, 'deadline.paused', { reason, since: today, dueDate: r.dueDate }, now);
  logger.info('deadline paused', { requestId });
  return updated;
}

export interface ResumeResult {
  request: RequestRecord;
  /** Days of this pause; the due dates moved by the total over all pauses. */
  pausedDays: number;
  totalPausedDays: number;
}

/**
 * Restarts the clock. The dates are recomputed from receipt with the total paused days (shiftDueDates),
 * so a period that now ends on a weekend or holiday is rolled again, as a shift of the old date would not.
 */
export async function resumeDeadline(
  ctx: AppContext,
  requestId: string,
  actor: string,
  trigger: 'staff' | 'subject_reply' = 'staff',
): Promise<ResumeResult> {
  const now = ctx.clock.now();
  const r = await ctx.repo.get(requestId);
  assertOpen(r);
  if (!r.pause) throw conflict('not_paused', `the clock of request ${requestId} is running`);
  const today = requestToday(ctx.config, r, now);
  const days = Math.max(0, daysBetween(r.pause.since, today));
  const total = (r.pausedDays ?? 0) + days;
  const shifted = shiftDueDates(
    {
      jurisdiction: r.jurisdiction,
      country: r.country,
      timezone: requestTimeZone(ctx.config, r),
      receivedDate: r.receivedDate,
      type: r.type,
      dueDate: r.dueDate,
      extendedDueDate: r.extendedDueDate,
      acknowledgeBy: r.acknowledgeBy,
    },
    total,
  );
  const dueDate = r.extension ? shifted.extendedDueDate : shifted.dueDate;
  const at = now.toISOString();
  const updated = await whileOpen(
    ctx,
    requestId,
    { dueDate, extendedDueDate: shifted.extendedDueDate, openSk: `${dueDate}#${requestId}`, pausedDays: total, updatedAt: at },
    // The pause that was read: a concurrent resume would otherwise add the same days twice.
    { match: { 'pause.since': r.pause.since, 'pause.at': r.pause.at }, remove: ['pause'] },
  );
  if (!updated) {
    const current = await ctx.repo.get(requestId);
    assertOpen(current);
    throw conflict('not_paused', `the clock of request ${requestId} was just restarted by someone else`);
  }
  await ctx.repo.audit(
    requestId,
    actor,
    'deadline.resumed',
    { trigger, since: r.pause.since, pausedDays: days, totalPausedDays: total, previousDueDate: r.dueDate, dueDate },
    now,
  );
  logger.info('deadline resumed', { requestId, dueDate, trigger });
  return { request: updated, pausedDays: days, totalPausedDays: total };
}

/**
 * The subject answered what the pause was waiting for (the inbound-mail or form plumbing calls this):
 * the clock restarts by itself. A reply to a request whose clock runs changes nothing.
 */
export async function subjectReplied(
  ctx: AppContext,
  requestId: string,
): Promise<{ resumed: boolean; request: RequestRecord }> {
  const r = await ctx.repo.get(requestId);
  if (!r.pause || CLOSED_STATUSES.has(r.status) || !r.openPk) {
    await ctx.repo.audit(requestId, 'subject', 'subject.replied', { clockRunning: true }, ctx.clock.now());
    return { resumed: false, request: r };
  }
  await ctx.repo.audit(requestId, 'subject', 'subject.replied', { clockRunning: false }, ctx.clock.now());
  try {
    const out = await resumeDeadline(ctx, requestId, 'subject', 'subject_reply');
    return { resumed: true, request: out.request };
  } catch (err) {
    // Staff restarted the clock in the meantime: nothing left to do.
    if (err instanceof RequestError && err.code === 'not_paused') return { resumed: false, request: await ctx.repo.get(requestId) };
    throw err;
  }
}
