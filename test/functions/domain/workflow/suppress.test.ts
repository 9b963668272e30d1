import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ConnectorThrottled } from '#connectors/errors';
import type { ConnectorRegistry } from '#connectors/registry';
import type { Connector, MarketingStatus, Subject, SuppressionItem } from '#connectors/types';
import { actWithConnector } from '#domain/workflow/act';
import { suppressWithConnector } from '#domain/workflow/suppress';
import { REQUEST_ID, requestRecord, testContext, verificationFor, type TestContext } from '../../../support/in-memory-context.ts';

let ctx: TestContext;
let calls: string[];

/** A fake connector that markets: `suppress` answers `items`, and the read-back answers `status`. */
function registryMarketing(items: SuppressionItem[], status: MarketingStatus[] | (() => never)): ConnectorRegistry {
  return {
    get: (connectorId: string) =>
      ({
        id: connectorId,
        async *access() {},
        async erase() {
          calls.push(`erase:${connectorId}`);
          return { connectorId, items: [] };
        },
        marketing: {
          async suppress(subject: Subject) {
            calls.push(`suppress:${connectorId}:${subject.normalizedEmail}`);
            return items;
          },
          async status() {
            calls.push(`status:${connectorId}`);
            return typeof status === 'function' ? status() : status;
          },
        },
      }) as unknown as Connector,
  } as unknown as ConnectorRegistry;
}

/** A connector without the capability (a system that does not market). */
const registryWithout = {
  get: (connectorId: string) => ({ id: connectorId, async *access() {}, async erase() { calls.push(`erase:${connectorId}`); return { connectorId, items: [] }; } }) as unknown as Connector,
} as unknown as ConnectorRegistry;

const optOut = {
  type: 'marketing_opt_out' as const,
  status: 'in_progress' as const,
  verification: verificationFor(REQUEST_ID, '123456', { verifiedAt: '2026-03-02T10:05:00.000Z' }),
  decision: { outcome: 'approved' as const, by: 'system', at: '2026-03-02T10:05:01.000Z' },
};

beforeEach(() => {
  ctx = testContext();
  calls = [];
});

describe('suppressWithConnector', () => {
  it('suppresses, reads back, and records what it did with the time the read-back confirmed it', async () => {
    await ctx.memory.create(requestRecord(optOut));

    const result = await suppressWithConnector(ctx, registryMarketing([{ object: 'Contact', suppressed: 1 }, { object: 'Individual', suppressed: 1 }], [{ object: 'Contact', optedOut: 1, allowed: 0 }]), REQUEST_ID, 'salesforce');

    expect(calls).toEqual(['suppress:salesforce:alice@example.com', 'status:salesforce']);
    expect(result).toEqual({
      connectorId: 'salesforce',
      status: 'succeeded',
      records: 2,
      objects: { Contact: 1, Individual: 1 },
      stagingKeys: {},
      suppression: { applies: true, items: [{ object: 'Contact', suppressed: 1 }, { object: 'Individual', suppressed: 1 }], confirmedAt: ctx.clock.now().toISOString() },
    });
  });

  it('notes on the suppression list, per system that holds the subject, since when marketing there stopped', async () => {
    await ctx.memory.create(requestRecord(optOut));
    const hash = ctx.memory.stored().subjectHash;

    await suppressWithConnector(ctx, registryMarketing([{ object: 'Contact', suppressed: 1 }], [{ object: 'Contact', optedOut: 1, allowed: 0 }]), REQUEST_ID, 'salesforce');
    await suppressWithConnector(ctx, registryMarketing([], []), REQUEST_ID, 'hubspot');

    expect((await ctx.suppressions.get(hash))!.systems).toEqual({ salesforce: ctx.clock.now().toISOString() });
  });

  it('fails for staff when the read-back still finds a record open to marketing', async () => {
    await ctx.memory.create(requestRecord(optOut));

    const run = suppressWithConnector(ctx, registryMarketing([{ object: 'subscription_preferences', suppressed: 2 }], [{ object: 'subscription_preferences', optedOut: 1, allowed: 1 }]), REQUEST_ID, 'hubspot');

    await expect(run).rejects.toMatchObject({ name: 'SuppressionNotConfirmed', message: expect.stringContaining('subscription_preferences (1 of 2)') });
  });

  it('acts for an opt-out whose code was waived: stopping marketing reads nothing out', async () => {
    await ctx.memory.create(requestRecord({ ...optOut, verification: undefined, verificationWaived: { reason: 'configuration', at: '2026-03-02T10:05:00.000Z' } }));

    const result = await suppressWithConnector(ctx, registryMarketing([{ object: 'Contact', suppressed: 1 }], [{ object: 'Contact', optedOut: 1, allowed: 0 }]), REQUEST_ID, 'salesforce');

    expect(calls).toEqual(['suppress:salesforce:alice@example.com', 'status:salesforce']);
    expect(result).toMatchObject({ status: 'succeeded', records: 1 });
  });

  it('refuses an opt-out that is neither verified nor waived', async () => {
    await ctx.memory.create(requestRecord({ ...optOut, verification: undefined }));

    await expect(suppressWithConnector(ctx, registryMarketing([], []), REQUEST_ID, 'salesforce')).rejects.toThrow(/refusing to touch connectors/);
    expect(calls).toEqual([]);
  });

  it('records a system that does not market as not applicable, without touching it', async () => {
    await ctx.memory.create(requestRecord(optOut));

    const result = await suppressWithConnector(ctx, registryWithout, REQUEST_ID, 'stripe');

    expect(result).toMatchObject({ status: 'succeeded', records: 0, suppression: { applies: false, items: [] } });
    expect(calls).toEqual([]);
  });

  it('hands a vendor’s long throttling hint to the workflow to wait out', async () => {
    await ctx.memory.create(requestRecord(optOut));

    const result = await suppressWithConnector(ctx, registryMarketing([], () => { throw new ConnectorThrottled('hubspot', 'daily limit', 3_600_000); }), REQUEST_ID, 'hubspot');

    expect(result).toMatchObject({ status: 'throttled', connectorId: 'hubspot' });
  });

  it.each([
    ['not verified', { ...optOut, verification: verificationFor(REQUEST_ID, '123456') }],
    ['an erasure', { ...optOut, type: 'erasure' as const }],
  ])('refuses a request that is %s, without calling the connector', async (_what, overrides) => {
    await ctx.memory.create(requestRecord(overrides));

    await expect(suppressWithConnector(ctx, registryMarketing([], []), REQUEST_ID, 'hubspot')).rejects.toThrow(/refusing/);
    expect(calls).toEqual([]);
  });
});

describe('actWithConnector', () => {
  it('suppresses for a marketing opt-out and erases for an erasure, by the stored type', async () => {
    await ctx.memory.create(requestRecord(optOut));
    await actWithConnector(ctx, registryMarketing([], []), REQUEST_ID, 'hubspot');
    expect(calls).toEqual(['suppress:hubspot:alice@example.com', 'status:hubspot']);

    ctx = testContext();
    calls = [];
    await ctx.memory.create(requestRecord({ ...optOut, type: 'erasure' }));
    await actWithConnector(ctx, registryMarketing([], []), REQUEST_ID, 'hubspot');
    expect(calls).toEqual(['erase:hubspot']);
  });

  it.each(['access', 'portability'] as const)('does nothing to any system for an approved %s request', async (type) => {
    await ctx.memory.create(requestRecord({ ...optOut, type }));

    await expect(actWithConnector(ctx, registryMarketing([], []), REQUEST_ID, 'hubspot')).rejects.toThrow(/nothing to act on/);
    expect(calls).toEqual([]);
  });

  it('reads the request once: the act case checks the record the dispatch read', async () => {
    await ctx.memory.create(requestRecord(optOut));
    const get = vi.spyOn(ctx.repo, 'get');

    await actWithConnector(ctx, registryMarketing([], []), REQUEST_ID, 'hubspot');

    expect(get).toHaveBeenCalledTimes(1);
    expect(calls).toEqual(['suppress:hubspot:alice@example.com', 'status:hubspot']);
  });
});
