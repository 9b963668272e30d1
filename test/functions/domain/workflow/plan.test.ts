import { beforeEach, describe, expect, it } from 'vitest';
import { enabledConnectors } from '#commons/config';
import { approveAutomatically, planConnectors } from '#domain/workflow/plan';
import { REQUEST_ID, requestRecord, testContext, type TestContext } from '../requests/support.ts';

let ctx: TestContext;
let enabled: string[];

beforeEach(async () => {
  ctx = testContext();
  enabled = enabledConnectors(ctx.config).map((c) => c.id);
  await ctx.memory.create(requestRecord({ status: 'in_progress' }));
});

describe('planConnectors', () => {
  it('plans every enabled connector the first time, as small descriptors, and marks them pending', async () => {
    const plan = await planConnectors(ctx, REQUEST_ID);

    expect(plan.connectors).toEqual(enabled.map((connectorId) => ({ requestId: REQUEST_ID, connectorId })));
    const outcomes = ctx.memory.stored().connectors!;
    expect(Object.keys(outcomes).sort()).toEqual([...enabled].sort());
    expect(Object.values(outcomes).every((o) => o.status === 'pending' && o.attempts === 1)).toBe(true);
    expect(ctx.memory.events.at(-1)).toMatchObject({ action: 'connectors.planned', detail: { connectors: enabled } });
  });

  it('skips a disabled connector', async () => {
    ctx.config.connectors[1]!.enabled = false;

    const plan = await planConnectors(ctx, REQUEST_ID);

    expect(plan.connectors.map((c) => c.connectorId)).not.toContain(ctx.config.connectors[1]!.id);
  });

  it('plans only the connectors marked pending again after a retry, counting the attempt', async () => {
    await planConnectors(ctx, REQUEST_ID);
    const connectors = structuredClone(ctx.memory.stored().connectors!);
    for (const o of Object.values(connectors)) o.status = 'succeeded';
    connectors.calls!.status = 'pending';
    await ctx.memory.update(REQUEST_ID, { connectors });

    const plan = await planConnectors(ctx, REQUEST_ID);

    expect(plan.connectors).toEqual([{ requestId: REQUEST_ID, connectorId: 'calls' }]);
    expect(ctx.memory.stored().connectors!.calls!.attempts).toBe(2);
    expect(ctx.memory.stored().connectors!.accounts!.status).toBe('succeeded');
  });
});

it('approves automatically as the system, on record', async () => {
  const decision = await approveAutomatically(ctx, REQUEST_ID);

  expect(decision).toMatchObject({ outcome: 'approved', by: 'system', reason: 'auto-approval policy' });
  expect(ctx.memory.stored().decision?.outcome).toBe('approved');
  expect(ctx.memory.events.at(-1)).toMatchObject({ actor: 'system', action: 'review.approved', detail: { policy: 'auto' } });
});
