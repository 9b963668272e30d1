/** Fixed-window rate counters on a real dynalite table: atomic under concurrency, and windows that end. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { RateLimited } from '#commons/errors';
import { COUNTER_TTL_ATTRIBUTE, counterKey } from '#domain/rate-limits/counters';
import { RateCounters, admitClient, hashKey, normalizeIp } from '#domain/rate-limits/index';
import { TTL_ATTRIBUTE } from '../../../../infra/table.ts';
import { TABLE, startHarness, testConfig, type Harness } from '../../../support/dynalite-harness.ts';

let h: Harness;
let counters: RateCounters;
beforeEach(async () => {
  h = await startHarness();
  h.clock.at = new Date('2026-03-02T10:15:00Z');
  counters = new RateCounters(h.access.db, TABLE, h.clock);
});
afterEach(async () => h?.close());

const hourly = { limit: 25, windowSeconds: 3600 };

describe('a rate counter', () => {
  it('gives exactly the limit to 200 concurrent callers and refuses the rest', async () => {
    const answers = await Promise.all(Array.from({ length: 200 }, () => counters.take('test', 'k1', hourly)));

    expect(answers.filter((a) => a.allowed)).toHaveLength(25);
    expect(answers.filter((a) => !a.allowed)).toHaveLength(175);
    const counts = answers.flatMap((a) => (a.allowed ? [a.count] : [])).sort((x, y) => x - y);
    expect(counts).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    const item = await h.access.db.send(new GetCommand({ TableName: TABLE, Key: counterKey('test', 'k1', Date.parse('2026-03-02T10:00:00Z')) }));
    expect(item.Item?.count).toBe(25);
  });

  it('says how many seconds remain until the window ends when it refuses', async () => {
    await Promise.all(Array.from({ length: 25 }, () => counters.take('test', 'k1', hourly)));

    expect(await counters.take('test', 'k1', hourly)).toEqual({ allowed: false, retryAfterSeconds: 45 * 60 });
  });

  it('starts the next window empty although the old item is still in the table (dynalite never expires items)', async () => {
    await Promise.all(Array.from({ length: 26 }, () => counters.take('test', 'k1', hourly)));
    h.clock.at = new Date('2026-03-02T11:00:00Z');

    expect(await counters.take('test', 'k1', hourly)).toEqual({ allowed: true, count: 1 });
    const items = (await h.access.db.send(new ScanCommand({ TableName: TABLE }))).Items ?? [];
    expect(items.filter((i) => String(i.pk).startsWith('RATE#'))).toHaveLength(2);
  });

  it('counts each key and each scope on its own', async () => {
    await Promise.all(Array.from({ length: 30 }, () => counters.take('test', 'k1', hourly)));

    expect((await counters.take('test', 'k2', hourly)).allowed).toBe(true);
    expect((await counters.take('other', 'k1', hourly)).allowed).toBe(true);
  });

  it('marks its item to expire a day after the window, through the table TTL attribute', async () => {
    await counters.take('test', 'k1', hourly);

    expect(COUNTER_TTL_ATTRIBUTE).toBe(TTL_ATTRIBUTE);
    const item = await h.access.db.send(new GetCommand({ TableName: TABLE, Key: counterKey('test', 'k1', Date.parse('2026-03-02T10:00:00Z')) }));
    expect(item.Item?.[TTL_ATTRIBUTE]).toBe(Date.parse('2026-03-03T11:00:00Z') / 1000);
  });
});

describe('admitting a client', () => {
  const config = testConfig({ rateLimits: { perClientIp: { verify: { limit: 3, windowSeconds: 60 } } } });

  it('refuses the call past the limit with a 429 RateLimited that carries Retry-After seconds', async () => {
    for (let i = 0; i < 3; i++) await admitClient(counters, config, 'verify', '203.0.113.9');

    const refused = await admitClient(counters, config, 'verify', '203.0.113.9').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(RateLimited);
    expect(refused).toMatchObject({ status: 429, code: 'rate_limited', retryAfterSeconds: 60 });
  });

  it('counts an IPv4 address and its IPv6-mapped form as one client, and other clients apart', async () => {
    for (let i = 0; i < 3; i++) await admitClient(counters, config, 'verify', i % 2 ? '::ffff:203.0.113.9' : '203.0.113.9');

    await expect(admitClient(counters, config, 'verify', '::FFFF:203.0.113.9')).rejects.toBeInstanceOf(RateLimited);
    await expect(admitClient(counters, config, 'verify', '203.0.113.10')).resolves.toBeUndefined();
    await expect(admitClient(counters, config, 'intake', '203.0.113.9')).resolves.toBeUndefined();
  });

  it('stores a hash of the IP, never the IP', async () => {
    await admitClient(counters, config, 'verify', '203.0.113.9');

    const items = (await h.access.db.send(new ScanCommand({ TableName: TABLE }))).Items ?? [];
    expect(JSON.stringify(items)).not.toContain('203.0.113');
    expect(items[0]?.pk).toBe(`RATE#ip-verify#${hashKey('ip', normalizeIp('203.0.113.9'))}`);
  });
});
