/**
 * Ending a restriction (GDPR Art. 18(3)): "a data subject who has obtained restriction of processing
 * shall be informed by the controller before the restriction of processing is lifted". Two staff actions,
 * in this order, each attributed and audited:
 *
 * 1. `announceLifting`: staff give the reason and the day from which it is lifted; the subject is mailed
 *    the notice (once), and only once that mail is out is the notice on record as given (`mailedAt`).
 * 2. `liftRestriction`: refused (409) until the notice was mailed and its day has come; then the request
 *    goes back to `in_progress` with phase `lift`, the first pass's outcomes are kept aside, and the
 *    workflow's waiting `lift` task is completed: the Collect map runs every connector's `lift`, reads it
 *    back, and NotifyLifted closes the request and tells the subject.
 */
import { badRequest, conflict } from '#commons/errors';
import type { AppContext } from '../context.ts';
import { translator } from '../i18n/index.ts';
import { liftingNotice } from '../notifications/restriction.ts';
import { mailOnce } from '../notifications/once.ts';
import type { RequestRecord } from '../requests/model.ts';
import { StateConflict } from '../requests/repository.ts';
import { claim, completeOrUndo } from '../requests/staff.ts';
import { requestToday } from '../deadlines/request-zone.ts';

/** The mail transition of the notice: one notice per restriction. */
export const LIFTING_NOTICE_MAIL = 'restriction-notice';
export const LIFTING_REASON_MAX = 2000;

function restrictedOnly(r: RequestRecord): void {
  if (r.type !== 'restriction') throw conflict('wrong_type', `request ${r.requestId} is a ${r.type} request, not a restriction`);
  if (r.status !== 'restricted') throw conflict('wrong_state', `request ${r.requestId} is ${r.status}, not restricted`);
}

/** Whether the subject has been told the restriction will be lifted (the notice's mail is out). */
export function noticeGiven(r: Pick<RequestRecord, 'restriction'>): boolean {
  return Boolean(r.restriction?.notice?.mailedAt);
}

export async function announceLifting(ctx: AppContext, requestId: string, actor: string, reason: string, liftOn: string): Promise<RequestRecord> {
  const text = reason.trim();
  if (!text) throw badRequest('reason_required', 'announcing the lifting needs a reason: the subject is told why');
  if (text.length > LIFTING_REASON_MAX) throw badRequest('invalid_reason', `reason is at most ${LIFTING_REASON_MAX} characters`);
  const r = await ctx.repo.get(requestId);
  restrictedOnly(r);
  if (noticeGiven(r)) throw conflict('already_announced', `the subject was told on ${r.restriction!.notice!.mailedAt} that the restriction is lifted from ${r.restriction!.notice!.liftOn}`);
  const today = requestToday(ctx.config, r, ctx.clock.now());
  if (!/^\d{4}-\d{2}-\d{2}$/.test(liftOn) || Number.isNaN(Date.parse(`${liftOn}T00:00:00Z`))) throw badRequest('invalid_date', 'liftOn is a date, YYYY-MM-DD');
  if (liftOn < today) throw badRequest('invalid_date', `liftOn must be today (${today}) or later: the subject is told before the restriction is lifted`);
  const notice = { reason: text, liftOn, by: actor, at: ctx.clock.now().toISOString() };
  let withNotice: RequestRecord;
  try {
    // A notice whose mail never went out may be given again (with the new words); a mailed one may not.
    // The write answers the request as it now stands: no second read.
    withNotice = await ctx.repo.update(requestId, { restriction: { ...r.restriction!, notice } }, { onlyIf: ['restricted'], absent: ['restriction.notice.mailedAt'] });
  } catch (err) {
    if (err instanceof StateConflict) throw conflict('wrong_state', err.message);
    throw err;
  }
  await mailOnce(ctx, requestId, LIFTING_NOTICE_MAIL, () => ctx.mailer.send(r.subject.email, liftingNotice(ctx.config, withNotice, translator(r.locale)), { requestId }));
  const mailedAt = ctx.clock.now().toISOString();
  await ctx.repo.update(requestId, { restriction: { ...withNotice.restriction!, notice: { ...withNotice.restriction!.notice!, mailedAt } } }, { onlyIf: ['restricted'] });
  await ctx.repo.audit(requestId, actor, 'restriction.lifting_announced', { liftOn, reason: text });
  return ctx.repo.get(requestId);
}

export async function liftRestriction(ctx: AppContext, requestId: string, actor: string): Promise<RequestRecord> {
  const r = await ctx.repo.get(requestId);
  restrictedOnly(r);
  if (!noticeGiven(r)) {
    throw conflict('notice_required', 'tell the subject first: announce the lifting with a reason and a date (GDPR Art. 18(3)); the restriction can be lifted once the notice is sent and its date has come');
  }
  const notice = r.restriction!.notice!;
  const today = requestToday(ctx.config, r, ctx.clock.now());
  if (today < notice.liftOn) throw conflict('too_early', `the subject was told the restriction is lifted from ${notice.liftOn}; it is ${today}`);
  const at = ctx.clock.now().toISOString();
  const restriction = { ...r.restriction!, phase: 'lift' as const, lifted: { by: actor, at }, setPass: r.connectors ?? {} };
  const claimed = await claim(ctx, requestId, actor, 'lift', 'lift', 'restricted', 'in_progress', { restriction, connectors: {} });
  await completeOrUndo(ctx, claimed, 'lift', { action: 'lift', by: actor }, { restore: { restriction: r.restriction!, connectors: r.connectors ?? {} } });
  await ctx.repo.audit(requestId, actor, 'restriction.lift_started', { liftOn: notice.liftOn });
  return ctx.repo.get(requestId);
}
