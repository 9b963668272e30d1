/**
 * Floods against the embedded runtime with its real default limits (config/example.config.json):
 * anonymous filings that would mail a victim, and one client spraying the public endpoints. Callers
 * come from distinct loopback addresses (127.0.x.y), which the local HTTP API sees as distinct client IPs.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { hashKey } from '#domain/rate-limits/index';
import { normalizeEmail } from '#domain/requests/model';
import { startTestRuntime, type TestRuntime } from '../support/runtime.ts';

let rt: TestRuntime;
let db: DynamoDBDocumentClient;
beforeAll(async () => {
  rt = await startTestRuntime({ crowd: 5 });
  db = DynamoDBDocumentClient.from(new DynamoDBClient({}));
}, 120_000);
afterAll(async () => rt?.cleanup());

interface Answer {
  status: number;
  retryAfter: string | undefined;
  body: any;
}

/** One call from a chosen loopback address, so the API sees that address as the client's IP. */
function callFrom(ip: string, method: string, path: string, body?: unknown, extraHeaders: Record<string, string> = {}): Promise<Answer> {
  const url = new URL(path, rt.apiUrl);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, path: url.pathname, method, localAddress: ip, agent: false, headers: { ...extraHeaders, ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}) } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode!, retryAfter: res.headers['retry-after'] as string | undefined, body: text ? JSON.parse(text) : undefined }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** The counts a rate counter holds for one key, one per window the calls fell into. */
async function windowCounts(scope: string, keyHash: string): Promise<number[]> {
  const out = await db.send(new QueryCommand({ TableName: rt.tables.requests, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `RATE#${scope}#${keyHash}` } }));
  return (out.Items ?? []).map((i) => Number(i.count));
}

const tally = (answers: Answer[]) => answers.reduce<Record<number, number>>((acc, a) => ({ ...acc, [a.status]: (acc[a.status] ?? 0) + 1 }), {});

async function auditOf(requestId: string): Promise<Array<{ action: string; detail?: any }>> {
  return (await rt.api('GET', `/v1/admin/requests/${requestId}`, { token: rt.staffToken })).body.audit;
}

/** Waits until a request's workflow has made every mail attempt intake causes (acknowledgement, and the code for an open one). */
async function mailAttemptsDone(requestId: string): Promise<Array<{ action: string; detail?: any }>> {
  for (;;) {
    const audit = await auditOf(requestId);
    const actions = new Set(audit.map((e) => e.action));
    const duplicate = actions.has('request.duplicate');
    if (actions.has('request.acknowledged') && (duplicate || actions.has('verification.code_sent'))) return audit;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('a mail flood against one address', () => {
  it('sends the victim at most the configured few mails however many anonymous filings and resends arrive at once, each from its own IP', async () => {
    const victim = 'victim@example.com';
    const limit = rt.config.rateLimits.mailsPerRecipient.limit;
    expect(limit).toBe(6); // the shipped default this test stands for

    const filed = await Promise.all(
      Array.from({ length: 45 }, (_, i) => callFrom(`127.0.1.${i + 1}`, 'POST', '/v1/requests', { type: 'erasure', email: i % 2 ? victim : 'Victim@Example.com' })),
    );
    // The caller learns nothing: every filing is answered alike.
    expect(tally(filed)).toEqual({ 202: 45 });
    const ids = filed.map((a) => a.body.requestId as string);
    const trails = await Promise.all(ids.map(mailAttemptsDone));

    // Then 30 resends for every request that waits for its code, each from another IP.
    const open = ids.filter((_, i) => !trails[i]!.some((e) => e.action === 'request.duplicate'));
    const resends = await Promise.all(open.flatMap((id, j) => Array.from({ length: 30 }, (_, k) => callFrom(`127.0.${10 + j}.${k + 1}`, 'POST', `/v1/requests/${id}/code`))));
    expect(resends.every((a) => [202, 409, 429].includes(a.status))).toBe(true);

    const finalTrails = await Promise.all(ids.map(auditOf));
    const attempts = finalTrails.flat().filter((e) => e.action === 'request.acknowledged' || e.action === 'verification.code_sent').length;
    const dropped = finalTrails.flat().filter((e) => e.action === 'mail.dropped');
    const mails = (await rt.mails()).filter((m) => m.destination.to.some((to) => normalizeEmail(to) === victim));
    expect(attempts).toBeGreaterThanOrEqual(45);
    // Every attempt is either delivered or dropped with an entry on its request's audit trail.
    expect(mails.length + dropped.length).toBe(attempts);
    // At most `limit` per day's window (two windows only if the flood straddles midnight UTC).
    const counts = await windowCounts('mail', hashKey('recipient', normalizeEmail(victim)));
    expect(counts.every((c) => c <= limit)).toBe(true);
    expect(mails.length).toBe(counts.reduce((a, b) => a + b, 0));
    expect(mails.length).toBeLessThanOrEqual(limit * counts.length);
    // Duplicate filings collapse into one notice.
    expect(mails.filter((m) => m.subject.includes('already have an open request')).length).toBeLessThanOrEqual(counts.length);
    expect(dropped[0]?.detail).toMatchObject({ limit: expect.stringMatching(/PerRecipient$/) });
    expect(JSON.stringify(dropped)).not.toContain('@');
  }, 240_000);
});

describe('one client spraying the public endpoints', () => {
  const unknownId = 'dsar_doesnotexist0000000000';

  async function spray(ip: string, scope: string, n: number, call: (i: number) => Promise<Answer>, limit: number, allowedStatus: number) {
    const answers = await Promise.all(Array.from({ length: n }, (_, i) => call(i)));
    const counts = await windowCounts(scope, hashKey('ip', ip));
    const refused = answers.filter((a) => a.status === 429);
    // Exactly the limit per window got through (a burst may straddle two fixed windows), none beyond.
    expect(counts.every((c) => c <= limit)).toBe(true);
    expect(answers.filter((a) => a.status === allowedStatus)).toHaveLength(counts.reduce((a, b) => a + b, 0));
    expect(refused.length).toBeGreaterThanOrEqual(n - limit * counts.length);
    expect(tally(answers)).toEqual({ [allowedStatus]: n - refused.length, 429: refused.length });
    for (const a of refused) {
      expect(a.body.error).toMatchObject({ code: 'rate_limited', message: expect.stringContaining('try again') });
      const seconds = Number(a.retryAfter);
      expect(Number.isInteger(seconds) && seconds >= 1).toBe(true);
      expect(a.body.error.details.retryAfterSeconds).toBe(seconds);
    }
  }

  it('answers verify calls past the limit with 429 and Retry-After, however the caller forges forwarding headers, while another IP is still served', async () => {
    const limit = rt.config.rateLimits.perClientIp.verify.limit;
    const forged = (i: number) => ({ 'x-forwarded-for': `198.51.100.${i % 250}`, 'cloudfront-viewer-address': `203.0.113.${i % 250}:443` });
    await spray('127.0.2.1', 'ip-verify', 300, (i) => callFrom('127.0.2.1', 'POST', `/v1/requests/${unknownId}/verify`, { code: '123456' }, forged(i)), limit, 404);

    expect((await callFrom('127.0.2.2', 'POST', `/v1/requests/${unknownId}/verify`, { code: '123456' })).status).toBe(404);
  }, 120_000);

  it('answers resend calls past the limit with 429 and Retry-After', async () => {
    const limit = rt.config.rateLimits.perClientIp.resend.limit;
    await spray('127.0.2.3', 'ip-resend', 200, () => callFrom('127.0.2.3', 'POST', `/v1/requests/${unknownId}/code`), limit, 404);
  }, 120_000);

  it('stops filings past the limit, counting malformed ones too, and a person on another IP files and verifies as usual', async () => {
    const limit = rt.config.rateLimits.perClientIp.intake.limit;
    await spray('127.0.2.4', 'ip-intake', 200, () => callFrom('127.0.2.4', 'POST', '/v1/requests', { type: 'rectification', email: 'x@example.com' }), limit, 400);

    const filed = await callFrom('127.0.2.5', 'POST', '/v1/requests', { type: 'access', email: 'dora@example.com' });
    expect(filed.status).toBe(202);
    const code = await rt.codeFor(filed.body.requestId, 'dora@example.com');
    expect((await callFrom('127.0.2.5', 'POST', `/v1/requests/${filed.body.requestId}/verify`, { code })).status).toBe(200);
  }, 120_000);
});
