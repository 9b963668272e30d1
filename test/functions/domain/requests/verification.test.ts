import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { SendTaskSuccessCommand, SFNClient, TaskTimedOut } from '@aws-sdk/client-sfn';
import { RequestError } from '#commons/errors';
import { hashCode } from '#commons/tokens';
import { issueCode, resendCode, verifyCode } from '#domain/requests/verification';
import { NOW, OTHER_ID, REQUEST_ID, SUBJECT_EMAIL, TEST_CODE_KEY, requestRecord, testContext, verificationFor, type TestContext } from '../../../support/in-memory-context.ts';
import { CODE_LINE } from '../../../support/code-mail.ts';

const key = Buffer.from(TEST_CODE_KEY);

const sfn = mockClient(SFNClient);
let ctx: TestContext;

async function rejection(p: Promise<unknown>): Promise<RequestError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(RequestError);
  return err as RequestError;
}

beforeEach(async () => {
  ctx = testContext();
  sfn.on(SendTaskSuccessCommand).resolves({});
  await ctx.memory.create(requestRecord({ verification: verificationFor(REQUEST_ID, '123456') }));
  await ctx.memory.putTaskToken(REQUEST_ID, 'verification', 'token-verification-1');
});

afterEach(() => sfn.reset());

describe('verifyCode', () => {
  it('moves the request on with the right code, completes the stored task token and deletes it', async () => {
    const out = await verifyCode(ctx, REQUEST_ID, '123456');

    expect(out).toEqual({ status: 'verified' });
    const stored = ctx.memory.stored();
    expect(stored.status).toBe('awaiting_review');
    expect(stored.verification?.verifiedAt).toBe(ctx.clock.now().toISOString());
    const calls = sfn.commandCalls(SendTaskSuccessCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args[0].input.taskToken).toBe('token-verification-1');
    expect(JSON.parse(calls[0]!.args[0].input.output!)).toMatchObject({ verified: true });
    expect(await ctx.memory.taskToken(REQUEST_ID, 'verification')).toBeUndefined();
    expect(ctx.memory.actions()).toContain('verification.succeeded');
  });

  it('answers 400 with the attempts left for a wrong code and counts the attempt', async () => {
    const err = await rejection(verifyCode(ctx, REQUEST_ID, '654321'));

    expect(err.status).toBe(400);
    expect(err.code).toBe('wrong_code');
    expect(err.details).toEqual({ attemptsLeft: 4 });
    expect(ctx.memory.stored().verification?.attempts).toBe(1);
    expect(ctx.memory.stored().status).toBe('awaiting_verification');
    expect(sfn.commandCalls(SendTaskSuccessCommand)).toHaveLength(0);
    expect(ctx.memory.actions()).toContain('verification.failed');
  });

  it('locks verification after five wrong codes, and the right code is refused until a new code is sent', async () => {
    for (let i = 0; i < 4; i++) expect((await rejection(verifyCode(ctx, REQUEST_ID, '000000'))).status).toBe(400);

    const fifth = await rejection(verifyCode(ctx, REQUEST_ID, '000000'));
    const rightAfterLock = await rejection(verifyCode(ctx, REQUEST_ID, '123456'));

    expect(fifth.status).toBe(429);
    expect(fifth.code).toBe('too_many_attempts');
    expect(rightAfterLock.status).toBe(429);
    expect(ctx.memory.stored().status).toBe('awaiting_verification');
    expect(sfn.commandCalls(SendTaskSuccessCommand)).toHaveLength(0);

    // A new code resets the attempts; the code from that mail works.
    ctx.fixedClock.advance(61_000);
    await resendCode(ctx, REQUEST_ID);
    const mailed = ctx.mail.to(SUBJECT_EMAIL).at(-1)!;
    const newCode = /is: (\d{6})/.exec(mailed.text)![1]!;
    expect(ctx.memory.stored().verification?.attempts).toBe(0);
    expect(await verifyCode(ctx, REQUEST_ID, newCode)).toEqual({ status: 'verified' });
  });

  it('answers 410 for an expired code', async () => {
    ctx.fixedClock.advance(15 * 60_000 + 1);

    const err = await rejection(verifyCode(ctx, REQUEST_ID, '123456'));

    expect(err.status).toBe(410);
    expect(err.code).toBe('code_expired');
    expect(ctx.memory.stored().status).toBe('awaiting_verification');
  });

  it('answers 409 when the request is not waiting for a code', async () => {
    await ctx.memory.create(requestRecord({ requestId: OTHER_ID, status: 'in_progress' }));

    const err = await rejection(verifyCode(ctx, OTHER_ID, '123456'));

    expect(err.status).toBe(409);
    expect(err.code).toBe('not_awaiting_verification');
  });

  it('answers 409 when no code has been sent yet', async () => {
    await ctx.memory.create(requestRecord({ requestId: OTHER_ID }));

    const err = await rejection(verifyCode(ctx, OTHER_ID, '123456'));

    expect(err.status).toBe(409);
    expect(err.code).toBe('code_not_sent');
  });

  it.each(['123456', '000000'])('answers 409 already_verified without any status once verified, whatever the code (%s)', async (code) => {
    await verifyCode(ctx, REQUEST_ID, '123456');

    const err = await rejection(verifyCode(ctx, REQUEST_ID, code));

    expect([err.status, err.code]).toEqual([409, 'already_verified']);
    expect(JSON.stringify(err)).not.toMatch(/awaiting_review|in_progress/);
    expect(err.message).not.toMatch(/awaiting_review|review|progress/);
    expect(sfn.commandCalls(SendTaskSuccessCommand)).toHaveLength(1);
  });

  it('never accepts a code sent for another request, because the hash is bound to the request id', async () => {
    // Same key, same code, other request: the stored hash of OTHER_ID's code must not match for REQUEST_ID.
    const foreign = verificationFor(OTHER_ID, '777777');
    await ctx.memory.update(REQUEST_ID, { verification: foreign });

    const err = await rejection(verifyCode(ctx, REQUEST_ID, '777777'));

    expect(hashCode(REQUEST_ID, '777777', key)).not.toBe(hashCode(OTHER_ID, '777777', key));
    expect(err.status).toBe(400);
    expect(ctx.memory.stored().status).toBe('awaiting_verification');
  });

  it('answers 409 when the workflow is no longer waiting (TaskTimedOut)', async () => {
    sfn.on(SendTaskSuccessCommand).rejects(new TaskTimedOut({ message: 'timed out', $metadata: {} }));

    const err = await rejection(verifyCode(ctx, REQUEST_ID, '123456'));

    expect(err.status).toBe(409);
    expect(err.code).toBe('not_waiting');
  });
});

describe('issueCode and resendCode', () => {
  it('emails a fresh 6-digit code to the subject and keeps only its keyed hash', async () => {
    const request = await ctx.repo.get(REQUEST_ID);

    await issueCode(ctx, request);

    const mail = ctx.mail.to(SUBJECT_EMAIL).at(-1)!;
    const code = /is: (\d{6})/.exec(mail.text)![1]!;
    const v = ctx.memory.stored().verification!;
    expect(v.codeHash).toBe(hashCode(REQUEST_ID, code, key));
    expect(v.scheme).toBe('hmac-sha256');
    expect(JSON.stringify(ctx.memory.stored())).not.toContain(`"${code}"`);
    expect(v.codesSent).toBe(2);
    expect(v.attempts).toBe(0);
    expect(v.expiresAt).toBe(new Date(ctx.clock.now().getTime() + 15 * 60_000).toISOString());
    expect(mail.text).toContain('15 minutes');
  });

  it('links the code mail to the page where the code is entered, with the request id and language but never the code', async () => {
    await ctx.memory.update(REQUEST_ID, { locale: 'nb-NO' });
    await issueCode(ctx, await ctx.repo.get(REQUEST_ID));

    const mail = ctx.mail.to(SUBJECT_EMAIL).at(-1)!;
    const code = CODE_LINE.exec(mail.text)![1]!;
    const base = ctx.config.email.publicBaseUrl.replace(/\/$/, '');
    const link = `${base}/request/verify?id=${REQUEST_ID}&lang=nb`;
    expect(mail.text).toContain(link);
    expect(mail.html).toContain(`href="${link.replaceAll('&', '&amp;')}"`);
    for (const url of (mail.text + mail.html).match(/https?:\/\/[^\s"<]+/g) ?? []) expect(url).not.toContain(code);
  });

  it('refuses a new code within a minute of the last one (429)', async () => {
    ctx.fixedClock.advance(30_000);

    const err = await rejection(resendCode(ctx, REQUEST_ID));

    expect(err.status).toBe(429);
    expect(err.code).toBe('resend_too_soon');
    expect(ctx.mail.sent).toHaveLength(0);
  });

  it('sends a new code after a minute', async () => {
    ctx.fixedClock.advance(60_000);

    await resendCode(ctx, REQUEST_ID);

    expect(ctx.mail.to(SUBJECT_EMAIL)).toHaveLength(1);
    expect(ctx.memory.stored().verification?.codesSent).toBe(2);
  });

  it('stops after ten codes in all', async () => {
    await ctx.memory.update(REQUEST_ID, { verification: verificationFor(REQUEST_ID, '123456', { codesSent: 10 }) });
    ctx.fixedClock.advance(10 * 60_000);

    const err = await rejection(resendCode(ctx, REQUEST_ID));

    expect(err.status).toBe(429);
    expect(err.code).toBe('too_many_codes');
    expect(ctx.mail.sent).toHaveLength(0);
  });

  it('refuses a new code for a request that is not waiting for one (409)', async () => {
    await ctx.memory.update(REQUEST_ID, { status: 'in_progress' });

    const err = await rejection(resendCode(ctx, REQUEST_ID));

    expect(err.status).toBe(409);
  });
});

describe('a wrong try racing a new code', () => {
  // A wrong try read the record before a new code was issued: its write must not bring the old code back.
  it('does not bring the old code back (the attempt update must be conditional on the code hash)', async () => {
    // Prepare: the subject mistypes the old code while a new code is being issued between the read and the write.
    const staleGet = ctx.memory.get.bind(ctx.memory);
    let raced = false;
    ctx.memory.get = async (id: string) => {
      const snapshot = await staleGet(id);
      if (!raced) {
        raced = true;
        await ctx.memory.update(id, { verification: verificationFor(id, '999999', { codesSent: 2 }) });
      }
      return snapshot;
    };

    // Act
    await rejection(verifyCode(ctx, REQUEST_ID, '000000'));

    // Assess: the newest code is still the one on record.
    expect(ctx.memory.stored().verification?.codeHash).toBe(hashCode(REQUEST_ID, '999999', key));
  });
});

describe('a duplicate answers as a new request waiting for its code', () => {
  const DUP_ID = 'dsar_test0000000000003';
  const FRESH_ID = 'dsar_test0000000000004';

  beforeEach(async () => {
    await ctx.memory.create(requestRecord({ requestId: FRESH_ID, verification: verificationFor(FRESH_ID, '123456') }));
    await ctx.memory.create(
      requestRecord({ requestId: DUP_ID, status: 'duplicate', duplicateOf: REQUEST_ID, openPk: undefined, openSk: undefined, closedAt: NOW.toISOString(), verification: { ...verificationFor(DUP_ID, '123456'), codeHash: 'ab'.repeat(32) } }),
    );
  });

  const outcome = async (p: Promise<unknown>) => {
    const err = await rejection(p);
    return { status: err.status, code: err.code, message: err.message, details: err.details };
  };

  it('answers wrong codes, then the lock, exactly as for a new request, and spends its attempts the same way', async () => {
    for (let i = 0; i < 5; i++) {
      expect(await outcome(verifyCode(ctx, DUP_ID, '000000'))).toEqual(await outcome(verifyCode(ctx, FRESH_ID, '000000')));
    }
    expect(ctx.memory.stored(DUP_ID).verification?.attempts).toBe(ctx.memory.stored(FRESH_ID).verification?.attempts);
  });

  it('never verifies a duplicate, whatever code is sent', async () => {
    const err = await rejection(verifyCode(ctx, DUP_ID, '123456'));

    expect(err.code).toBe('wrong_code');
    expect(ctx.memory.stored(DUP_ID).status).toBe('duplicate');
    expect(sfn.commandCalls(SendTaskSuccessCommand)).toHaveLength(0);
  });

  it('answers a resend as for a new request (too soon, then code_sent) and mails nothing for the duplicate', async () => {
    expect(await outcome(resendCode(ctx, DUP_ID))).toEqual(await outcome(resendCode(ctx, FRESH_ID)));
    ctx.fixedClock.advance(60_000);

    await resendCode(ctx, DUP_ID);
    await resendCode(ctx, FRESH_ID);

    expect(ctx.mail.sent).toHaveLength(1);
    expect(ctx.memory.stored(DUP_ID).verification?.codesSent).toBe(2);
  });

  it('answers as a closed unverified request once a new one would have been closed', async () => {
    ctx.fixedClock.advance(ctx.config.verification.unverifiedTimeoutSeconds * 1000);

    const err = await rejection(verifyCode(ctx, DUP_ID, '000000'));

    expect([err.status, err.code]).toEqual([409, 'not_awaiting_verification']);
  });
});

describe('codes hashed before the keyed scheme', () => {
  it('answers 410 code_expired, so the subject asks for a new code', async () => {
    await ctx.memory.update(REQUEST_ID, { verification: { ...verificationFor(REQUEST_ID, '123456'), scheme: undefined, salt: 'a1b2' } });

    const err = await rejection(verifyCode(ctx, REQUEST_ID, '123456'));

    expect([err.status, err.code]).toEqual([410, 'code_expired']);
  });
});
