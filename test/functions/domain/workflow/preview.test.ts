import { beforeEach, describe, expect, it } from 'vitest';
import { enabledConnectors } from '#commons/config';
import type { ConnectorRegistry } from '#connectors/registry';
import { ConnectorAuthFailed, ConnectorThrottled } from '#connectors/errors';
import type { Connector, DataRecord, Subject } from '#connectors/types';
import { previewCounts } from '#domain/workflow/preview';
import { REQUEST_ID, requestRecord, testContext, verificationFor, type TestContext } from '../../../support/in-memory-context.ts';

let ctx: TestContext;
const verified = {
  status: 'awaiting_review' as const,
  verification: verificationFor(REQUEST_ID, '123456', { verifiedAt: '2026-03-02T10:05:00.000Z' }),
};
const record = (object: string, id: string): DataRecord => ({ object, id, data: { email: 'alice@example.com' } });

/** Each connector's access, by id; an id without one yields nothing. Counts how often each was asked. */
function registryOf(behaviour: Record<string, (signal: AbortSignal) => AsyncGenerator<DataRecord>>, asked: Record<string, number> = {}): ConnectorRegistry {
  return {
    get: (id: string) =>
      ({
        id,
        access(_subject: Subject, c: { signal: AbortSignal }) {
          asked[id] = (asked[id] ?? 0) + 1;
          return (behaviour[id] ?? (async function* () {}))(c.signal);
        },
      }) as unknown as Connector,
  } as unknown as ConnectorRegistry;
}
const noPause = { sleep: async () => {} };

beforeEach(async () => {
  ctx = testContext();
  await ctx.memory.create(requestRecord(verified));
});

describe('previewCounts', () => {
  it('counts with every enabled connector in one step and stores the counts once, with one audit event', async () => {
    const registry = registryOf({
      stripe: async function* () {
        yield record('charges', 'ch_1');
        yield record('customers', 'cus_1');
      },
    });

    const out = await previewCounts(ctx, registry, REQUEST_ID, noPause);

    expect(out).toEqual({ recorded: true, records: 2, failed: [] });
    const stored = (await ctx.memory.preview(REQUEST_ID))!;
    expect(Object.keys(stored.connectors).sort()).toEqual(enabledConnectors(ctx.config).map((c) => c.id).sort());
    expect(stored.connectors.stripe).toEqual({ status: 'counted', records: 2, objects: { charges: 1, customers: 1 } });
    expect(ctx.memory.events.map((e) => e.action)).toEqual(['preview.counted']);
  });

  it('counts the connectors concurrently: a slow one does not wait for the others to finish', async () => {
    const order: string[] = [];
    let releaseSlow!: () => void;
    const slowMayFinish = new Promise<void>((r) => (releaseSlow = r));
    const registry = registryOf({
      salesforce: async function* () {
        order.push('salesforce started');
        await slowMayFinish;
        order.push('salesforce finished');
      },
      stripe: async function* () {
        order.push('stripe counted');
        releaseSlow();
      },
    });

    await previewCounts(ctx, registry, REQUEST_ID, noPause);

    expect(order.indexOf('stripe counted')).toBeLessThan(order.indexOf('salesforce finished'));
  });

  it('records a connector that fails as could not count with its error type, and one that ignores its budget as TimeoutError, without holding up the others', async () => {
    const registry = registryOf({
      stripe: async function* () {
        throw new ConnectorAuthFailed('stripe', 'bad key for alice@example.com');
      },
      // Never ends and never looks at the abort signal.
      salesforce: async function* () {
        await new Promise(() => {});
      },
      accounts: async function* () {
        yield record('account', 'a1');
      },
    });

    const out = await previewCounts(ctx, registry, REQUEST_ID, { ...noPause, budgetMs: 20 });

    expect(out).toEqual({ recorded: true, records: 1, failed: expect.arrayContaining(['stripe', 'salesforce']) });
    const stored = (await ctx.memory.preview(REQUEST_ID))!;
    expect(stored.connectors.stripe).toEqual({ status: 'failed', error: 'ConnectorAuthFailed' });
    expect(stored.connectors.salesforce).toEqual({ status: 'failed', error: 'TimeoutError' });
    expect(stored.connectors.accounts).toMatchObject({ status: 'counted', records: 1 });
    expect(JSON.stringify(stored)).not.toContain('alice');
  });

  it('asks a throttled vendor again with backoff, as the Map did, and counts when it answers', async () => {
    const asked: Record<string, number> = {};
    const pauses: number[] = [];
    const registry = registryOf(
      {
        stripe: async function* () {
          if (asked.stripe! < 3) throw new ConnectorThrottled('stripe', '429');
          yield record('charges', 'ch_1');
        },
      },
      asked,
    );

    await previewCounts(ctx, registry, REQUEST_ID, { retryDelaysMs: [2_000, 4_000], sleep: async (ms) => void pauses.push(ms) });

    expect(asked.stripe).toBe(3);
    expect(pauses).toHaveLength(2);
    expect(pauses[0]).toBeLessThanOrEqual(2_000);
    expect(pauses[1]).toBeLessThanOrEqual(4_000);
    expect((await ctx.memory.preview(REQUEST_ID))!.connectors.stripe).toMatchObject({ status: 'counted', records: 1 });
  });

  it('gives up on a vendor still throttled after the retries, as could not count', async () => {
    const asked: Record<string, number> = {};
    const registry = registryOf({ stripe: async function* () { throw new ConnectorThrottled('stripe', '429'); } }, asked);

    await previewCounts(ctx, registry, REQUEST_ID, { ...noPause, retryDelaysMs: [1, 1] });

    expect(asked.stripe).toBe(3);
    expect((await ctx.memory.preview(REQUEST_ID))!.connectors.stripe).toEqual({ status: 'failed', error: 'ConnectorThrottled' });
  });

  it('asks no connector and stores nothing for a request cancelled meanwhile', async () => {
    await ctx.memory.update(REQUEST_ID, { status: 'cancelled' });
    const asked: Record<string, number> = {};

    const out = await previewCounts(ctx, registryOf({}, asked), REQUEST_ID, noPause);

    expect(out).toMatchObject({ recorded: false });
    expect(asked).toEqual({});
    expect(await ctx.memory.preview(REQUEST_ID)).toBeUndefined();
  });

  it('refuses a request nobody verified, asking no connector', async () => {
    ctx = testContext();
    await ctx.memory.create(requestRecord({ status: 'awaiting_verification' }));
    const asked: Record<string, number> = {};

    await expect(previewCounts(ctx, registryOf({}, asked), REQUEST_ID, noPause)).rejects.toThrow(/not verified/);
    expect(asked).toEqual({});
  });
});
