/**
 * Identity verification: a 6-digit code sent to the address the subject gave. Only its hash is kept.
 * It expires (15 minutes by default); after too many wrong tries the code is dead and a new one must be
 * requested. The subject proves control of the address, and only that address ever receives data.
 */
import { badRequest, conflict, gone, tooMany } from '#commons/errors';
import { hashCode, newCode, newSalt, sameHash } from '#commons/tokens';
import { logger } from '#commons/observability';
import { verificationCode } from '../notifications/templates.ts';
import type { AppContext } from '../context.ts';
import type { RequestRecord } from './model.ts';
import { StateConflict } from './repository.ts';
import { completeTask } from './tasks.ts';

/** A new code may be asked for this often, and this many times in all. */
const RESEND_INTERVAL_MS = 60_000;
const MAX_CODES = 10;

/** Makes a fresh code, stores its hash (resetting the attempts) and emails it to the subject. */
export async function issueCode(ctx: AppContext, request: RequestRecord): Promise<void> {
  const { config, repo, mailer, clock } = ctx;
  const now = clock.now();
  const code = newCode();
  const salt = newSalt();
  const ttl = config.verification.codeTtlMinutes;
  await repo.update(
    request.requestId,
    {
      verification: {
        codeHash: hashCode(request.requestId, code, salt),
        salt,
        expiresAt: new Date(now.getTime() + ttl * 60_000).toISOString(),
        attempts: 0,
        codesSent: (request.verification?.codesSent ?? 0) + 1,
        sentAt: now.toISOString(),
      },
    },
    { onlyIf: ['awaiting_verification'] },
  );
  await mailer.send(request.subject.email, verificationCode(config, facts(request), code, ttl), { requestId: request.requestId });
  await repo.audit(request.requestId, 'system', 'verification.code_sent', { expiresInMinutes: ttl }, now);
}

/** The subject asks for a new code (the old one expired or was locked by wrong tries). */
export async function resendCode(ctx: AppContext, requestId: string): Promise<void> {
  const request = await ctx.repo.get(requestId);
  if (request.status !== 'awaiting_verification') throw conflict('not_awaiting_verification', 'this request is not waiting for a code');
  const v = request.verification;
  const now = ctx.clock.now().getTime();
  if (v && now - Date.parse(v.sentAt) < RESEND_INTERVAL_MS) {
    throw tooMany('resend_too_soon', 'a code was sent less than a minute ago; check your inbox and try again shortly');
  }
  if (v && v.codesSent >= MAX_CODES) throw tooMany('too_many_codes', 'too many codes were requested for this request');
  await issueCode(ctx, request);
}

export async function verifyCode(ctx: AppContext, requestId: string, code: string): Promise<{ status: string }> {
  const { repo, config, clock } = ctx;
  const request = await repo.get(requestId);
  if (request.status !== 'awaiting_verification') {
    // No status here: this endpoint takes no token, so anyone with the request id could otherwise read
    // how the request is going by sending any code. The status page (with its token) is where that is.
    if (request.verification?.verifiedAt) throw conflict('already_verified', 'this request is already verified');
    throw conflict('not_awaiting_verification', 'this request is not waiting for a verification code');
  }
  const v = request.verification;
  if (!v) throw conflict('code_not_sent', 'no code has been sent yet; wait for the email, or ask for a new code');
  if (v.attempts >= config.verification.maxAttempts) {
    throw tooMany('too_many_attempts', 'too many wrong codes: ask for a new code');
  }
  if (clock.now().getTime() > Date.parse(v.expiresAt)) throw gone('code_expired', 'the code has expired: ask for a new code');

  if (!sameHash(hashCode(requestId, code, v.salt), v.codeHash)) {
    const attempts = v.attempts + 1;
    // Conditional on the code and the count read: a wrong try never overwrites a newer code, and two
    // concurrent wrong tries cannot both count as one.
    try {
      await repo.update(
        requestId,
        { verification: { ...v, attempts } },
        { onlyIf: ['awaiting_verification'], match: { 'verification.codeHash': v.codeHash, 'verification.attempts': v.attempts } },
      );
    } catch (err) {
      if (!(err instanceof StateConflict)) throw err;
    }
    await repo.audit(requestId, 'subject', 'verification.failed', { attempts });
    const left = config.verification.maxAttempts - attempts;
    logger.info('wrong verification code', { requestId, attempts });
    if (left <= 0) throw tooMany('too_many_attempts', 'too many wrong codes: ask for a new code');
    throw badRequest('wrong_code', `the code is not right; ${left} ${left === 1 ? 'try' : 'tries'} left`, { attemptsLeft: left });
  }

  const verifiedAt = clock.now().toISOString();
  try {
    // Verified requests go to review next (staff or automatic); the review step takes it from here.
    await repo.update(
      requestId,
      { status: 'awaiting_review', verification: { ...v, verifiedAt } },
      { onlyIf: ['awaiting_verification'], match: { 'verification.codeHash': v.codeHash } },
    );
  } catch (err) {
    if (err instanceof StateConflict) throw conflict('not_awaiting_verification', 'this request is not waiting for a verification code');
    throw err;
  }
  try {
    await completeTask(ctx, requestId, 'verification', { verified: true, verifiedAt });
  } catch (err) {
    // The workflow did not hear it (the step timed out meanwhile): the record must not claim otherwise.
    // Only while nothing else moved it on: the timeout's own closing step may already have closed it.
    await repo.update(requestId, { status: 'awaiting_verification', verification: v }, { onlyIf: ['awaiting_review'] }).catch((undo: unknown) => {
      if (!(undo instanceof StateConflict)) throw undo;
    });
    throw err;
  }
  await repo.audit(requestId, 'subject', 'verification.succeeded');
  return { status: 'verified' };
}

export function facts(r: RequestRecord) {
  return {
    requestId: r.requestId,
    type: r.type,
    receivedDate: r.receivedDate,
    dueDate: r.dueDate,
    ...(r.subject.name ? { name: r.subject.name } : {}),
  };
}
