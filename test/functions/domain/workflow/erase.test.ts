import { beforeEach, describe, expect, it } from 'vitest';
import { ConnectorThrottled } from '#connectors/errors';
import type { ConnectorRegistry } from '#connectors/registry';
import type { Connector, ErasureItem, PolicyFor, Subject } from '#connectors/types';
import { eraseWithConnector } from '#domain/workflow/erase';
import { subjectOf } from '#domain/workflow/collect';
import { REQUEST_ID, exampleConfig, requestRecord, testContext, verificationFor, type TestContext } from '../requests/support.ts';

let ctx: TestContext;
let calls: Array<{ connectorId: string; subject: Subject; policy: PolicyFor; requestId: string }>;

/** A fake connector whose erase records what it was given and answers with `items`. */
function registryErasing(items: ErasureItem[]): ConnectorRegistry {
  return {
    get: (connectorId: string) =>
      ({
        id: connectorId,
        async *access() {},
        async erase(subject: Subject, policy: PolicyFor, c: { requestId: string }) {
          calls.push({ connectorId, subject, policy, requestId: c.requestId });
          return { connectorId, items };
        },
      }) as unknown as Connector,
  } as unknown as ConnectorRegistry;
}

const verifiedAndApproved = {
  type: 'erasure' as const,
  status: 'in_progress' as const,
  verification: verificationFor(REQUEST_ID, '123456', { verifiedAt: '2026-03-02T10:05:00.000Z' }),
  decision: { outcome: 'approved' as const, by: 'dana', at: '2026-03-02T11:00:00.000Z' },
};

beforeEach(() => {
  ctx = testContext();
  calls = [];
});

describe('eraseWithConnector', () => {
  it.each([
    ['not verified', { ...verifiedAndApproved, verification: verificationFor(REQUEST_ID, '123456') }],
    ['not approved', { ...verifiedAndApproved, decision: undefined }],
    ['denied', { ...verifiedAndApproved, decision: { outcome: 'denied' as const, by: 'dana', at: 'x' } }],
  ])('refuses to erase for a request that is %s, without calling the connector', async (_what, overrides) => {
    // Prepare
    await ctx.memory.create(requestRecord(overrides));

    // Act
    const result = eraseWithConnector(ctx, registryErasing([]), REQUEST_ID, 'accounts');

    // Assess
    await expect(result).rejects.toThrow(/refusing to touch connectors/);
    expect(calls).toHaveLength(0);
  });

  it.each(['access', 'portability'] as const)('refuses to erase for an approved %s request', async (type) => {
    await ctx.memory.create(requestRecord({ ...verifiedAndApproved, type }));

    await expect(eraseWithConnector(ctx, registryErasing([]), REQUEST_ID, 'accounts')).rejects.toThrow(/not an erasure/);
    expect(calls).toHaveLength(0);
  });

  it('refuses a connector that is not enabled', async () => {
    const config = exampleConfig();
    config.connectors.find((c) => c.id === 'hubspot')!.enabled = false;
    ctx = testContext(config);
    await ctx.memory.create(requestRecord(verifiedAndApproved));

    await expect(eraseWithConnector(ctx, registryErasing([]), REQUEST_ID, 'hubspot')).rejects.toThrow(/not enabled/);
    expect(calls).toHaveLength(0);
  });

  it('passes each object’s own policy from the configuration, and the connector default for the rest', async () => {
    await ctx.memory.create(requestRecord(verifiedAndApproved));

    await eraseWithConnector(ctx, registryErasing([]), REQUEST_ID, 'stripe');

    const policy = calls[0]!.policy;
    expect(policy('charges')).toEqual({
      action: 'retain',
      legalBasis: expect.stringContaining('Bookkeeping Act') as string,
      retentionPeriod: '5 years after the end of the financial year',
    });
    expect(policy('invoices').action).toBe('retain');
    expect(policy('payment_methods')).toEqual({ action: 'delete' });
  });

  it('prefers an object’s policy over a connector default that differs', async () => {
    const config = exampleConfig();
    const hubspot = config.connectors.find((c) => c.id === 'hubspot')!;
    hubspot.erasure = { action: 'anonymize', fields: { email: 'hash' } };
    hubspot.objects = { ...hubspot.objects, contacts: { ...hubspot.objects.contacts!, erasure: { action: 'delete' } } };
    ctx = testContext(config);
    await ctx.memory.create(requestRecord(verifiedAndApproved));

    await eraseWithConnector(ctx, registryErasing([]), REQUEST_ID, 'hubspot');

    expect(calls[0]!.policy('contacts')).toEqual({ action: 'delete' });
    expect(calls[0]!.policy('deals')).toEqual({ action: 'anonymize', fields: { email: 'hash' } });
  });

  it('erases as the request’s subject, with the identifiers resolved before, and the request id', async () => {
    const identifiers = { accounts: { accountId: ['acc-1'], gaUserId: ['ga-1'] } };
    await ctx.memory.create(requestRecord({ ...verifiedAndApproved, identifiers }));

    await eraseWithConnector(ctx, registryErasing([]), REQUEST_ID, 'calls');

    expect(calls[0]).toMatchObject({ connectorId: 'calls', requestId: REQUEST_ID });
    expect(calls[0]!.subject).toEqual(subjectOf(ctx.memory.stored()));
    expect(calls[0]!.subject.identifiers).toEqual(identifiers);
  });

  it('sums the counts per object and returns the connector’s items as they came', async () => {
    await ctx.memory.create(requestRecord(verifiedAndApproved));
    const items: ErasureItem[] = [
      { object: 'Contact', action: 'deleted', count: 2 },
      { object: 'Contact', action: 'anonymized', count: 1 },
      { object: 'Lead', action: 'not_found', count: 0 },
      { object: 'Account', action: 'retained', count: 1, legalBasis: 'customer record', retentionPeriod: 'while the relationship lasts' },
    ];

    const result = await eraseWithConnector(ctx, registryErasing(items), REQUEST_ID, 'salesforce');

    expect(result).toEqual({
      connectorId: 'salesforce',
      status: 'succeeded',
      records: 4,
      objects: { Contact: 3, Lead: 0, Account: 1 },
      stagingKeys: {},
      erasure: items,
    });
  });

  it('changes nothing on the request itself (the reconcile step records the outcome)', async () => {
    await ctx.memory.create(requestRecord(verifiedAndApproved));

    await eraseWithConnector(ctx, registryErasing([{ object: 'account', action: 'deleted', count: 1 }]), REQUEST_ID, 'accounts');

    expect(ctx.memory.updates).toHaveLength(0);
  });
});

describe('eraseWithConnector, when the vendor throttles with a hint', () => {
  function throttling(retryAfterMs: number | undefined): ConnectorRegistry {
    return {
      get: () =>
        ({
          id: 'salesforce',
          async *access() {},
          async erase() {
            throw new ConnectorThrottled('salesforce', 'DELETE Contact answered 403: throttled', retryAfterMs);
          },
        }) as unknown as Connector,
    } as unknown as ConnectorRegistry;
  }

  it('returns throttled for the Map to wait, and records the wait on the audit trail', async () => {
    await ctx.memory.create(requestRecord(verifiedAndApproved));

    const result = await eraseWithConnector(ctx, throttling(600_000), REQUEST_ID, 'salesforce', { throttleWaits: 1, waitedSeconds: 600 });

    expect(result).toEqual({ connectorId: 'salesforce', status: 'throttled', waitSeconds: 600, throttleWaits: 2, waitedSeconds: 1200 });
    expect(ctx.memory.events.filter((e) => e.action === 'connector.throttled').map((e) => e.detail)).toEqual([
      { connectorId: 'salesforce', waitSeconds: 600, throttleWaits: 2 },
    ]);
  });

  it('rethrows past the day of waiting, and leaves hintless throttling to the Retry', async () => {
    await ctx.memory.create(requestRecord(verifiedAndApproved));

    const spent = await eraseWithConnector(ctx, throttling(600_000), REQUEST_ID, 'salesforce', { waitedSeconds: 86_000 }).catch((e: unknown) => e);
    const hintless = await eraseWithConnector(ctx, throttling(undefined), REQUEST_ID, 'salesforce').catch((e: unknown) => e);

    expect([(spent as Error).name, (hintless as Error).name]).toEqual(['ConnectorThrottled', 'ConnectorThrottled']);
    expect(ctx.memory.events.filter((e) => e.action === 'connector.throttled')).toEqual([]);
  });
});
