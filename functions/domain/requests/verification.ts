/**
 * Identity verification: a 6-digit code sent to the address the subject gave. Only its keyed hash is
 * kept. It expires (15 minutes by default); after too many wrong tries the code is dead and a new one
 * must be requested. The subject proves control of the address, and only that address ever receives data.
 *
 * Concurrency: every guess consumes an attempt with one conditional write BEFORE it is compared, so a
 * spray of simultaneous guesses gets `maxAttempts` comparisons, not one per guess; a resend puts its new
 * code on record with one conditional write before anything is mailed, so simultaneous resends send one.
 *
 * No oracle: a duplicate filing (status `duplicate`) carries a decoy code nobody was sent, and verify
 * and resend treat it exactly as a new request waiting for its code (same answers, same writes), so
 * nobody learns from them whether a person already has an open request.
 */
import { randomBytes } from 'node:crypto';
import { conflict, gone, badRequest, tooMany, type RequestError } from '#commons/errors';
import { codeKey } from '#commons/code-key';
import { hashCode, newCode, sameHash } from '#commons/tokens';
import { logger } from '#commons/observability';
import { verificationCode } from '../notifications/templates.ts';
import { translator } from '../i18n/index.ts';
import { links, type AppContext } from '../context.ts';
import type { RequestRecord, Verification } from './model.ts';
import { StateConflict } from './repository.ts';
import { completeTask } from './tasks.ts';

/** A new code may be asked for this often, and this many times in all. */
export const RESEND_INTERVAL_MS = 60_000;
export const MAX_CODES = 10;

/** A fresh verification state for `code`: its keyed hash, no attempts yet, expiring after the TTL. */
export async function newVerification(requestId: string, code: string, now: Date, ttlMinutes: number, codesSent: number): Promise<Verification> {
  return {
    codeHash: hashCode(requestId, code, await codeKey()),
    scheme: 'hmac-sha256',
    expiresAt: new Date(now.getTime() + ttlMinutes * 60_000).toISOString(),
    attempts: 0,
    codesSent,
    sentAt: now.toISOString(),
  };
}

/**
 * The decoy a duplicate filing carries: shaped like a code just sent, but its hash is random bytes, so
 * no code matches it (and verify refuses a duplicate whatever it compares).
 */
export function decoyVerification(now: Date, ttlMinutes: number): Verification {
  return {
    codeHash: randomBytes(32).toString('hex'),
    scheme: 'hmac-sha256',
    expiresAt: new Date(now.getTime() + ttlMinutes * 60_000).toISOString(),
    attempts: 0,
    codesSent: 1,
    sentAt: now.toISOString(),
  };
}

/**
 * Whether the request answers as one waiting for its code: it is, or it is a duplicate young enough that
 * a new request filed with it would still be waiting (older ones answer as closed unverified ones do).
 */
function waitsForCode(ctx: AppContext, r: RequestRecord): boolean {
  if (r.status === 'awaiting_verification') return true;
  if (r.status !== 'duplicate') return false;
  return ctx.clock.now().getTime() - Date.parse(r.receivedAt) < ctx.config.verification.unverifiedTimeoutSeconds * 1000;
}

function notWaiting(r: RequestRecord): RequestError {
  // No status here: this endpoint takes no token, so anyone with the request id could otherwise read
  // how the request is going by sending any code. The status page (with its token) is where that is.
  if (r.verification?.verifiedAt) return conflict('already_verified', 'this request is already verified');
  return conflict('not_awaiting_verification', 'this request is not waiting for a verification code');
}

const tooManyAttempts = () => tooMany('too_many_attempts', 'too many wrong codes: ask for a new code');
const expired = () => gone('code_expired', 'the code has expired: ask for a new code');

/** Makes a fresh code, stores its hash (resetting the attempts) and emails it to the subject. */
export async function issueCode(ctx: AppContext, request: RequestRecord): Promise<void> {
  const { config, repo, mailer, clock } = ctx;
  const now = clock.now();
  const code = newCode();
  const ttl = config.verification.codeTtlMinutes;
  const verification = await newVerification(request.requestId, code, now, ttl, (request.verification?.codesSent ?? 0) + 1);
  await repo.update(request.requestId, { verification }, { onlyIf: ['awaiting_verification'] });
  await mailer.send(request.subject.email, verificationCode(config, facts(request), code, ttl, translator(request.locale), links(config).verify(request.requestId, request.locale)), { requestId: request.requestId });
  await repo.audit(request.requestId, 'system', 'verification.code_sent', { expiresInMinutes: ttl }, now);
}

/**
 * The subject asks for a new code (the old one expired or was locked by wrong tries). The new code goes
 * on record with one conditional write on the `sentAt` read (and `codesSent` below the maximum) before
 * anything is mailed: of concurrent resends only the winner mails, the others answer "too soon".
 */
export async function resendCode(ctx: AppContext, requestId: string): Promise<void> {
  const { config, repo, mailer, clock } = ctx;
  const request = await repo.get(requestId);
  if (!waitsForCode(ctx, request)) throw conflict('not_awaiting_verification', 'this request is not waiting for a code');
  const decoy = request.status === 'duplicate';
  const v = request.verification;
  const now = clock.now();
  if (v && now.getTime() - Date.parse(v.sentAt) < RESEND_INTERVAL_MS) throw resendTooSoon();
  if (v && v.codesSent >= MAX_CODES) throw tooManyCodes();

  const ttl = config.verification.codeTtlMinutes;
  const code = newCode();
  // A duplicate gets a new decoy through the same keyed hash and the same write, and no mail.
  const next = await newVerification(requestId, code, now, ttl, (v?.codesSent ?? 0) + 1);
  try {
    await repo.replaceVerificationCode(requestId, decoy ? { ...next, codeHash: randomBytes(32).toString('hex') } : next, {
      ...(v ? { previousSentAt: v.sentAt } : {}),
      maxCodes: MAX_CODES,
      statuses: [request.status],
    });
  } catch (err) {
    if (!(err instanceof StateConflict)) throw err;
    const current = await repo.get(requestId);
    if (!waitsForCode(ctx, current)) throw conflict('not_awaiting_verification', 'this request is not waiting for a code');
    if ((current.verification?.codesSent ?? 0) >= MAX_CODES) throw tooManyCodes();
    throw resendTooSoon();
  }
  if (decoy) {
    await repo.audit(requestId, 'subject', 'verification.code_requested', { duplicate: true }, now);
    return;
  }
  await mailer.send(request.subject.email, verificationCode(config, facts(request), code, ttl, translator(request.locale), links(config).verify(request.requestId, request.locale)), { requestId });
  await repo.audit(requestId, 'system', 'verification.code_sent', { expiresInMinutes: ttl }, now);
}

const resendTooSoon = () => tooMany('resend_too_soon', 'a code was sent less than a minute ago; check your inbox and try again shortly');
const tooManyCodes = () => tooMany('too_many_codes', 'too many codes were requested for this request');

export async function verifyCode(ctx: AppContext, requestId: string, code: string): Promise<{ status: string }> {
  const { repo, config, clock } = ctx;
  const request = await repo.get(requestId);
  if (!waitsForCode(ctx, request)) throw notWaiting(request);
  const v = request.verification;
  if (!v) throw conflict('code_not_sent', 'no code has been sent yet; wait for the email, or ask for a new code');
  const limit = config.verification.maxAttempts;
  const now = clock.now();
  if (v.attempts >= limit) throw tooManyAttempts();
  // Codes hashed before the keyed scheme cannot be checked: the subject asks for a new one.
  if (now.getTime() >= Date.parse(v.expiresAt) || v.scheme !== 'hmac-sha256') throw expired();

  // The attempt is spent before the code is compared; a guess whose write lost is never compared.
  let attempts: number;
  try {
    const after = await repo.consumeVerificationAttempt(requestId, { codeHash: v.codeHash, limit, now: now.toISOString(), statuses: [request.status] });
    attempts = after.verification!.attempts;
  } catch (err) {
    if (err instanceof StateConflict) throw await whyNoAttempt(ctx, requestId, v.codeHash);
    throw err;
  }

  const matches = sameHash(hashCode(requestId, code, await codeKey()), v.codeHash);
  if (!matches || request.status !== 'awaiting_verification') {
    await repo.audit(requestId, 'subject', 'verification.failed', { attempts });
    logger.info('wrong verification code', { requestId, attempts });
    const left = limit - attempts;
    if (left <= 0) throw tooManyAttempts();
    throw badRequest('wrong_code', `the code is not right; ${left} ${left === 1 ? 'try' : 'tries'} left`, { attemptsLeft: left });
  }

  const verifiedAt = now.toISOString();
  const verified: Verification = { ...v, attempts, verifiedAt };
  try {
    // Verified requests go to review next (staff or automatic); the review step takes it from here.
    await repo.update(
      requestId,
      { status: 'awaiting_review', verification: verified },
      { onlyIf: ['awaiting_verification'], match: { 'verification.codeHash': v.codeHash }, absent: ['verification.verifiedAt'] },
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
    await repo.update(requestId, { status: 'awaiting_verification', verification: { ...v, attempts } }, { onlyIf: ['awaiting_review'] }).catch((undo: unknown) => {
      if (!(undo instanceof StateConflict)) throw undo;
    });
    throw err;
  }
  await repo.audit(requestId, 'subject', 'verification.succeeded');
  return { status: 'verified' };
}

/** Why a guess could not spend an attempt, read afresh: the answer a subject can act on. */
async function whyNoAttempt(ctx: AppContext, requestId: string, codeHash: string): Promise<RequestError> {
  const current = await ctx.repo.get(requestId);
  if (!waitsForCode(ctx, current)) return notWaiting(current);
  const v = current.verification;
  if (!v || v.codeHash !== codeHash) return gone('code_replaced', 'a newer code was sent: use the code from the latest email');
  if (v.attempts >= ctx.config.verification.maxAttempts) return tooManyAttempts();
  return expired();
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
