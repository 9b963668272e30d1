import { beforeEach, describe, expect, it } from 'vitest';
import { enabledConnectors } from '#commons/config';
import type { ConnectorRegistry } from '#connectors/registry';
import { ConnectorUnavailable } from '#connectors/errors';
import type { Connector, DataRecord, FieldValue, RectifiableField, Subject } from '#connectors/types';
import { discoverWithConnector, planDiscovery, recordPreview, type DiscoveryResult } from '#domain/workflow/discover';
import { REQUEST_ID, requestRecord, testContext, verificationFor, type TestContext } from '../../../support/in-memory-context.ts';

let ctx: TestContext;
const verified = {
  status: 'awaiting_review' as const,
  verification: verificationFor(REQUEST_ID, '123456', { verifiedAt: '2026-03-02T10:05:00.000Z' }),
};

function registryWith(records: DataRecord[], fail = false): ConnectorRegistry {
  const connector = {
    id: 'stripe',
    async *access(_subject: Subject) {
      for (const r of records) yield r;
      if (fail) throw new ConnectorUnavailable('stripe', '503');
    },
  } as unknown as Connector;
  return { get: () => connector } as unknown as ConnectorRegistry;
}
const record = (object: string, id: string): DataRecord => ({ object, id, data: { email: 'alice@example.com' } });

beforeEach(() => {
  ctx = testContext();
});

describe('planDiscovery', () => {
  it('plans every enabled connector for a verified request and marks it as being counted', async () => {
    await ctx.memory.create(requestRecord(verified));
    const plan = await planDiscovery(ctx, REQUEST_ID);
    expect(plan.connectors).toEqual(enabledConnectors(ctx.config).map((c) => ({ requestId: REQUEST_ID, connectorId: c.id })));
    expect(plan.connectors.length).toBeGreaterThan(1);
    expect(ctx.memory.stored().previewPending).toBe(true);
  });

  it('plans nothing for a request cancelled meanwhile, and leaves it as it is', async () => {
    await ctx.memory.create(requestRecord({ ...verified, status: 'cancelled' }));
    expect(await planDiscovery(ctx, REQUEST_ID)).toEqual({ connectors: [] });
    expect(ctx.memory.stored().previewPending).toBeUndefined();
  });

  it('refuses a request nobody verified, so not even a count leaves a system', async () => {
    await ctx.memory.create(requestRecord({ status: 'awaiting_verification' }));
    await expect(planDiscovery(ctx, REQUEST_ID)).rejects.toThrow(/not verified/);
  });

  it('counts nothing for an opt-out whose code was waived, since counting an unproven address’s records reads them', async () => {
    await ctx.memory.create(requestRecord({ type: 'marketing_opt_out', status: 'awaiting_review', verificationWaived: { reason: 'configuration', at: '2026-03-02T10:05:00.000Z' } }));
    expect(await planDiscovery(ctx, REQUEST_ID)).toEqual({ connectors: [] });
    await expect(discoverWithConnector(ctx, registryWith([record('Customer', 'c1')]), REQUEST_ID, 'stripe')).rejects.toThrow(/not verified/);
  });
});

describe('discoverWithConnector', () => {
  it('counts the records per object and writes nothing', async () => {
    await ctx.memory.create(requestRecord(verified));
    const out = await discoverWithConnector(ctx, registryWith([record('charges', 'ch_1'), record('charges', 'ch_2'), record('customers', 'cus_1')]), REQUEST_ID, 'stripe');
    expect(out).toEqual({ connectorId: 'stripe', status: 'counted', objects: { charges: 2, customers: 1 } });
    expect(ctx.memory.updates).toEqual([]);
    expect(ctx.memory.events).toEqual([]);
  });

  it("throws the connector's typed error, for the Map to catch as could not count", async () => {
    await ctx.memory.create(requestRecord(verified));
    await expect(discoverWithConnector(ctx, registryWith([], true), REQUEST_ID, 'stripe')).rejects.toBeInstanceOf(ConnectorUnavailable);
  });

  it('gives up on a count that runs past its budget, with the signal the connector honours', async () => {
    await ctx.memory.create(requestRecord(verified));
    const slow = {
      id: 'stripe',
      async *access(_subject: Subject, c: { signal?: AbortSignal }) {
        await new Promise((_, reject) => c.signal!.addEventListener('abort', () => reject(c.signal!.reason)));
        yield record('charges', 'never');
      },
    } as unknown as Connector;

    const err = await discoverWithConnector(ctx, { get: () => slow } as unknown as ConnectorRegistry, REQUEST_ID, 'stripe', 5).catch((e: Error) => e);

    expect(err).toMatchObject({ name: 'TimeoutError' });
  });

  it('refuses an unverified request and a connector that is not enabled', async () => {
    await ctx.memory.create(requestRecord({ status: 'awaiting_verification' }));
    await expect(discoverWithConnector(ctx, registryWith([]), REQUEST_ID, 'stripe')).rejects.toThrow(/not verified/);
    await ctx.memory.update(REQUEST_ID, verified);
    await expect(discoverWithConnector(ctx, registryWith([]), REQUEST_ID, 'nope')).rejects.toThrow(/not enabled/);
  });
});

describe('recordPreview', () => {
  const results: DiscoveryResult[] = [
    { connectorId: 'hubspot', status: 'counted', objects: { contacts: 1, notes: 11 } },
    { connectorId: 'accounts', status: 'counted', objects: {} },
    { connectorId: 'stripe', status: 'failed', error: { Error: 'ConnectorUnavailable', Cause: '{"errorMessage":"stripe answered 503 for alice@example.com"}' } },
  ];

  it('stores every count in one item of its own, leaving the request item alone, and puts one summary on the audit trail, with only the error type of a failure', async () => {
    await ctx.memory.create(requestRecord(verified));

    const out = await recordPreview(ctx, REQUEST_ID, results);

    expect(out).toEqual({ recorded: true, records: 12, failed: ['stripe'] });
    expect(ctx.memory.updates).toEqual([]);
    const stored = (await ctx.memory.preview(REQUEST_ID))!;
    expect(stored.connectors).toEqual({
      hubspot: { status: 'counted', records: 12, objects: { contacts: 1, notes: 11 } },
      accounts: { status: 'counted', records: 0, objects: {} },
      stripe: { status: 'failed', error: 'ConnectorUnavailable' },
    });
    expect(JSON.stringify(stored)).not.toContain('alice');
    expect(ctx.memory.events.map((e) => [e.action, e.detail])).toEqual([
      [
        'preview.counted',
        {
          summary: 'Preview: HubSpot (communication and marketing) 12 records, Example Video account store 0 records, Stripe (payments) could not count (ConnectorUnavailable)',
          records: 12,
        },
      ],
    ]);
  });

  it("says, for an erasure, what each object's configured policy will do to it", async () => {
    await ctx.memory.create(requestRecord({ ...verified, type: 'erasure' }));
    await recordPreview(ctx, REQUEST_ID, [{ connectorId: 'stripe', status: 'counted', objects: { customers: 1, charges: 2 } }]);
    const stripe = (await ctx.memory.preview(REQUEST_ID))!.connectors.stripe!;
    expect(stripe).toMatchObject({ status: 'counted', erasure: { customers: expect.any(String), charges: 'retain' } });
  });

  it('leaves a request cancelled meanwhile as it is', async () => {
    await ctx.memory.create(requestRecord({ ...verified, status: 'cancelled' }));
    expect(await recordPreview(ctx, REQUEST_ID, results)).toMatchObject({ recorded: false });
    expect(await ctx.memory.preview(REQUEST_ID)).toBeUndefined();
    expect(ctx.memory.events).toEqual([]);
  });
});

describe('the preview of a rectification', () => {
  const rectification = {
    ...verified,
    type: 'rectification' as const,
    subject: { email: 'bob@example.com', normalizedEmail: 'bob@example.com', rectification: { fields: { phone: '+47 912 34 567' } } },
  };
  const phone: FieldValue = { object: 'customers', recordId: 'cus_1', field: 'phone', systemField: 'phone', value: '+47 400 00 001' };

  function rectifying(values: FieldValue[], asked: RectifiableField[][] = []): ConnectorRegistry {
    const connector = {
      id: 'stripe',
      async *access() {
        throw new Error('a rectification reads current values, it does not count');
      },
      rectify: {
        async current(_s: Subject, fields: readonly RectifiableField[]) {
          asked.push([...fields]);
          return values;
        },
        async apply() {
          throw new Error('the preview never writes to a system');
        },
      },
    } as unknown as Connector;
    return { get: () => connector } as unknown as ConnectorRegistry;
  }

  it('reads the current values of the fields the subject gave, and stores them on their own item, not in the result', async () => {
    await ctx.memory.create(requestRecord(rectification));
    const asked: RectifiableField[][] = [];

    const out = await discoverWithConnector(ctx, rectifying([phone], asked), REQUEST_ID, 'stripe');

    expect(out).toEqual({ connectorId: 'stripe', status: 'current', values: 1 });
    expect(JSON.stringify(out)).not.toContain('+47');
    expect(asked).toEqual([['phone']]);
    expect(await ctx.memory.rectifications.current(REQUEST_ID)).toEqual({ stripe: [phone] });
    expect(ctx.memory.updates).toEqual([]);
  });

  it('reads all four fields when the subject only wrote what is wrong in their own words', async () => {
    await ctx.memory.create(requestRecord({ ...rectification, subject: { email: 'bob@example.com', normalizedEmail: 'bob@example.com', details: 'My number is wrong' } }));
    const asked: RectifiableField[][] = [];

    await discoverWithConnector(ctx, rectifying([], asked), REQUEST_ID, 'stripe');

    expect(asked).toEqual([['name', 'email', 'phone', 'address']]);
  });

  it('lists a system without the rectify capability as nothing to correct here', async () => {
    await ctx.memory.create(requestRecord(rectification));

    expect(await discoverWithConnector(ctx, registryWith([record('events', 'e1')]), REQUEST_ID, 'stripe')).toEqual({ connectorId: 'stripe', status: 'nothing_to_correct' });
  });

  it('records per system how many values it showed, or that it has nothing to correct', async () => {
    await ctx.memory.create(requestRecord(rectification));

    await recordPreview(ctx, REQUEST_ID, [
      { connectorId: 'stripe', status: 'current', values: 1 },
      { connectorId: 'google-analytics', status: 'nothing_to_correct' },
    ]);

    expect((await ctx.memory.preview(REQUEST_ID))!.connectors).toEqual({ stripe: { status: 'current', values: 1 }, 'google-analytics': { status: 'nothing_to_correct' } });
    expect(ctx.memory.events[0]!.detail!.summary).toMatch(/^Preview: Stripe \(payments\) 1 current value, .* nothing to correct$/);
  });
});
