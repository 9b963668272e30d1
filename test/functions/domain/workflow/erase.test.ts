import { beforeEach, describe, expect, it } from 'vitest';
import { ConnectorThrottled, ConnectorUnavailable } from '#connectors/errors';
import type { ConnectorRegistry } from '#connectors/registry';
import type { Connector, ConnectorContext, ErasureItem, PolicyFor, Subject } from '#connectors/types';
import { eraseWithConnector, mergeErasureRuns } from '#domain/workflow/erase';
import { subjectOf } from '#domain/workflow/collect';
import { REQUEST_ID, exampleConfig, requestRecord, testContext, verificationFor, type TestContext } from '../../../support/in-memory-context.ts';

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

describe('eraseWithConnector, when a run is cut off and runs again', () => {
  /** A fake connector that runs `runs[n]` on its n-th erase, reporting through the context as it goes. */
  function registryRunning(runs: Array<(ctx: ConnectorContext) => Promise<ErasureItem[]>>): ConnectorRegistry {
    let n = 0;
    return {
      get: (connectorId: string) =>
        ({
          id: connectorId,
          async *access() {},
          async erase(_subject: Subject, _policy: PolicyFor, c: ConnectorContext) {
            return { connectorId, items: await runs[n++]!(c) };
          },
        }) as unknown as Connector,
    } as unknown as ConnectorRegistry;
  }
  const report = async (c: ConnectorContext, items: ErasureItem[]) => {
    for (const item of items) await c.erased!(item);
  };
  const firstRun: ErasureItem[] = [
    { object: 'Task', action: 'deleted', count: 33 },
    { object: 'Contact', action: 'deleted', count: 1 },
    { object: 'Account', action: 'retained', count: 1, legalBasis: 'shared', retentionPeriod: 'while in use' },
  ];
  const nothingFound: ErasureItem[] = ['Contact', 'Lead', 'CampaignMember'].map((object) => ({ object, action: 'not_found' as const, count: 0 }));

  it('keeps what a throttled run deleted, and the rerun that finds nothing still reports it, not "not found"', async () => {
    await ctx.memory.create(requestRecord(verifiedAndApproved));
    const registry = registryRunning([
      async (c) => {
        await report(c, firstRun);
        throw new ConnectorThrottled('salesforce', 'DELETE Lead answered 403: REQUEST_LIMIT_EXCEEDED', 600_000);
      },
      async (c) => {
        await report(c, nothingFound);
        return nothingFound;
      },
    ]);

    const throttled = await eraseWithConnector(ctx, registry, REQUEST_ID, 'salesforce');
    const rerun = await eraseWithConnector(ctx, registry, REQUEST_ID, 'salesforce', { throttleWaits: 1, waitedSeconds: 600 });

    expect(throttled).toMatchObject({ status: 'throttled', waitSeconds: 600 });
    expect(ctx.memory.erasureRuns).toEqual([{ requestId: REQUEST_ID, connectorId: 'salesforce', at: expect.any(String) as string, items: firstRun }]);
    expect(rerun).toEqual({
      connectorId: 'salesforce',
      status: 'succeeded',
      records: 35,
      objects: { Task: 33, Contact: 1, Account: 1 },
      stagingKeys: {},
      erasure: firstRun,
    });
  });

  it('keeps a failed run’s progress, rethrows its error, and adds it to what the retry deletes', async () => {
    await ctx.memory.create(requestRecord(verifiedAndApproved));
    const registry = registryRunning([
      async (c) => {
        await report(c, [{ object: 'Task', action: 'deleted', count: 2 }]);
        throw new ConnectorUnavailable('salesforce', 'DELETE Case answered 503');
      },
      async (c) => {
        const items: ErasureItem[] = [
          { object: 'Task', action: 'not_found', count: 0 },
          { object: 'Case', action: 'deleted', count: 1 },
        ];
        await report(c, items);
        return items;
      },
    ]);

    const failure = await eraseWithConnector(ctx, registry, REQUEST_ID, 'salesforce').catch((e: unknown) => e);
    const retry = await eraseWithConnector(ctx, registry, REQUEST_ID, 'salesforce');

    expect((failure as Error).name).toBe('ConnectorUnavailable');
    expect(retry).toMatchObject({
      status: 'succeeded',
      erasure: [
        { object: 'Task', action: 'deleted', count: 2 },
        { object: 'Case', action: 'deleted', count: 1 },
      ],
    });
  });

  it('keeps a finished run’s items when reading the earlier runs fails, so the retried step still reports them', async () => {
    await ctx.memory.create(requestRecord(verifiedAndApproved));
    const registry = registryRunning([
      async (c) => {
        await report(c, firstRun);
        return firstRun;
      },
      async (c) => {
        await report(c, nothingFound);
        return nothingFound;
      },
    ]);
    const read = ctx.memory.erasureProgress.bind(ctx.memory);
    ctx.memory.erasureProgress = async () => {
      throw new Error('ProvisionedThroughputExceededException');
    };

    await expect(eraseWithConnector(ctx, registry, REQUEST_ID, 'salesforce')).rejects.toThrow('ProvisionedThroughputExceededException');
    ctx.memory.erasureProgress = read;
    const retry = await eraseWithConnector(ctx, registry, REQUEST_ID, 'salesforce');

    expect(retry).toMatchObject({ status: 'succeeded', erasure: firstRun });
  });

  it('keeps nothing for a run that failed before any object was done, and reads only its own connector’s runs', async () => {
    await ctx.memory.create(requestRecord(verifiedAndApproved));
    await ctx.memory.recordErasureProgress(REQUEST_ID, 'hubspot', [{ object: 'contacts', action: 'deleted', count: 1 }]);
    const registry = registryRunning([
      async () => {
        throw new ConnectorUnavailable('salesforce', 'query answered 503');
      },
      async (c) => {
        await report(c, nothingFound);
        return nothingFound;
      },
    ]);

    await eraseWithConnector(ctx, registry, REQUEST_ID, 'salesforce').catch(() => undefined);
    const rerun = await eraseWithConnector(ctx, registry, REQUEST_ID, 'salesforce');

    expect(ctx.memory.erasureRuns.map((r) => r.connectorId)).toEqual(['hubspot']);
    expect(rerun).toMatchObject({ status: 'succeeded', erasure: nothingFound });
  });
});

describe('mergeErasureRuns', () => {
  const retained = (object: string, count: number, legalBasis = 'Bookkeeping Act'): ErasureItem => ({ object, action: 'retained', count, legalBasis, retentionPeriod: '5 years' });

  it('returns a single run as it came', () => {
    const run: ErasureItem[] = [{ object: 'Contact', action: 'deleted', count: 1 }, { object: 'Lead', action: 'not_found', count: 0 }, retained('Account', 1)];

    expect(mergeErasureRuns([run])).toEqual(run);
  });

  it('adds up deleted counts across runs, but not anonymized ones, which a rerun finds and masks again', () => {
    expect(
      mergeErasureRuns([
        [{ object: 'account', action: 'deleted', count: 3 }, { object: 'Task', action: 'anonymized', count: 33 }],
        [{ object: 'account', action: 'deleted', count: 2 }, { object: 'Task', action: 'anonymized', count: 33 }],
      ]),
    ).toEqual([
      { object: 'account', action: 'deleted', count: 5 },
      { object: 'Task', action: 'anonymized', count: 33 },
    ]);
  });

  it('drops an object’s not_found when any run deleted or anonymized some of it, before or after', () => {
    expect(
      mergeErasureRuns([
        [{ object: 'Lead', action: 'deleted', count: 1 }, { object: 'Case', action: 'not_found', count: 0 }],
        [{ object: 'Lead', action: 'not_found', count: 0 }, { object: 'Case', action: 'anonymized', count: 2 }, { object: 'Task', action: 'not_found', count: 0 }],
      ]),
    ).toEqual([
      { object: 'Lead', action: 'deleted', count: 1 },
      { object: 'Case', action: 'anonymized', count: 2 },
      { object: 'Task', action: 'not_found', count: 0 },
    ]);
  });

  it('drops a run that found nothing at all once an earlier run changed something, even for objects it did not touch', () => {
    expect(
      mergeErasureRuns([
        [{ object: 'payment_methods', action: 'deleted', count: 2 }],
        [{ object: 'customers', action: 'not_found', count: 0 }],
      ]),
    ).toEqual([{ object: 'payment_methods', action: 'deleted', count: 2 }]);
  });

  it('keeps one not_found when no run changed anything', () => {
    const none: ErasureItem[] = [{ object: 'contacts', action: 'not_found', count: 0 }];

    expect(mergeErasureRuns([none, none, none])).toEqual(none);
  });

  it('keeps the latest run’s retained items for an object instead of adding up records that are still there', () => {
    expect(
      mergeErasureRuns([
        [retained('charges', 4, 'old wording'), { object: 'customers', action: 'anonymized', count: 1 }, retained('invoices', 2)],
        [retained('charges', 5), { object: 'payment_methods', action: 'deleted', count: 1 }],
        [{ object: 'customers', action: 'not_found', count: 0 }],
      ]),
    ).toEqual([
      { object: 'customers', action: 'anonymized', count: 1 },
      retained('invoices', 2),
      retained('charges', 5),
      { object: 'payment_methods', action: 'deleted', count: 1 },
    ]);
  });

  it('ignores zero-count changes when deciding what was not found', () => {
    expect(
      mergeErasureRuns([
        [{ object: 'deals', action: 'deleted', count: 0 }],
        [{ object: 'deals', action: 'not_found', count: 0 }],
      ]),
    ).toEqual([
      { object: 'deals', action: 'deleted', count: 0 },
      { object: 'deals', action: 'not_found', count: 0 },
    ]);
  });

  it('returns nothing for no runs', () => {
    expect(mergeErasureRuns([])).toEqual([]);
  });
});
