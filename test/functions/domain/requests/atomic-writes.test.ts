/**
 * The conditional writes verification and intake stand on, on a real table (dynalite) and under real
 * concurrency: whatever the interleaving, only the allowed number of writers win.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { subjectHash } from '#commons/tokens';
import type { AppContext } from '#domain/context';
import { fileRequest, fileRequestOnce } from '#domain/requests/intake';
import type { RequestRecord, Verification } from '#domain/requests/model';
import { StateConflict } from '#domain/requests/repository';
import { resendCode, verifyCode } from '#domain/requests/verification';
import { putRequest, startHarness, type Harness } from '../../../support/dynalite-harness.ts';
import { verificationFor } from '../../../support/in-memory-context.ts';

let h: Harness;
let ctx: AppContext;
const sfn = mockClient(SFNClient);

beforeAll(async () => {
  h = await startHarness();
  sfn.on(StartExecutionCommand).callsFake((input: { name: string }) => ({ executionArn: `arn:exec:${input.name}`, startDate: new Date() }));
  ctx = { ...h.ctx, sfn: new SFNClient({}), stateMachineArn: () => 'arn:aws:states:eu-north-1:123456789012:stateMachine:dsar' };
});
afterAll(async () => {
  sfn.reset();
  await h?.close();
});

const NOW = '2026-01-01T12:00:00.000Z';
const LATER = '2026-01-01T12:15:00.000Z';

async function waitingRequest(verification: Partial<Verification> = {}): Promise<RequestRecord> {
  h.clock.at = new Date(NOW);
  const r = await putRequest(h, { receivedAt: NOW, status: 'awaiting_verification' });
  await h.ctx.repo.update(r.requestId, { verification: verificationFor(r.requestId, '123456', { sentAt: NOW, expiresAt: LATER, ...verification }) });
  return h.ctx.repo.get(r.requestId);
}

const settle = async <T>(calls: Array<Promise<T>>) => {
  const out = await Promise.allSettled(calls);
  return {
    won: out.filter((o) => o.status === 'fulfilled').map((o) => (o as PromiseFulfilledResult<T>).value),
    lost: out.filter((o) => o.status === 'rejected').map((o) => (o as PromiseRejectedResult).reason as unknown),
  };
};

describe('consumeVerificationAttempt', () => {
  it('lets exactly `limit` of 100 simultaneous guesses spend an attempt, each with its own count', async () => {
    const r = await waitingRequest();
    const expected = { codeHash: r.verification!.codeHash, limit: 5, now: NOW, statuses: ['awaiting_verification'] as const };

    const { won, lost } = await settle(Array.from({ length: 100 }, () => h.ctx.repo.consumeVerificationAttempt(r.requestId, expected)));

    expect(won.map((x) => x.verification!.attempts).sort()).toEqual([1, 2, 3, 4, 5]);
    expect(lost).toHaveLength(95);
    expect(lost.every((e) => e instanceof StateConflict)).toBe(true);
    expect((await h.ctx.repo.get(r.requestId)).verification!.attempts).toBe(5);
  });

  it('refuses a code that was replaced, has expired, or a request in another status', async () => {
    const r = await waitingRequest();
    const base = { codeHash: r.verification!.codeHash, limit: 5, now: NOW, statuses: ['awaiting_verification'] as const };

    await expect(h.ctx.repo.consumeVerificationAttempt(r.requestId, { ...base, codeHash: 'ff'.repeat(32) })).rejects.toBeInstanceOf(StateConflict);
    await expect(h.ctx.repo.consumeVerificationAttempt(r.requestId, { ...base, now: LATER })).rejects.toBeInstanceOf(StateConflict);
    await expect(h.ctx.repo.consumeVerificationAttempt(r.requestId, { ...base, statuses: ['duplicate'] })).rejects.toBeInstanceOf(StateConflict);
    expect((await h.ctx.repo.get(r.requestId)).verification!.attempts).toBe(0);
  });
});

describe('replaceVerificationCode', () => {
  it('lets one of 30 simultaneous resends that read the same record put its code on record', async () => {
    const r = await waitingRequest();
    const next = (i: number): Verification => ({ ...r.verification!, codeHash: i.toString(16).padStart(64, '0'), codesSent: 2, sentAt: `2026-01-01T12:0${i % 10}:00.000Z` });

    const { won, lost } = await settle(
      Array.from({ length: 30 }, (_, i) => h.ctx.repo.replaceVerificationCode(r.requestId, next(i), { previousSentAt: NOW, maxCodes: 10, statuses: ['awaiting_verification'] })),
    );

    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(29);
    expect((await h.ctx.repo.get(r.requestId)).verification!.codeHash).toBe(won[0]!.verification!.codeHash);
  });

  it('refuses once the maximum of codes was sent, and puts a first code only where none is on record', async () => {
    const r = await waitingRequest({ codesSent: 10 });
    const bare = await putRequest(h, { receivedAt: NOW, status: 'awaiting_verification' });
    const v = { ...r.verification!, sentAt: LATER };

    await expect(h.ctx.repo.replaceVerificationCode(r.requestId, v, { previousSentAt: NOW, maxCodes: 10, statuses: ['awaiting_verification'] })).rejects.toBeInstanceOf(StateConflict);
    await expect(h.ctx.repo.replaceVerificationCode(r.requestId, v, { maxCodes: 10, statuses: ['awaiting_verification'] })).rejects.toBeInstanceOf(StateConflict);
    await h.ctx.repo.replaceVerificationCode(bare.requestId, v, { maxCodes: 10, statuses: ['awaiting_verification'] });
    expect((await h.ctx.repo.get(bare.requestId)).verification?.sentAt).toBe(LATER);
  });
});

describe('the subject lock', () => {
  it('goes to exactly one of 20 simultaneous claimants, and all others see that holder', async () => {
    const hash = subjectHash('lock-race@example.com');
    const ids = Array.from({ length: 20 }, (_, i) => `dsar_lockrace${String(i).padStart(8, '0')}`);

    const claims = await Promise.all(ids.map((id) => h.ctx.repo.claimSubjectLock('erasure', hash, id, NOW, LATER)));

    const winners = ids.filter((_, i) => claims[i]!.acquired);
    expect(winners).toHaveLength(1);
    expect(claims.filter((c) => !c.acquired).every((c) => !c.acquired && c.holder === winners[0])).toBe(true);
  });

  it('is taken over only from the holder named, by one of many simultaneous takers', async () => {
    const hash = subjectHash('takeover@example.com');
    await h.ctx.repo.claimSubjectLock('access', hash, 'dsar_oldholder00000001', NOW, LATER);

    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => h.ctx.repo.takeOverSubjectLock('access', hash, 'dsar_oldholder00000001', `dsar_taker${String(i).padStart(10, '0')}`, NOW, LATER)));

    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await h.ctx.repo.takeOverSubjectLock('access', hash, 'dsar_notholder00000001', 'dsar_other000000000001', NOW, LATER)).toBe(false);
  });
});

describe('claimIdempotencyKey', () => {
  it('maps a key to the first claimant of 20 simultaneous ones, and every claimant reads that mapping', async () => {
    const mappings = await Promise.all(Array.from({ length: 20 }, (_, i) => h.ctx.repo.claimIdempotencyKey('k'.repeat(64), 'body', `dsar_idem${String(i).padStart(12, '0')}`, NOW, LATER)));

    expect(new Set(mappings.map((m) => m.requestId)).size).toBe(1);
  });

  it('treats an expired mapping as free', async () => {
    await h.ctx.repo.claimIdempotencyKey('e'.repeat(64), 'body-1', 'dsar_idemold000000001', NOW, LATER);

    const fresh = await h.ctx.repo.claimIdempotencyKey('e'.repeat(64), 'body-2', 'dsar_idemnew000000001', '2026-01-02T12:00:00.000Z', '2026-01-03T12:00:00.000Z');

    expect(fresh).toMatchObject({ requestId: 'dsar_idemnew000000001', bodyHash: 'body-2' });
  });
});

describe('the domain steps on these writes, under concurrency', () => {
  it('compares at most `maxAttempts` of 300 simultaneous wrong guesses, and then refuses the right code', async () => {
    const r = await waitingRequest();

    const { lost } = await settle(Array.from({ length: 300 }, (_, i) => verifyCode(ctx, r.requestId, String(100_000 + i))));
    const codes = lost.map((e) => (e as { code: string }).code);
    const right = await verifyCode(ctx, r.requestId, '123456').catch((e: { status: number; code: string }) => e);

    expect(codes.filter((c) => c === 'wrong_code').length).toBeLessThanOrEqual(4);
    expect(codes.filter((c) => c === 'wrong_code' || c === 'too_many_attempts')).toHaveLength(300);
    expect((await h.ctx.repo.get(r.requestId)).verification!.attempts).toBe(5);
    expect((await h.ctx.repo.auditTrail(r.requestId)).filter((e) => e.action === 'verification.failed')).toHaveLength(5);
    expect(right).toMatchObject({ status: 429, code: 'too_many_attempts' });
  });

  it('mails one code for 30 simultaneous resends', async () => {
    const r = await waitingRequest();
    h.clock.at = new Date('2026-01-01T12:01:00.000Z');
    const before = h.mailer.sent.length;

    const { won, lost } = await settle(Array.from({ length: 30 }, () => resendCode(ctx, r.requestId)));

    expect(won).toHaveLength(1);
    expect(lost.every((e) => (e as { code: string }).code === 'resend_too_soon')).toBe(true);
    expect(h.mailer.sent.length - before).toBe(1);
    expect((await h.ctx.repo.get(r.requestId)).verification!.codesSent).toBe(2);
  });

  it('opens one request for 20 simultaneous filings for one address; the others are duplicates of it', async () => {
    h.clock.at = new Date(NOW);
    const email = 'twenty@example.com';

    const answers = await Promise.all(Array.from({ length: 20 }, () => fileRequest({ type: 'erasure', email }, ctx)));

    const stored = await Promise.all(answers.map((a) => h.ctx.repo.get(a.requestId)));
    const open = stored.filter((s) => s.status === 'awaiting_verification');
    expect(open).toHaveLength(1);
    expect(stored.filter((s) => s.status === 'duplicate').every((s) => s.duplicateOf === open[0]!.requestId)).toBe(true);
  });

  it('creates one request for 20 simultaneous filings with one Idempotency-Key, and answers all with its id', async () => {
    h.clock.at = new Date(NOW);

    const answers = await Promise.all(Array.from({ length: 20 }, () => fileRequestOnce({ type: 'access', email: 'keyed@example.com' }, ctx, 'one-key')));

    expect(new Set(answers.map((a) => a.requestId)).size).toBe(1);
    expect((await h.ctx.repo.bySubject(subjectHash('keyed@example.com'))).map((r) => r.requestId)).toEqual([answers[0]!.requestId]);
  });
});
