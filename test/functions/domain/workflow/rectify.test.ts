import { beforeEach, describe, expect, it } from 'vitest';
import { ConnectorThrottled } from '#connectors/errors';
import type { ConnectorRegistry } from '#connectors/registry';
import type { Connector, Correction, FieldValue, RectifiableField, Subject } from '#connectors/types';
import { subjectHash } from '#commons/tokens';
import { actWithConnector } from '#domain/workflow/act';
import { RectificationNotConfirmed, rectifyWithConnector } from '#domain/workflow/rectify';
import { REQUEST_ID, requestRecord, testContext, verificationFor, type TestContext } from '../../../support/in-memory-context.ts';

let ctx: TestContext;
let calls: string[];

/**
 * A fake system holding one customer record per address: `apply` writes what it is told unless
 * `ignoreWrites` (a system that accepts a write and keeps the old value), `current` reads it.
 */
function system(records: Record<string, Record<string, string>>, options: { ignoreWrites?: boolean } = {}): ConnectorRegistry {
  const byAddress = (s: Subject) => Object.entries(records).filter(([, r]) => r.email?.toLowerCase() === s.normalizedEmail);
  const connector = {
    id: 'stripe',
    async *access() {},
    rectify: {
      async current(subject: Subject, fields: readonly RectifiableField[]): Promise<FieldValue[]> {
        calls.push(`current:${subject.normalizedEmail}`);
        return byAddress(subject).flatMap(([id, r]) => fields.map((field) => ({ object: 'customers', recordId: id, field, systemField: field, value: r[field] ?? null })));
      },
      async apply(subject: Subject, corrections: readonly Correction[]) {
        calls.push(`apply:${subject.normalizedEmail}`);
        const own = new Set(byAddress(subject).map(([id]) => id));
        return corrections.map((c) => {
          if (!own.has(c.recordId)) return { object: c.object, recordId: c.recordId, field: c.field, status: 'not_found' as const };
          if (!options.ignoreWrites) records[c.recordId]![c.field] = String(c.value);
          return { object: c.object, recordId: c.recordId, field: c.field, status: 'corrected' as const };
        });
      },
    },
  } as unknown as Connector;
  return { get: () => connector } as unknown as ConnectorRegistry;
}

const approved = {
  type: 'rectification' as const,
  status: 'in_progress' as const,
  subject: { email: 'bob@example.com', normalizedEmail: 'bob@example.com' },
  verification: verificationFor(REQUEST_ID, '123456', { verifiedAt: '2026-03-02T10:05:00.000Z' }),
  decision: { outcome: 'approved' as const, by: 'approver@localhost', at: '2026-03-02T10:05:01.000Z' },
};
const phone = (value: string, recordId = 'cus_1'): Correction => ({ object: 'customers', recordId, field: 'phone', value });

async function chosen(corrections: Correction[], connectorId = 'stripe') {
  await ctx.memory.create(requestRecord(approved));
  await ctx.memory.rectifications.putChoice(REQUEST_ID, { corrections: { [connectorId]: corrections }, refusals: [], by: 'approver@localhost', at: '2026-03-02T10:05:01.000Z' });
}

beforeEach(() => {
  ctx = testContext();
  calls = [];
});

describe('rectifyWithConnector', () => {
  it('writes the chosen values, reads them back, and records which fields it corrected and when it was confirmed', async () => {
    const records = { cus_1: { email: 'bob@example.com', phone: '+47 400 00 001' } };
    await chosen([phone('+47 912 34 567')]);

    const result = await rectifyWithConnector(ctx, system(records), REQUEST_ID, 'stripe');

    expect(calls).toEqual(['apply:bob@example.com', 'current:bob@example.com']);
    expect(records.cus_1.phone).toBe('+47 912 34 567');
    expect(result).toEqual({
      connectorId: 'stripe',
      status: 'succeeded',
      records: 1,
      objects: { customers: 1 },
      stagingKeys: {},
      rectification: { applies: true, items: [{ object: 'customers', recordId: 'cus_1', field: 'phone', status: 'corrected' }], confirmedAt: ctx.clock.now().toISOString() },
    });
  });

  it('fails as RectificationNotConfirmed when the read-back shows another value, naming the field but not the value', async () => {
    await chosen([phone('+47 912 34 567')]);

    const err = await rectifyWithConnector(ctx, system({ cus_1: { email: 'bob@example.com', phone: '+47 400 00 001' } }, { ignoreWrites: true }), REQUEST_ID, 'stripe').catch((e: Error) => e);

    expect(err).toBeInstanceOf(RectificationNotConfirmed);
    expect((err as Error).message).toBe('after the correction, stripe still shows another value for phone of customers cus_1');
  });

  it('reports a record gone meanwhile as not found, and succeeds', async () => {
    await chosen([phone('+47 912 34 567', 'cus_gone')]);

    const result = await rectifyWithConnector(ctx, system({ cus_1: { email: 'bob@example.com' } }), REQUEST_ID, 'stripe');

    expect(result).toMatchObject({ status: 'succeeded', records: 0, rectification: { applies: true, items: [{ recordId: 'cus_gone', status: 'not_found' }] } });
  });

  it('reads a corrected address back under the new address, and lists the request under the new address too', async () => {
    const records = { cus_1: { email: 'bob@example.com' } };
    await chosen([{ object: 'customers', recordId: 'cus_1', field: 'email', value: 'Robert@Example.org' }]);

    const result = await rectifyWithConnector(ctx, system(records), REQUEST_ID, 'stripe');

    expect(result).toMatchObject({ status: 'succeeded', rectification: { items: [{ field: 'email', status: 'corrected' }] } });
    expect(calls).toEqual(['apply:bob@example.com', 'current:bob@example.com', 'current:robert@example.org']);
    expect(ctx.memory.rectifications.aliases.get(REQUEST_ID)).toEqual([subjectHash('robert@example.org')]);
  });

  it('corrects on a retry after the address was already corrected, finding the record under the new address', async () => {
    const records = { cus_1: { email: 'robert@example.org' } };
    await chosen([{ object: 'customers', recordId: 'cus_1', field: 'email', value: 'robert@example.org' }]);

    const result = await rectifyWithConnector(ctx, system(records), REQUEST_ID, 'stripe');

    expect(result).toMatchObject({ status: 'succeeded', rectification: { items: [{ field: 'email', status: 'corrected' }] } });
  });

  it('records a system without the capability as not applicable, and one with no corrections chosen as done, touching neither', async () => {
    await chosen([phone('+47 912 34 567')], 'hubspot');
    const without = { get: () => ({ id: 'google-analytics', async *access() {} }) as unknown as Connector } as unknown as ConnectorRegistry;

    expect(await rectifyWithConnector(ctx, without, REQUEST_ID, 'google-analytics')).toMatchObject({ status: 'succeeded', rectification: { applies: false, items: [] } });
    expect(await rectifyWithConnector(ctx, system({}), REQUEST_ID, 'stripe')).toMatchObject({ status: 'succeeded', rectification: { applies: true, items: [] } });
    expect(calls).toEqual([]);
  });

  it('hands a vendor\'s throttling to the workflow to wait out, instead of failing', async () => {
    await chosen([phone('+47 912 34 567')]);
    const throttled = {
      get: () =>
        ({
          id: 'stripe',
          async *access() {},
          rectify: {
            async current() {
              return [];
            },
            async apply() {
              throw new ConnectorThrottled('stripe', 'rate limited', 2_000);
            },
          },
        }) as unknown as Connector,
    } as unknown as ConnectorRegistry;

    expect(await rectifyWithConnector(ctx, throttled, REQUEST_ID, 'stripe')).toMatchObject({ status: 'throttled', connectorId: 'stripe' });
  });

  it('refuses a request that is not an approved rectification', async () => {
    await ctx.memory.create(requestRecord({ ...approved, type: 'access' }));
    await expect(rectifyWithConnector(ctx, system({}), REQUEST_ID, 'stripe')).rejects.toThrow(/not a rectification/);
    await ctx.memory.update(REQUEST_ID, { type: 'rectification', decision: undefined });
    await expect(rectifyWithConnector(ctx, system({}), REQUEST_ID, 'stripe')).rejects.toThrow();
    expect(calls).toEqual([]);
  });
});

describe('actWithConnector for a rectification', () => {
  it('corrects, whatever the state payload said the mode was', async () => {
    await chosen([phone('+47 912 34 567')]);

    const result = await actWithConnector(ctx, system({ cus_1: { email: 'bob@example.com', phone: 'old' } }), REQUEST_ID, 'stripe');

    expect(result).toMatchObject({ status: 'succeeded', rectification: { applies: true } });
  });
});
