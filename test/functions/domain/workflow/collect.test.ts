import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { AbortMultipartUploadCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { ConnectorRegistry } from '#connectors/registry';
import { ConnectorThrottled, ConnectorUnavailable } from '#connectors/errors';
import type { Connector, DataRecord, Subject } from '#connectors/types';
import { collect, subjectOf } from '#domain/workflow/collect';
import { REQUEST_ID, requestRecord, testContext, verificationFor, type TestContext } from '../../../support/in-memory-context.ts';

const s3 = mockClient(S3Client);
let ctx: TestContext;
let seen: Subject[];

function registryWith(records: DataRecord[], failAfter?: number): ConnectorRegistry {
  const connector = {
    id: 'accounts',
    async *access(subject: Subject) {
      seen.push(subject);
      let n = 0;
      for (const r of records) {
        if (failAfter !== undefined && n++ >= failAfter) throw new ConnectorUnavailable('accounts', '503');
        yield r;
      }
      if (failAfter !== undefined && n >= failAfter) throw new ConnectorUnavailable('accounts', '503');
    },
  } as unknown as Connector;
  return { get: () => connector } as unknown as ConnectorRegistry;
}

const approvedAndVerified = {
  status: 'in_progress' as const,
  verification: verificationFor(REQUEST_ID, '123456', { verifiedAt: '2026-03-02T10:05:00.000Z' }),
  decision: { outcome: 'approved' as const, by: 'dana', at: '2026-03-02T11:00:00.000Z' },
};

beforeEach(() => {
  ctx = testContext();
  seen = [];
  s3.on(PutObjectCommand).resolves({});
  s3.on(AbortMultipartUploadCommand).resolves({});
});
afterEach(() => s3.reset());

describe('collect', () => {
  it('adds, to a system where the subject opted out of marketing, a record saying since when (data only: the report says it in words)', async () => {
    await ctx.memory.create(requestRecord({ ...approvedAndVerified, locale: 'nb' }));
    await ctx.suppressions.confirm(ctx.memory.stored().subjectHash, 'accounts', 'dsar_earlier', '2026-02-10T09:00:00.000Z');
    const bodies: string[] = [];
    s3.on(PutObjectCommand).callsFake(async (input: { Body: unknown }) => {
      bodies.push(typeof input.Body === 'string' ? input.Body : Buffer.from(input.Body as Uint8Array).toString('utf8'));
      return {};
    });

    const result = await collect(ctx, registryWith([{ object: 'account', id: '1', data: { email: 'alice@example.com' } }]), REQUEST_ID, 'accounts');
    const other = await collect(ctx, registryWith([]), REQUEST_ID, 'stripe');

    expect(result).toMatchObject({ status: 'succeeded', records: 2, objects: { account: 1, marketing_opt_out: 1 } });
    const staged = bodies.join('\n');
    expect(staged).toContain('"data":{"optedOutOfMarketing":true,"optedOutAt":"2026-02-10T09:00:00.000Z"}');
    expect(other).toMatchObject({ status: 'succeeded', records: 0 });
  });

  it('streams the subject’s records to staging and returns only counts and keys', async () => {
    await ctx.memory.create(requestRecord(approvedAndVerified));
    const records = [
      { object: 'account', id: '1', data: { email: 'alice@example.com' } },
      { object: 'account', id: '2', data: { email: 'alice@example.com' } },
    ];

    const result = await collect(ctx, registryWith(records), REQUEST_ID, 'accounts');

    expect(result).toMatchObject({ connectorId: 'accounts', status: 'succeeded', records: 2, objects: { account: 2 } });
    expect(result.status === 'succeeded' && result.stagingKeys.account).toMatch(new RegExp(`^staging/${REQUEST_ID}/accounts/`));
    expect(JSON.stringify(result)).not.toContain('alice@example.com');
    const put = s3.commandCalls(PutObjectCommand)[0]!.args[0].input;
    expect(put.Bucket).toBe('dsar-staging');
    expect(seen[0]).toEqual(subjectOf(ctx.memory.stored()));
  });

  it.each([
    ['not verified', { ...approvedAndVerified, verification: verificationFor(REQUEST_ID, '123456') }],
    ['not approved', { ...approvedAndVerified, decision: undefined }],
    ['denied', { ...approvedAndVerified, decision: { outcome: 'denied' as const, by: 'dana', at: 'x' } }],
    // An opt-out whose code was waived may change marketing flags, never read anything out.
    ['only waived (no code)', { ...approvedAndVerified, verification: undefined, verificationWaived: { reason: 'configuration' as const, at: 'x' } }],
  ])('refuses to collect for a request that is %s', async (_what, overrides) => {
    await ctx.memory.create(requestRecord(overrides));

    await expect(collect(ctx, registryWith([{ object: 'a', id: '1', data: {} }]), REQUEST_ID, 'accounts')).rejects.toThrow(/refusing to touch connectors/);
    expect(seen).toHaveLength(0);
  });

  it('refuses a connector that is not enabled', async () => {
    await ctx.memory.create(requestRecord(approvedAndVerified));

    await expect(collect(ctx, registryWith([]), REQUEST_ID, 'nope')).rejects.toThrow(/not enabled/);
  });

  it('lets a typed connector error through with its name, for the state machine to retry', async () => {
    await ctx.memory.create(requestRecord(approvedAndVerified));

    const err = await collect(ctx, registryWith([{ object: 'account', id: '1', data: {} }], 1), REQUEST_ID, 'accounts').catch((e: unknown) => e);

    expect((err as Error).name).toBe('ConnectorUnavailable');
  });
});

describe('collect, when the vendor throttles with a hint', () => {
  function throttling(retryAfterMs: number | undefined): ConnectorRegistry {
    const connector = {
      id: 'hubspot',
      // eslint-disable-next-line require-yield
      async *access() {
        throw new ConnectorThrottled('hubspot', 'GET contacts answered 429: throttled', retryAfterMs);
      },
    } as unknown as Connector;
    return { get: () => connector } as unknown as ConnectorRegistry;
  }

  it('returns throttled with the hint in whole seconds and records why the request waits, without data', async () => {
    await ctx.memory.create(requestRecord(approvedAndVerified));

    const result = await collect(ctx, throttling(3_600_000), REQUEST_ID, 'hubspot');

    expect(result).toEqual({ connectorId: 'hubspot', status: 'throttled', waitSeconds: 3600, throttleWaits: 1, waitedSeconds: 3600 });
    const audited = ctx.memory.events.filter((e) => e.action === 'connector.throttled');
    expect(audited.map((e) => e.detail)).toEqual([{ connectorId: 'hubspot', waitSeconds: 3600, throttleWaits: 1 }]);
    expect(s3.commandCalls(AbortMultipartUploadCommand).length + s3.commandCalls(PutObjectCommand).length).toBe(0);
  });

  it('adds to the waits carried over from earlier runs, giving a vendor that keeps asking for seconds exponentially more', async () => {
    await ctx.memory.create(requestRecord(approvedAndVerified));

    const result = await collect(ctx, throttling(2_500), REQUEST_ID, 'hubspot', { throttleWaits: 2, waitedSeconds: 100 });

    // The third wait lasts at least 10 s x 2: a 2.5 s hint alone would loop the Map every few seconds.
    expect(result).toMatchObject({ status: 'throttled', waitSeconds: 20, throttleWaits: 3, waitedSeconds: 120 });
  });

  it('rethrows after 16 waits even when the day is not spent, so the execution history stays small', async () => {
    await ctx.memory.create(requestRecord(approvedAndVerified));

    const err = await collect(ctx, throttling(1_000), REQUEST_ID, 'hubspot', { throttleWaits: 16, waitedSeconds: 3600 }).catch((e: unknown) => e);

    expect((err as Error).name).toBe('ConnectorThrottled');
    expect(ctx.memory.events.filter((e) => e.action === 'connector.throttled')).toEqual([]);
  });

  it('rethrows once the waits would pass a day in total, so the failure goes to staff', async () => {
    await ctx.memory.create(requestRecord(approvedAndVerified));

    const err = await collect(ctx, throttling(3_600_000), REQUEST_ID, 'hubspot', { throttleWaits: 23, waitedSeconds: 23 * 3600 + 1 }).catch((e: unknown) => e);

    expect((err as Error).name).toBe('ConnectorThrottled');
    expect(ctx.memory.events.filter((e) => e.action === 'connector.throttled')).toEqual([]);
  });

  it('leaves a throttle without a hint to the state machine’s Retry', async () => {
    await ctx.memory.create(requestRecord(approvedAndVerified));

    const err = await collect(ctx, throttling(undefined), REQUEST_ID, 'hubspot').catch((e: unknown) => e);

    expect((err as Error).name).toBe('ConnectorThrottled');
  });
});
