import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { RequestError } from '#commons/errors';
import { subjectHash } from '#commons/tokens';
import { fileRequest, startWorkflow } from '#domain/requests/intake';
import { exampleConfig, testContext, type TestContext } from './support.ts';

const sfn = mockClient(SFNClient);
let ctx: TestContext;

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

    expect(answer).toEqual({ requestId: expect.stringMatching(/^dsar_[a-z0-9]+$/), status: 'received' });
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
    expect(stored.executionArn).toContain(answer.requestId);
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
    const answer = await fileRequest({ type: 'access', email: 'a@example.com', jurisdiction }, ctx);

    expect(ctx.memory.stored(answer.requestId)).toMatchObject({ jurisdiction, country, receivedDate: '2026-03-02', dueDate });
    expect(ctx.memory.events.find((e) => e.action === 'request.filed')?.detail).toEqual({ type: 'access', jurisdiction, country });
  });

  it('counts a GDPR request without a country in the configured default country', async () => {
    const answer = await fileRequest({ type: 'access', email: 'a@example.com', jurisdiction: 'GDPR' }, ctx);

    expect(ctx.memory.stored(answer.requestId)).toMatchObject({ jurisdiction: 'GDPR', country: 'NO' });
  });

  it('keeps the configured default country when it fits the chosen law', async () => {
    const config = exampleConfig();
    config.jurisdictions.defaultCountry = 'US';
    const usCtx = testContext(config);

    const answer = await fileRequest({ type: 'access', email: 'a@example.com', jurisdiction: 'CPA' }, usCtx);

    expect(usCtx.memory.stored(answer.requestId)).toMatchObject({ jurisdiction: 'CPA', country: 'US' });
  });

  it('rejects a jurisdiction the deadline rules cannot serve with 400', async () => {
    const err = await fileRequest({ type: 'access', email: 'a@example.com', jurisdiction: 'CCPA', country: 'NO' }, ctx).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(RequestError);
    expect((err as RequestError).status).toBe(400);
    expect(ctx.memory.requests.size).toBe(0);
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
