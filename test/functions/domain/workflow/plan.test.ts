import { beforeEach, describe, expect, it } from 'vitest';
import { enabledConnectors } from '#commons/config';
import type { ConnectorRegistry } from '#connectors/registry';
import { approveAutomatically } from '#domain/workflow/approve';
import { planConnectors, withWorkers } from '#domain/workflow/plan';
import { REQUEST_ID, requestRecord, testContext, type TestContext } from '../../../support/in-memory-context.ts';

let ctx: TestContext;
let enabled: string[];
/** Records which identifiers were asked for; access requests must not ask for any. */
const asked: string[] = [];
const registry = {
  identifier: async (_subject: unknown, connectorId: string, attribute: string) => {
    asked.push(`${connectorId}.${attribute}`);
    return [`${attribute}-value`];
  },
} as unknown as ConnectorRegistry;

beforeEach(async () => {
  ctx = testContext();
  enabled = enabledConnectors(ctx.config).map((c) => c.id);
  await ctx.memory.create(requestRecord({ status: 'in_progress' }));
  asked.length = 0;
});

describe('planConnectors', () => {
  it('plans an erasure as erase runs, after resolving once the identifiers other systems are found by', async () => {
    await ctx.memory.update(REQUEST_ID, { type: 'erasure' });

    const plan = await planConnectors(ctx, registry, REQUEST_ID);
    await ctx.memory.update(REQUEST_ID, { connectors: { ...ctx.memory.stored().connectors, calls: { ...ctx.memory.stored().connectors!.calls!, status: 'pending' } } });
    await planConnectors(ctx, registry, REQUEST_ID);

    expect(plan.connectors.every((c) => c.mode === 'erase')).toBe(true);
    expect(asked).toEqual(['accounts.accountId', 'accounts.gaUserId', 'accounts.gaClientId']);
    expect(ctx.memory.stored().identifiers).toEqual({ accounts: { accountId: ['accountId-value'], gaUserId: ['gaUserId-value'], gaClientId: ['gaClientId-value'] } });
  });

  it('plans a marketing opt-out as suppress runs on every enabled connector, resolving no identifiers', async () => {
    await ctx.memory.update(REQUEST_ID, { type: 'marketing_opt_out' });

    const plan = await planConnectors(ctx, registry, REQUEST_ID);

    expect(plan.connectors.map((c) => [c.connectorId, c.mode])).toEqual(enabled.map((id) => [id, 'suppress']));
    expect(asked).toEqual([]);
  });

  it('puts the address hash on the suppression list before any system changes, keeping the first time on a retry', async () => {
    await ctx.memory.update(REQUEST_ID, { type: 'marketing_opt_out' });
    const hash = ctx.memory.stored().subjectHash;

    await planConnectors(ctx, registry, REQUEST_ID);
    const first = await ctx.suppressions.get(hash);
    ctx.fixedClock.advance(60_000);
    await planConnectors(ctx, registry, REQUEST_ID);

    expect(first).toEqual({ since: '2026-03-02T10:00:00.000Z', lastRequestId: REQUEST_ID, systems: {} });
    expect((await ctx.suppressions.get(hash))!.since).toBe(first!.since);
    expect(ctx.memory.events.map((e) => e.action)).toContain('suppression.recorded');
  });

  it('puts nothing on the suppression list for other types', async () => {
    await ctx.memory.update(REQUEST_ID, { type: 'erasure' });
    await planConnectors(ctx, registry, REQUEST_ID);

    expect(ctx.suppressions.entries.size).toBe(0);
  });

  it('resolves no identifiers for an access request', async () => {
    await planConnectors(ctx, registry, REQUEST_ID);

    expect(asked).toEqual([]);
    expect(ctx.memory.stored().identifiers).toBeUndefined();
  });

  it('plans every enabled connector the first time, as small descriptors, and marks them pending', async () => {
    const plan = await planConnectors(ctx, registry, REQUEST_ID);

    expect(plan.connectors).toEqual(enabled.map((connectorId) => ({ requestId: REQUEST_ID, connectorId, mode: 'collect' })));
    const outcomes = ctx.memory.stored().connectors!;
    expect(Object.keys(outcomes).sort()).toEqual([...enabled].sort());
    expect(Object.values(outcomes).every((o) => o.status === 'pending' && o.attempts === 1)).toBe(true);
    expect(ctx.memory.events.at(-1)).toMatchObject({ action: 'connectors.planned', detail: { connectors: enabled } });
  });

  it('writes the outcomes only while the request is in progress, without rewriting the status (or its metrics fact)', async () => {
    await planConnectors(ctx, registry, REQUEST_ID);

    expect(ctx.memory.updates).toHaveLength(1);
    expect(ctx.memory.updates[0]).toMatchObject({ onlyIf: ['in_progress'] });
    expect(Object.keys(ctx.memory.updates[0]!.set)).toEqual(['connectors']);
  });

  it('skips a disabled connector', async () => {
    ctx.config.connectors[1]!.enabled = false;

    const plan = await planConnectors(ctx, registry, REQUEST_ID);

    expect(plan.connectors.map((c) => c.connectorId)).not.toContain(ctx.config.connectors[1]!.id);
  });

  it('plans only the connectors marked pending again after a retry, counting the attempt', async () => {
    await planConnectors(ctx, registry, REQUEST_ID);
    const connectors = structuredClone(ctx.memory.stored().connectors!);
    for (const o of Object.values(connectors)) o.status = 'succeeded';
    connectors.calls!.status = 'pending';
    await ctx.memory.update(REQUEST_ID, { connectors });

    const plan = await planConnectors(ctx, registry, REQUEST_ID);

    expect(plan.connectors).toEqual([{ requestId: REQUEST_ID, connectorId: 'calls', mode: 'collect' }]);
    expect(ctx.memory.stored().connectors!.calls!.attempts).toBe(2);
    expect(ctx.memory.stored().connectors!.accounts!.status).toBe('succeeded');
  });
});

describe('withWorkers', () => {
  it('names the collect function for collecting and the act function for every other mode, so the Map needs no routing state', () => {
    const task = (connectorId: string, mode: 'collect' | 'erase' | 'suppress') => ({ requestId: REQUEST_ID, connectorId, mode });
    const plan = { connectors: [task('accounts', 'collect'), task('hubspot', 'erase'), task('stripe', 'suppress')] };

    expect(withWorkers(plan, { collect: 'arn:collect', act: 'arn:act' }).connectors.map((c) => [c.connectorId, c.mode, c.worker])).toEqual([
      ['accounts', 'collect', 'arn:collect'],
      ['hubspot', 'erase', 'arn:act'],
      ['stripe', 'suppress', 'arn:act'],
    ]);
  });
});

it('approves automatically as the system, on record', async () => {
  const decision = await approveAutomatically(ctx, REQUEST_ID);

  expect(decision).toMatchObject({ outcome: 'approved', by: 'system', reason: 'auto-approval policy' });
  expect(ctx.memory.stored().decision?.outcome).toBe('approved');
  expect(ctx.memory.events.at(-1)).toMatchObject({ actor: 'system', action: 'review.approved', detail: { policy: 'auto' } });
});
