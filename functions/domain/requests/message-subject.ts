/**
 * Staff write to the subject from the console (see ./messages.ts for the thread it joins). Kept apart
 * from the thread's storage, which the repository and the retention sweep import, so they do not carry
 * the mail templates.
 */
import { badRequest, conflict, tooMany } from '#commons/errors';
import { logger } from '#commons/observability';
import type { AppContext } from '../context.ts';
import { staffMessageMail } from '../notifications/staff-message.ts';
import { MESSAGE_MAX_LENGTH, STAFF_MESSAGE } from './messages.ts';
import { CLOSED_STATUSES } from './model.ts';
import { StateConflict } from './repository.ts';
import { requestToday } from '../deadlines/request-zone.ts';

/**
 * At most this many messages to one subject in a day: more than any real exchange needs, few enough
 * that a stuck button or a stolen staff session cannot turn the company's address into a spammer.
 */
export const MESSAGES_PER_DAY = 10;
const DAY_MS = 86_400_000;

/**
 * Writes to the subject: the mail goes to the verified address only, in the subject's language, with
 * staff's words quoted as typed; then the message joins the thread (after the mail: a message that did
 * not go out is not in the thread, and the call fails with nothing written). A question marks the
 * request as waiting for the subject. At most MESSAGES_PER_DAY go out per request in 24 hours.
 */
export async function messageSubject(ctx: AppContext, requestId: string, actor: string, text: string, question: boolean): Promise<void> {
  const trimmed = text.trim();
  if (!trimmed) throw badRequest('message_empty', 'a message needs some text');
  if (trimmed.length > MESSAGE_MAX_LENGTH) throw badRequest('message_too_long', `a message is at most ${MESSAGE_MAX_LENGTH} characters`);
  const r = await ctx.repo.get(requestId);
  if (CLOSED_STATUSES.has(r.status) || !r.openPk) throw conflict('request_closed', `request ${requestId} is ${r.status}: the subject can no longer answer on it`);
  // Until the code is entered nobody has shown the address is the subject's: nothing about the request goes to it.
  if (!r.verification?.verifiedAt || r.subjectPurgedAt) {
    throw conflict('not_verified', 'the subject has not confirmed their email address yet: messages go only to a verified address');
  }
  const now = ctx.clock.now();
  const since = new Date(now.getTime() - DAY_MS).toISOString();
  const recent = (await ctx.repo.auditTrail(requestId)).filter((e) => e.action === STAFF_MESSAGE && e.at > since).length;
  if (recent >= MESSAGES_PER_DAY) {
    throw tooMany('too_many_messages', `at most ${MESSAGES_PER_DAY} messages to the subject of one request in 24 hours; write fewer, longer messages`);
  }
  // Marked first, so the retention sweep never skips a trail that holds words about the subject.
  if (r.subjectMessages !== true) await ctx.repo.update(requestId, { subjectMessages: true });
  const messageId = await ctx.mailer.send(r.subject.email, staffMessageMail(ctx.config, r, trimmed, question), { requestId });
  await ctx.repo.audit(requestId, actor, STAFF_MESSAGE, { message: trimmed, question, ...(messageId ? { messageId } : {}) }, now);
  if (question) {
    try {
      await ctx.repo.update(requestId, { awaitingSubject: { since: requestToday(ctx.config, r, now), at: now.toISOString(), by: actor } }, { present: ['openPk'] });
    } catch (err) {
      // Closed in between: nothing is waiting any more.
      if (!(err instanceof StateConflict)) throw err;
    }
  }
  logger.info('message sent to subject', { requestId, question });
}

/** The subject answered: the request no longer waits for them. */
export async function subjectAnswered(ctx: AppContext, requestId: string): Promise<void> {
  try {
    await ctx.repo.update(requestId, {}, { present: ['awaitingSubject'], remove: ['awaitingSubject'] });
  } catch (err) {
    if (!(err instanceof StateConflict)) throw err;
  }
}

