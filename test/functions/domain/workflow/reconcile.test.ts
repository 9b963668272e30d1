import { beforeEach, describe, expect, it } from 'vitest';
import { describeFailure, reconcile } from '#domain/workflow/reconcile';
import { planConnectors } from '#domain/workflow/plan';
import type { ConnectorRegistry } from '#connectors/registry';
import { REQUEST_ID, requestRecord, testContext, type TestContext } from '../../../support/in-memory-context.ts';

let ctx: TestContext;

const lambdaCause = JSON.stringify({ errorType: 'ConnectorUnavailable', errorMessage: 'calls: 503 Service Unavailable', trace: ['at x'] });

beforeEach(async () => {
  ctx = testContext();
  await ctx.memory.create(requestRecord({ status: 'in_progress' }));
  await planConnectors(ctx, {} as ConnectorRegistry, REQUEST_ID);
});

const succeeded = (connectorId: string) => ({
  connectorId,
  status: 'succeeded' as const,
  records: 2,
  objects: { thing: 2 },
  stagingKeys: { thing: `staging/${REQUEST_ID}/${connectorId}/thing.jsonl` },
});

describe('reconcile', () => {
  it('records successes with counts and keys, and reports no failures when every planned connector succeeded', async () => {
    const ids = Object.keys(ctx.memory.stored().connectors!);

    const out = await reconcile(ctx, REQUEST_ID, ids.map(succeeded));

    expect(out).toEqual({ hasFailures: false, failed: [] });
    expect(ctx.memory.stored().connectors!.accounts).toMatchObject({ status: 'succeeded', records: 2, stagingKeys: { thing: expect.stringContaining('accounts') }, attempts: 1 });
    expect(ctx.memory.actions().filter((a) => a === 'connector.succeeded')).toHaveLength(ids.length);
  });

  it('records a failure from the Catch shape {Error, Cause} with the Lambda errorMessage, and asks for staff', async () => {
    const ids = Object.keys(ctx.memory.stored().connectors!).filter((id) => id !== 'calls');

    const out = await reconcile(ctx, REQUEST_ID, [
      ...ids.map(succeeded),
      { connectorId: 'calls', status: 'failed', error: { Error: 'ConnectorUnavailable', Cause: lambdaCause } },
    ]);

    expect(out).toEqual({ hasFailures: true, failed: ['calls'] });
    expect(ctx.memory.stored().connectors!.calls).toMatchObject({
      status: 'failed',
      records: 0,
      error: { type: 'ConnectorUnavailable', message: 'calls: 503 Service Unavailable' },
    });
    expect(ctx.memory.events.find((e) => e.action === 'connector.failed')?.detail).toEqual({
      connectorId: 'calls',
      error: { type: 'ConnectorUnavailable', message: 'calls: 503 Service Unavailable' },
    });
  });

  it('counts a planned connector with no result as missing', async () => {
    const out = await reconcile(ctx, REQUEST_ID, [succeeded('accounts')]);

    expect(out.hasFailures).toBe(true);
    expect(out.failed).toContain('calls');
    expect(out.failed).not.toContain('accounts');
  });
});

describe('describeFailure', () => {
  it('keeps a cause that is not JSON as it is, and names an unnamed error Error', () => {
    expect(describeFailure({ Cause: 'States.Timeout after 900s' })).toEqual({ type: 'Error', message: 'States.Timeout after 900s' });
  });

  it('cuts a long message to 1000 characters', () => {
    expect(describeFailure({ Error: 'X', Cause: 'y'.repeat(5000) }).message).toHaveLength(1000);
  });
});
