import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { RequestError } from '#commons/errors';
import { subjectHash } from '#commons/tokens';
import { fileRequest, fileRequestOnce, startWorkflow } from '#domain/requests/intake';
import { NOW, exampleConfig, testContext, type TestContext } from '../../../support/in-memory-context.ts';

const sfn = mockClient(SFNClient);
let ctx: TestContext;

/** An installation whose form lets the subject choose the law. */
function choosingCtx(defaultCountry = 'NO'): TestContext {
  const config = exampleConfig();
  config.jurisdictions.askSubject = true;
  config.jurisdictions.defaultCountry = defaultCountry;
  return testContext(config);
}

beforeEach(() => {
  ctx = testContext();
  sfn.on(StartExecutionCommand).callsFake((input: { name: string }) => ({
    executionArn: `arn:aws:states:eu-north-1:123456789012:execution:dsar:${input.name}`,
    startDate: new Date(),
  }));
});
afterEach(() => sfn.reset());

describe('fileRequest', () => {
  it('stores a new request awaiting verification, in the open queue, with deadlines, and starts the execution named after it', async () => {
    const answer = await fileRequest({ type: 'access', email: '  Alice@Example.com ', name: ' Alice ' }, ctx);

    expect(answer).toEqual({ requestId: expect.stringMatching(/^dsar_[a-z0-9]+$/), status: 'received', verification: 'code' });
    const stored = ctx.memory.stored(answer.requestId);
    expect(stored).toMatchObject({
      status: 'awaiting_verification',
      subject: { email: 'Alice@Example.com', normalizedEmail: 'alice@example.com', name: 'Alice' },
      subjectHash: subjectHash('alice@example.com'),
      jurisdiction: 'GDPR',
      country: 'NO',
      receivedDate: '2026-03-02',
      receivedYear: '2026',
      openPk: 'OPEN',
    });
    expect(stored.openSk).toBe(`${stored.dueDate}#${answer.requestId}`);
    expect(stored.dueDate > stored.receivedDate).toBe(true);
    const start = sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input;
    expect(start.name).toBe(answer.requestId);
    expect(JSON.parse(start.input!)).toEqual({ requestId: answer.requestId });
    // Stored with the request itself (the execution is named after it), not by a write after the start.
    expect(stored.executionArn).toBe(`${ctx.stateMachineArn().replace(':stateMachine:', ':execution:')}:${answer.requestId}`);
    expect(ctx.memory.updates.filter((u) => u.id === answer.requestId)).toEqual([]);
    expect(ctx.memory.actions(answer.requestId)).toEqual(['request.filed']);
  });

  it('marks a second open request of the same type for the same address as a duplicate, with the same answer', async () => {
    const first = await fileRequest({ type: 'access', email: 'alice@example.com' }, ctx);

    const second = await fileRequest({ type: 'access', email: 'ALICE@example.com' }, ctx);

    expect(Object.keys(second)).toEqual(Object.keys(first));
    expect(second.status).toBe('received');
    const stored = ctx.memory.stored(second.requestId);
    expect(stored.status).toBe('duplicate');
    expect(stored.duplicateOf).toBe(first.requestId);
    expect(stored.openPk).toBeUndefined();
    expect(ctx.memory.actions(second.requestId)).toContain('request.duplicate');
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(2);
  });

  it('files a request of another type for the same address as a new request', async () => {
    await fileRequest({ type: 'access', email: 'alice@example.com' }, ctx);

    const erasure = await fileRequest({ type: 'erasure', email: 'alice@example.com' }, ctx);

    expect(ctx.memory.stored(erasure.requestId).status).toBe('awaiting_verification');
  });

  it('does not count a closed request as open', async () => {
    const first = await fileRequest({ type: 'access', email: 'alice@example.com' }, ctx);
    await ctx.memory.update(first.requestId, { status: 'completed' });

    const again = await fileRequest({ type: 'access', email: 'alice@example.com' }, ctx);

    expect(ctx.memory.stored(again.requestId).status).toBe('awaiting_verification');
  });

  // The example installation is Norwegian (defaultCountry NO): a subject who picks another law on the
  // public form sends no country, and the request is counted in that law's own country.
  it.each([
    ['UK_GDPR', 'GB', '2026-04-02'],
    ['CCPA', 'US', '2026-04-16'],
    ['VCDPA', 'US', '2026-04-16'],
    ['CPA', 'US', '2026-04-16'],
    ['LGPD', 'BR', '2026-03-17'],
    ['PIPEDA', 'CA', '2026-04-01'],
  ] as const)('files a %s request without a country in %s, the law\'s own country, not the default NO', async (jurisdiction, country, dueDate) => {
    ctx = choosingCtx();
    const answer = await fileRequest({ type: 'access', email: 'a@example.com', jurisdiction }, ctx);

    expect(ctx.memory.stored(answer.requestId)).toMatchObject({ jurisdiction, country, receivedDate: '2026-03-02', dueDate });
    expect(ctx.memory.events.find((e) => e.action === 'request.filed')?.detail).toEqual({ type: 'access', jurisdiction, country });
  });

  it('puts a request owed an acknowledgement (CCPA) in the ack-pending index, and one without (GDPR) not', async () => {
    ctx = choosingCtx();
    const ccpa = await fileRequest({ type: 'access', email: 'a@example.com', jurisdiction: 'CCPA' }, ctx);
    const gdpr = await fileRequest({ type: 'access', email: 'b@example.com', jurisdiction: 'GDPR' }, ctx);

    const stored = ctx.memory.stored(ccpa.requestId);
    expect(stored).toMatchObject({ ackPk: 'ACK', ackSk: `${stored.acknowledgeBy}#${ccpa.requestId}` });
    expect(ctx.memory.stored(gdpr.requestId)).not.toHaveProperty('ackPk');
  });

  it('counts a GDPR request without a country in the configured default country', async () => {
    ctx = choosingCtx();
    const answer = await fileRequest({ type: 'access', email: 'a@example.com', jurisdiction: 'GDPR' }, ctx);

    expect(ctx.memory.stored(answer.requestId)).toMatchObject({ jurisdiction: 'GDPR', country: 'NO' });
  });

  it('keeps the configured default country when it fits the chosen law', async () => {
    const usCtx = choosingCtx('US');

    const answer = await fileRequest({ type: 'access', email: 'a@example.com', jurisdiction: 'CPA' }, usCtx);

    expect(usCtx.memory.stored(answer.requestId)).toMatchObject({ jurisdiction: 'CPA', country: 'US' });
  });

  it('rejects a jurisdiction the deadline rules cannot serve with 400', async () => {
    ctx = choosingCtx();
    const err = await fileRequest({ type: 'access', email: 'a@example.com', jurisdiction: 'CCPA', country: 'NO' }, ctx).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(RequestError);
    expect((err as RequestError).status).toBe(400);
    expect(ctx.memory.requests.size).toBe(0);
  });
});

describe('what intake refuses before anything is written', () => {
  it('refuses a jurisdiction when the installation does not let subjects choose (400 with a message)', async () => {
    const err = (await fileRequest({ type: 'access', email: 'a@example.com', jurisdiction: 'LGPD' }, ctx).catch((e: unknown) => e)) as RequestError;

    expect([err.status, err.code]).toEqual([400, 'jurisdiction_not_accepted']);
    expect(err.message).toContain('GDPR');
    expect(ctx.memory.requests.size).toBe(0);
    expect(ctx.memory.locks.size).toBe(0);
  });

  it.each([
    ['a line break', 'customer.\n\nIMPORTANT: forward the code below'],
    ['a carriage return', 'Alice\rBob'],
    ['a bidi override', 'Alice\u202Eevil'],
    ['a zero-width space', 'Ali\u200Bce'],
    ['a web address', 'Alice https://evil.example/x'],
    ['a bare host name', 'call support at evil.example now'],
    ['www.', 'Alice www.evil'],
    ['an email address', 'write support@evil.example'],
    ['201 characters', 'a'.repeat(201)],
  ])('refuses a name with %s (400 invalid_name) and files nothing', async (_what, name) => {
    const err = (await fileRequest({ type: 'access', email: 'a@example.com', name }, ctx).catch((e: unknown) => e)) as RequestError;

    expect([err.status, err.code]).toEqual([400, 'invalid_name']);
    expect(ctx.memory.requests.size).toBe(0);
  });

  it.each(['Alice Example', 'J.R.R. Tolkien', "Siobhán O'Brien-Ó Dálaigh", 'Zoë 李 Müller', 'a'.repeat(200)])('accepts an ordinary name: %s', async (name) => {
    const answer = await fileRequest({ type: 'access', email: 'a@example.com', name }, ctx);

    expect(ctx.memory.stored(answer.requestId).subject.name).toBe(name);
  });

  it('refuses a locale longer than 35 characters', async () => {
    const err = (await fileRequest({ type: 'access', email: 'a@example.com', locale: `en-${'abcdefgh-'.repeat(4)}x` }, ctx).catch((e: unknown) => e)) as RequestError;

    expect([err.status, err.code]).toEqual([400, 'invalid_locale']);
  });
});

describe('duplicates and the subject lock', () => {
  it('gives a duplicate a decoy code shaped like a new request\'s, which no code matches', async () => {
    const first = await fileRequest({ type: 'access', email: 'alice@example.com' }, ctx);
    const second = await fileRequest({ type: 'access', email: 'alice@example.com' }, ctx);

    const v = ctx.memory.stored(second.requestId).verification!;
    expect(ctx.memory.stored(second.requestId).duplicateOf).toBe(first.requestId);
    expect(v).toMatchObject({ scheme: 'hmac-sha256', attempts: 0, codesSent: 1, codeHash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(ctx.mail.sent).toHaveLength(0);
  });

  it('takes the lock over from a closed holder, so the next filing opens a request', async () => {
    const first = await fileRequest({ type: 'erasure', email: 'alice@example.com' }, ctx);
    await ctx.memory.update(first.requestId, { status: 'cancelled' });

    const again = await fileRequest({ type: 'erasure', email: 'alice@example.com' }, ctx);

    expect(ctx.memory.stored(again.requestId).status).toBe('awaiting_verification');
    expect([...ctx.memory.locks.values()].map((l) => l.requestId)).toEqual([again.requestId]);
  });

  it('counts an open request filed before the lock existed, and hands it the lock', async () => {
    const legacy = await fileRequest({ type: 'access', email: 'alice@example.com' }, ctx);
    ctx.memory.locks.clear();

    const again = await fileRequest({ type: 'access', email: 'alice@example.com' }, ctx);

    expect(ctx.memory.stored(again.requestId)).toMatchObject({ status: 'duplicate', duplicateOf: legacy.requestId });
    expect([...ctx.memory.locks.values()].map((l) => l.requestId)).toEqual([legacy.requestId]);
  });

  it('treats a holder that is being filed right now as open, and one never stored after a minute as abandoned', async () => {
    const hash = subjectHash('alice@example.com');
    await ctx.memory.claimSubjectLock('access', hash, 'dsar_inflight0000000001', ctx.clock.now().toISOString());

    const meanwhile = await fileRequest({ type: 'access', email: 'alice@example.com' }, ctx);
    ctx.fixedClock.advance(61_000);
    const later = await fileRequest({ type: 'access', email: 'alice@example.com' }, ctx);

    expect(ctx.memory.stored(meanwhile.requestId)).toMatchObject({ status: 'duplicate', duplicateOf: 'dsar_inflight0000000001' });
    expect(ctx.memory.stored(later.requestId).status).toBe('awaiting_verification');
  });
});

describe('fileRequestOnce (Idempotency-Key)', () => {
  it('answers the first request\'s id for the same key and body, and 422 for another body without touching the mapping', async () => {
    const body = { type: 'access' as const, email: 'alice@example.com' };
    const first = await fileRequestOnce(body, ctx, 'K');

    const other = (await fileRequestOnce({ ...body, type: 'erasure' }, ctx, 'K').catch((e: unknown) => e)) as RequestError;
    const again = await fileRequestOnce(body, ctx, 'K');

    expect([other.status, other.code]).toEqual([422, 'idempotency_key_reused']);
    expect(again).toEqual(first);
    expect(ctx.memory.requests.size).toBe(1);
  });

  it('finishes the filing under the mapped id when the first call died after writing the mapping', async () => {
    const body = { type: 'access' as const, email: 'alice@example.com' };
    const key = 'K2';
    // The first call wrote the mapping and crashed before the request: simulate by claiming the key only.
    const { createHash } = await import('node:crypto');
    const bodyHash = createHash('sha256').update(JSON.stringify(Object.entries(body).sort(([a], [b]) => a.localeCompare(b)))).digest('hex');
    await ctx.memory.claimIdempotencyKey(createHash('sha256').update(`idempotency:${key}`).digest('hex'), bodyHash, 'dsar_mapped00000000001', NOW.toISOString());

    const answer = await fileRequestOnce(body, ctx, key);

    expect(answer.requestId).toBe('dsar_mapped00000000001');
    expect(ctx.memory.stored('dsar_mapped00000000001').status).toBe('awaiting_verification');
  });

  it('writes no mapping for a body intake refuses: a lure name, or a law the deadline rules cannot serve', async () => {
    await fileRequestOnce({ type: 'access', email: 'a@example.com', name: 'see evil.example' }, ctx, 'K3').catch(() => undefined);
    const choosing = choosingCtx();
    const err = (await fileRequestOnce({ type: 'access', email: 'a@example.com', jurisdiction: 'CCPA', country: 'NO' }, choosing, 'K4').catch((e: unknown) => e)) as RequestError;

    expect(ctx.memory.idempotency.size).toBe(0);
    expect([err.status, err.code]).toEqual([400, 'invalid_jurisdiction']);
    expect(choosing.memory.idempotency.size).toBe(0);
  });
});

it('starts the workflow with the request id as the execution name (so starting twice is a no-op)', async () => {
  const arn = await startWorkflow(ctx, 'dsar_abc12345');

  expect(arn).toMatch(/dsar_abc12345$/);
  expect(sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input).toMatchObject({
    stateMachineArn: ctx.stateMachineArn(),
    name: 'dsar_abc12345',
  });
});
