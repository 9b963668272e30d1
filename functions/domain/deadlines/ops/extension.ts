/**
 * Extending a request's period, all or nothing. The law (GDPR Art. 12(3), CCPA §7021, ...) allows the
 * extension only with a notice to the subject inside the first period, so an extension whose notice
 * was not sent is no extension: the due date is claimed with a conditional write (one extension, on
 * the date that was checked), the notice is sent, and if sending fails the claim is rolled back, on
 * condition that nothing else changed the request meanwhile. Staff then simply try again, instead of
 * meeting 409 already_extended on a request whose subject was never told.
 *
 * `extensionRefusal` is the same check the console's action list uses (`staffActions` in ../requests/staff.ts), so
 * staff are offered "Extend" exactly when this would accept it.
 */
import { conflict, unprocessable, type RequestError } from '#commons/errors';
import { logger } from '#commons/observability';
import { jurisdictionRules } from '../rules.ts';
import { extensionNotice } from '../../notifications/templates.ts';
import { translator } from '../../i18n/index.ts';
import type { AppContext } from '../../context.ts';
import { answeredRefusal, closedRefusal } from './refusals.ts';
import type { RequestRecord } from '../../requests/model.ts';
import { StateConflict } from '../../requests/repository.ts';
import { facts } from '../../requests/verification.ts';
import { requestToday } from '../request-zone.ts';

/** Why this request cannot be extended now, as the error extendDeadline answers; undefined when it can. */
export function extensionRefusal(ctx: AppContext, r: RequestRecord, now: Date): RequestError | undefined {
  const closed = closedRefusal(r) ?? answeredRefusal(r);
  if (closed) return closed;
  // The one extension the law allows is not spent, nor its notice mailed, on an address nobody proved.
  if (r.status === 'awaiting_verification') {
    return conflict('not_verified', `request ${r.requestId} is not verified yet: extend it once the subject has proved who they are`);
  }
  const rule = jurisdictionRules[r.jurisdiction];
  if (!rule.extensionAllowed) {
    return unprocessable('extension_not_allowed', `${r.jurisdiction} (${rule.statute}) allows no extension of the period`);
  }
  if (r.extension) {
    return conflict('already_extended', `request ${r.requestId} was already extended on ${r.extension.at.slice(0, 10)}; the law allows one extension`);
  }
  // The due date itself still counts: the period ends at the end of that day, in the request's zone.
  if (requestToday(ctx.config, r, now) > r.dueDate) {
    return unprocessable('past_due_date', `the due date ${r.dueDate} has passed: an extension must be notified inside the first period`);
  }
  if (r.extendedDueDate <= r.dueDate) {
    return unprocessable('extension_not_allowed', `the extended due date ${r.extendedDueDate} is not later than the due date ${r.dueDate}`);
  }
  return undefined;
}

export interface ExtensionResult {
  request: RequestRecord;
  previousDueDate: string;
}

export async function extendDeadline(ctx: AppContext, requestId: string, actor: string, reason: string): Promise<ExtensionResult> {
  const now = ctx.clock.now();
  const r = await ctx.repo.get(requestId);
  const refusal = extensionRefusal(ctx, r, now);
  if (refusal) throw refusal;
  const at = now.toISOString();
  const extension = { by: actor, at, reason, previousDueDate: r.dueDate };
  let updated: RequestRecord;
  try {
    updated = await ctx.repo.update(
      requestId,
      { dueDate: r.extendedDueDate, openSk: `${r.extendedDueDate}#${requestId}`, extension, updatedAt: at },
      { present: ['openPk'], absent: ['extension'], match: { dueDate: r.dueDate } },
    );
  } catch (err) {
    if (!(err instanceof StateConflict)) throw err;
    // Someone else changed the request between the read and the write: report what they did.
    const current = await ctx.repo.get(requestId);
    const refused = extensionRefusal(ctx, current, now);
    if (current.extension) throw conflict('already_extended', `request ${requestId} was just extended by someone else`);
    throw refused ?? conflict('deadline_changed', `the due date of request ${requestId} changed meanwhile; reload and try again`);
  }
  const statute = jurisdictionRules[r.jurisdiction].statute;
  try {
    await ctx.mailer.send(updated.subject.email, extensionNotice(ctx.config, facts(updated), reason, r.dueDate, statute, translator(updated.locale)), { requestId });
  } catch (err) {
    await rollBack(ctx, r, at, err);
    throw err;
  }
  await ctx.repo.audit(requestId, actor, 'deadline.extended', { reason, previousDueDate: r.dueDate, dueDate: updated.dueDate }, now);
  await ctx.repo.audit(requestId, 'system', 'deadline.extension_notified', { dueDate: updated.dueDate }, now);
  logger.info('deadline extended', { requestId, dueDate: updated.dueDate });
  return { request: updated, previousDueDate: r.dueDate };
}

/**
 * Gives the claim back after the notice failed: only this claim (its time and the date it set), only
 * while the request is open, so a concurrent resume or closure is never undone.
 */
async function rollBack(ctx: AppContext, r: RequestRecord, at: string, cause: unknown): Promise<void> {
  const requestId = r.requestId;
  const error = (cause as Error | undefined)?.name ?? 'Error';
  try {
    await ctx.repo.update(
      requestId,
      { dueDate: r.dueDate, openSk: `${r.dueDate}#${requestId}`, updatedAt: ctx.clock.now().toISOString() },
      { present: ['openPk'], match: { 'extension.at': at, dueDate: r.extendedDueDate }, remove: ['extension'] },
    );
    await ctx.repo.audit(requestId, 'system', 'deadline.extension_rolled_back', { error, dueDate: r.dueDate }, ctx.clock.now());
    logger.warn('extension notice failed; extension rolled back', { requestId, error });
  } catch (err) {
    if (!(err instanceof StateConflict)) throw err;
    // The request changed meanwhile (resumed, closed): leave it, and say on record that the notice is owed.
    await ctx.repo.audit(requestId, 'system', 'deadline.extension_notice_failed', { error, dueDate: r.extendedDueDate }, ctx.clock.now());
    logger.error('extension notice failed and the extension could not be rolled back', { requestId, error });
  }
}
