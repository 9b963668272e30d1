import { beforeEach, describe, expect, it } from 'vitest';
import { enabledConnectors } from '#commons/config';
import type { ConnectorRegistry } from '#connectors/registry';
import { ConnectorUnavailable } from '#connectors/errors';
import type { Connector, DataRecord, Subject } from '#connectors/types';
import type { ConnectorOutcome } from '#domain/requests/model';
import { confirmErasure } from '#domain/workflow/confirm-erasure';
import { NOW, REQUEST_ID, requestRecord, testContext, verificationFor, type TestContext } from '../../../support/in-memory-context.ts';

let ctx: TestContext;
let reads: Array<{ connectorId: string; subject: Subject }>;

interface FakeSystem {
  records?: DataRecord[];
  fail?: Error;
  erasureVerifiable?: boolean;
}

/** Every enabled connector answers access with what `systems` gives it, and nothing otherwise. */
function registryWith(systems: Record<string, FakeSystem> = {}): ConnectorRegistry {
  return {
    get: (connectorId: string) => {
      const system = systems[connectorId] ?? {};
      return {
        id: connectorId,
        ...(system.erasureVerifiable !== undefined ? { erasureVerifiable: system.erasureVerifiable } : {}),
        async *access(subject: Subject) {
          reads.push({ connectorId, subject });
          for (const r of system.records ?? []) yield r;
          if (system.fail) throw system.fail;
        },
        async erase() {
          throw new Error('confirmation must not erase');
        },
      } as unknown as Connector;
    },
  } as unknown as ConnectorRegistry;
}

const outcome = (connectorId: string, status: ConnectorOutcome['status'] = 'succeeded'): ConnectorOutcome => ({
  connectorId, status, records: 1, objects: {}, stagingKeys: {}, attempts: 1,
  erasure: [{ object: 'x', action: 'deleted', count: 1 }], finishedAt: '2026-03-02T12:00:00.000Z',
});

const record = (object: string, id: string): DataRecord => ({ object, id, data: { email: 'alice@example.com', name: 'Alice Example', secret: `value-${id}` } });

async function createErasure(overrides: Parameters<typeof requestRecord>[0] = {}) {
  await ctx.memory.create(
    requestRecord({
      type: 'erasure',
      status: 'in_progress',
      verification: verificationFor(REQUEST_ID, '123456', { verifiedAt: '2026-03-02T10:05:00.000Z' }),
      decision: { outcome: 'approved', by: 'dana', at: '2026-03-02T11:00:00.000Z' },
      connectors: Object.fromEntries(enabledConnectors(ctx.config).map((c) => [c.id, outcome(c.id)])),
      ...overrides,
    }),
  );
}

beforeEach(() => {
  ctx = testContext();
  reads = [];
});

describe('confirmErasure', () => {
  it('confirms when no connector finds anything left, and stores the confirmation with the time', async () => {
    await createErasure();

    const result = await confirmErasure(ctx, registryWith(), REQUEST_ID);

    expect(result).toEqual({ confirmed: true, unconfirmed: [] });
    const stored = ctx.memory.stored();
    expect(stored.erasureConfirmation?.confirmed).toBe(true);
    expect(stored.erasureConfirmation?.at).toBe(NOW.toISOString());
    expect(Object.keys(stored.erasureConfirmation!.connectors).sort()).toEqual(enabledConnectors(ctx.config).map((c) => c.id).sort());
    expect(stored.connectors!.hubspot!.status).toBe('succeeded');
    expect(ctx.memory.actions()).toEqual(['erasure.confirmed']);
  });

  it('fails the confirmation on residue no retain policy covers, and marks that connector failed with the counts', async () => {
    await createErasure();
    const registry = registryWith({ hubspot: { records: [record('contacts', '1'), record('contacts', '2'), record('deals', '3')] } });

    const result = await confirmErasure(ctx, registry, REQUEST_ID);

    expect(result).toEqual({ confirmed: false, unconfirmed: ['hubspot'] });
    const stored = ctx.memory.stored();
    expect(stored.erasureConfirmation!.confirmed).toBe(false);
    expect(stored.erasureConfirmation!.connectors.hubspot).toEqual({
      found: { contacts: 2, deals: 1 },
      residual: { contacts: 2, deals: 1 },
      verifiable: true,
    });
    expect(stored.connectors!.hubspot).toMatchObject({
      connectorId: 'hubspot',
      status: 'failed',
      attempts: 1,
      error: { type: 'ErasureNotConfirmed', message: 'still found after erasure: 2 contacts, 1 deals' },
    });
    expect(stored.connectors!.stripe!.status).toBe('succeeded');
    const event = ctx.memory.events.find((e) => e.action === 'erasure.not_confirmed');
    expect(event?.detail).toMatchObject({ unconfirmed: ['hubspot'], residual: { hubspot: { contacts: 2, deals: 1 } } });
  });

  it('tells staff a residue the vendor is still deleting was submitted, within how many days it completes, and to check again later', async () => {
    await createErasure();
    const stored0 = ctx.memory.stored();
    stored0.connectors!.hubspot!.erasure = [{ object: 'contacts', action: 'deleted', count: 1, completion: { vendor: 'HubSpot', withinDays: 30 } }];
    const registry = registryWith({ hubspot: { records: [record('contacts', '1')] } });

    await confirmErasure(ctx, registry, REQUEST_ID);

    expect(ctx.memory.stored().connectors!.hubspot!.error).toEqual({
      type: 'ErasureNotConfirmed',
      message: 'still found after erasure: 1 contacts; contacts submitted to HubSpot, which completes it within 30 days: retry to check again later',
    });
  });

  it('accepts records still found in objects a retain policy keeps', async () => {
    await createErasure();
    const registry = registryWith({ stripe: { records: [record('charges', 'ch_1'), record('charges', 'ch_2'), record('invoices', 'in_1')] } });

    const result = await confirmErasure(ctx, registry, REQUEST_ID);

    expect(result.confirmed).toBe(true);
    expect(ctx.memory.stored().erasureConfirmation!.connectors.stripe).toEqual({
      found: { charges: 2, invoices: 1 },
      residual: {},
      verifiable: true,
    });
    expect(ctx.memory.stored().connectors!.stripe!.status).toBe('succeeded');
  });

  it('counts as residue only the objects of a connector that are not retained', async () => {
    await createErasure();
    const registry = registryWith({ stripe: { records: [record('charges', 'ch_1'), record('payment_methods', 'pm_1')] } });

    const result = await confirmErasure(ctx, registry, REQUEST_ID);

    expect(result).toEqual({ confirmed: false, unconfirmed: ['stripe'] });
    expect(ctx.memory.stored().erasureConfirmation!.connectors.stripe!.residual).toEqual({ payment_methods: 1 });
    expect(ctx.memory.stored().connectors!.stripe!.error!.message).toBe('still found after erasure: 1 payment_methods');
  });

  it('reports a connector that cannot be read back as not verifiable, without reading it', async () => {
    await createErasure();
    const registry = registryWith({ 'google-analytics': { erasureVerifiable: false, records: [record('user', 'ga-1')] } });

    const result = await confirmErasure(ctx, registry, REQUEST_ID);

    expect(result.confirmed).toBe(true);
    expect(ctx.memory.stored().erasureConfirmation!.connectors['google-analytics']).toEqual({ found: {}, residual: {}, verifiable: false });
    expect(reads.map((r) => r.connectorId)).not.toContain('google-analytics');
  });

  it('leaves a connector whose read-back throws unconfirmed, with the error', async () => {
    await createErasure();
    const registry = registryWith({ salesforce: { fail: new ConnectorUnavailable('salesforce', 'HTTP 503') } });

    const result = await confirmErasure(ctx, registry, REQUEST_ID);

    expect(result).toEqual({ confirmed: false, unconfirmed: ['salesforce'] });
    const check = ctx.memory.stored().erasureConfirmation!.connectors.salesforce!;
    expect(check.error).toMatch(/^ConnectorUnavailable: .*HTTP 503/);
    expect(check.residual).toEqual({});
    const failed = ctx.memory.stored().connectors!.salesforce!;
    expect(failed.status).toBe('failed');
    expect(failed.error).toEqual({ type: 'ErasureNotConfirmed', message: `could not read back after erasure: ${check.error}` });
  });

  it('skips connectors staff accepted as missing, leaving their outcome as it was', async () => {
    await createErasure();
    await ctx.memory.update(REQUEST_ID, { connectors: { ...ctx.memory.stored().connectors, calls: outcome('calls', 'accepted_missing') } });
    const registry = registryWith({ calls: { records: [record('calls', 'call-1')] } });

    const result = await confirmErasure(ctx, registry, REQUEST_ID);

    expect(result.confirmed).toBe(true);
    expect(reads.map((r) => r.connectorId)).not.toContain('calls');
    expect(ctx.memory.stored().erasureConfirmation!.connectors).not.toHaveProperty('calls');
    expect(ctx.memory.stored().connectors!.calls!.status).toBe('accepted_missing');
  });

  it('reads back with the identifiers resolved before the erasure', async () => {
    const identifiers = { accounts: { accountId: ['acc-1'], gaUserId: ['ga-1'] } };
    await createErasure({ identifiers });

    await confirmErasure(ctx, registryWith(), REQUEST_ID);

    const calls = reads.find((r) => r.connectorId === 'calls');
    expect(calls?.subject.identifiers).toEqual(identifiers);
    expect(calls?.subject.normalizedEmail).toBe('alice@example.com');
  });

  it('stores counts only, never the records it found', async () => {
    await createErasure();
    const registry = registryWith({
      hubspot: { records: [record('contacts', 'hs-secret-id')] },
      stripe: { records: [record('charges', 'ch_secret')] },
    });

    await confirmErasure(ctx, registry, REQUEST_ID);

    const stored = JSON.stringify(ctx.memory.stored().erasureConfirmation) + JSON.stringify(ctx.memory.stored().connectors);
    const audit = JSON.stringify(ctx.memory.events);
    for (const leaked of ['alice@example.com', 'Alice Example', 'value-', 'hs-secret-id', 'ch_secret']) {
      expect(stored).not.toContain(leaked);
      expect(audit).not.toContain(leaked);
    }
    expect(ctx.memory.stored().erasureConfirmation!.connectors.hubspot!.found).toEqual({ contacts: 1 });
  });

  it('refuses a request that is not an erasure, without reading any connector', async () => {
    await createErasure({ type: 'access' });

    await expect(confirmErasure(ctx, registryWith(), REQUEST_ID)).rejects.toThrow(/not an erasure/);
    expect(reads).toHaveLength(0);
    expect(ctx.memory.stored().erasureConfirmation).toBeUndefined();
  });
});
