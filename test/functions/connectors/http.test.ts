import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectorMisconfigured, ConnectorThrottled, ConnectorUnavailable } from '#connectors/errors';
import { VendorHttp, chunks, parseRetryAfter, vendorCode } from '#connectors/http';

let server: Server;
let base: string;
let answers: Array<{ status: number; headers?: Record<string, string>; body?: string }> = [];

beforeAll(async () => {
  // `/hang` never answers, however fast or slow the machine is: timeouts and aborts are certain to
  // happen first, without racing a delayed answer.
  server = createServer((req, res) => {
    if (req.url?.startsWith('/hang')) return;
    const a = answers.shift() ?? { status: 200, body: '{}' };
    res.writeHead(a.status, a.headers).end(a.body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(
  () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
);

describe('connector HTTP client', () => {
  it('reads Retry-After as seconds or as an HTTP date', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter('0.5')).toBe(500);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6_000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
  });

  it('retries short throttling a bounded number of times, then hands it on', async () => {
    const slept: number[] = [];
    const http = new VendorHttp({ connectorId: 't', sleep: async (ms) => void slept.push(ms), maxThrottleRetries: 2 });
    answers = [1, 2, 3].map(() => ({ status: 429, headers: { 'retry-after': '1' } }));
    const err = await http.request({ url: base, label: 'GET x' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectorThrottled);
    expect((err as ConnectorThrottled).retryAfterMs).toBe(1000);
    expect(slept).toEqual([1000, 1000]);
  });

  it('turns a timeout into ConnectorUnavailable and a 4xx into ConnectorMisconfigured, without the URL in the message', async () => {
    const timedOut = (await new VendorHttp({ connectorId: 't', timeoutMs: 50 }).request({ url: `${base}/hang?email=a@b.c`, label: 'GET x' }).catch((e: unknown) => e)) as Error;
    expect(timedOut).toBeInstanceOf(ConnectorUnavailable);
    expect(timedOut.message).toBe('t: GET x: timed out after 50 ms');
    answers = [{ status: 422, body: '{"error":{"code":"bad"}}' }];
    const err = (await new VendorHttp({ connectorId: 't' }).request({ url: `${base}/?email=a@b.c`, label: 'GET x' }).catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(ConnectorMisconfigured);
    expect(err.message).not.toContain('a@b.c');
  });

  it('lets the workflow’s abort through as it is', async () => {
    const http = new VendorHttp({ connectorId: 't' });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('gave up')), 20);
    await expect(http.request({ url: `${base}/hang`, label: 'GET x', signal: controller.signal })).rejects.toThrow('gave up');
  });

  it('finds vendor error codes in the usual body shapes and splits lists into chunks', () => {
    expect(vendorCode([{ errorCode: 'MALFORMED_QUERY' }])).toBe('MALFORMED_QUERY');
    expect(vendorCode({ error: { code: 404, status: 'NOT_FOUND' } })).toBe('NOT_FOUND');
    expect(chunks([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
  });
});
