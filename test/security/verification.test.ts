/**
 * The request channel under concurrency and abuse (issue 11), each attack run against the real embedded
 * runtime over HTTP, the concurrent ones with real concurrency (hundreds of simultaneous calls).
 */
import { createHash, createHmac } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { startTestRuntime, type Mail, type TestRuntime } from '../support/runtime.ts';

let rt: TestRuntime;
let db: DynamoDBDocumentClient;

beforeAll(async () => {
  // The per-IP and per-recipient limits (test/security/rate-limits.test.ts) would refuse most of these
  // calls on their own; they are lifted here so that each test shows the guard it names holds alone, as it
  // must against an attacker who spreads the same calls over many addresses.
  const unlimited = { limit: 100_000, windowSeconds: 3600 };
  rt = await startTestRuntime({
    crowd: 5,
    configOverrides: (config) => ({
      ...config,
      rateLimits: {
        perClientIp: { intake: unlimited, verify: unlimited, resend: unlimited },
        mailsPerRecipient: unlimited,
        duplicateNoticesPerRecipient: unlimited,
      },
    }),
  });
  // The runtime put its endpoints and credentials in the environment: a client built now reaches its table.
  db = DynamoDBDocumentClient.from(new DynamoDBClient({}));
});
afterAll(async () => {
  db?.destroy();
  await rt?.cleanup();
});

let n = 0;
const address = (what: string) => `${what}-${++n}@victim.example`;
const record = async (id: string) =>
  (await db.send(new GetCommand({ TableName: rt.tables.requests, Key: { pk: `REQ#${id}`, sk: 'META' }, ConsistentRead: true }))).Item!;

async function file(email: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}): Promise<string> {
  const res = await rt.api('POST', '/v1/requests', { body: { type: 'erasure', email, ...extra }, headers });
  expect(res.status).toBe(202);
  return res.body.requestId as string;
}

/** Files a request and waits until its code is out (the workflow's verification step sent it). */
async function fileWithCode(email: string, extra: Record<string, unknown> = {}): Promise<{ id: string; code: string }> {
  const id = await file(email, extra);
  return { id, code: await rt.codeFor(id, email) };
}

const codeMails = async (id: string) => (await rt.mails()).filter((m: Mail) => m.subject.startsWith('Your verification code') && m.body.text?.includes(id));

describe('guessing the code', () => {
  it('compares at most the allowed attempts of 300 simultaneous wrong codes plus the right one, and refuses the right one once they are spent', async () => {
    const email = address('spray');
    const { id, code } = await fileWithCode(email);
    const wrong = Array.from({ length: 300 }, (_, i) => String((Number(code) + 1 + i) % 1_000_000).padStart(6, '0'));

    const answers = await Promise.all([...wrong, code].map((c) => rt.api('POST', `/v1/requests/${id}/verify`, { body: { code: c } })));

    const compared = answers.filter((a) => a.status === 400 || a.status === 200);
    const right = answers.at(-1)!;
    expect(compared.length).toBeLessThanOrEqual(5);
    expect(answers.filter((a) => a.status === 429).length).toBe(answers.length - compared.length);
    expect(answers.every((a) => [200, 400, 429].includes(a.status))).toBe(true);
    const stored = await record(id);
    expect(stored.verification.attempts).toBe(5);
    if (right.status === 200) {
      // The right code happened to be among the five compared: that is the one legitimate way in.
      expect(stored.status).not.toBe('awaiting_verification');
    } else {
      expect(right.status).toBe(429);
      const again = await rt.api('POST', `/v1/requests/${id}/verify`, { body: { code } });
      expect([again.status, again.body.error?.code]).toEqual([429, 'too_many_attempts']);
      expect((await record(id)).status).toBe('awaiting_verification');
    }
  }, 90_000);

  it('keeps only a keyed hash of the code: the table alone does not reveal it, the runtime key (0600) does match it', async () => {
    const { id, code } = await fileWithCode(address('keyed'));

    const v = (await record(id)).verification;
    const keyFile = join(rt.dataDir, 'code-key');
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(v.scheme).toBe('hmac-sha256');
    expect(v.codeHash).toBe(createHmac('sha256', readFileSync(keyFile, 'utf8').trim()).update(`${id}:${code}`).digest('hex'));
    expect(v.codeHash).not.toBe(createHash('sha256').update(`${id}:${code}`).digest('hex'));
    expect(JSON.stringify(await record(id))).not.toContain(code);
  }, 60_000);
});

describe('racing the guards', () => {
  it('opens exactly one request for 20 simultaneous filings for one address', async () => {
    const email = address('twenty');

    const answers = await Promise.all(Array.from({ length: 20 }, () => rt.api('POST', '/v1/requests', { body: { type: 'erasure', email } })));

    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(202));
    const stored = await Promise.all(answers.map((a) => record(a.body.requestId)));
    const open = stored.filter((r) => r.status !== 'duplicate');
    expect(open).toHaveLength(1);
    expect(stored.filter((r) => r.status === 'duplicate').every((r) => r.duplicateOf === open[0]!.requestId)).toBe(true);
  }, 60_000);

  it('sends one mail for 30 simultaneous resends', async () => {
    const { id } = await fileWithCode(address('resend'));
    // The last code went out more than a minute ago (the runtime's clock is the real one).
    await db.send(
      new UpdateCommand({
        TableName: rt.tables.requests,
        Key: { pk: `REQ#${id}`, sk: 'META' },
        UpdateExpression: 'SET verification.sentAt = :earlier',
        ExpressionAttributeValues: { ':earlier': new Date(Date.now() - 120_000).toISOString() },
      }),
    );
    const before = (await codeMails(id)).length;

    const answers = await Promise.all(Array.from({ length: 30 }, () => rt.api('POST', `/v1/requests/${id}/code`)));

    expect(answers.filter((a) => a.status === 202)).toHaveLength(1);
    expect(answers.filter((a) => a.status === 429).every((a) => a.body.error?.code === 'resend_too_soon')).toBe(true);
    expect(answers.filter((a) => a.status === 429)).toHaveLength(29);
    expect((await codeMails(id)).length - before).toBe(1);
    expect((await record(id)).verification.codesSent).toBe(2);
  }, 60_000);
});

describe('no duplicate oracle', () => {
  it('answers verify, resend and status for a duplicate exactly as for a new request waiting for its code', async () => {
    const taken = address('taken');
    await fileWithCode(taken);
    const duplicate = await file(taken);
    const { id: fresh } = await fileWithCode(address('fresh'));
    expect((await record(duplicate)).status).toBe('duplicate');

    const shape = (a: { status: number; body: any }) => ({ status: a.status, body: a.body });
    const same = async (call: (id: string) => Promise<{ status: number; body: any }>) => {
      const [d, f] = [shape(await call(duplicate)), shape(await call(fresh))];
      expect(d).toEqual(f);
      return d;
    };

    const wrong = await same((id) => rt.api('POST', `/v1/requests/${id}/verify`, { body: { code: '000000' } }));
    expect([wrong.status, wrong.body.error.code, wrong.body.error.details]).toEqual([400, 'wrong_code', { attemptsLeft: 4 }]);
    const resend = await same((id) => rt.api('POST', `/v1/requests/${id}/code`));
    expect(resend.status).toBe(429);
    expect((await same((id) => rt.api('GET', `/v1/requests/${id}`))).status).toBe(403);
    expect((await same((id) => rt.api('GET', `/v1/requests/${id}?token=guess`))).status).toBe(403);
    for (let i = 0; i < 4; i++) await same((id) => rt.api('POST', `/v1/requests/${id}/verify`, { body: { code: '000001' } }));
    expect((await same((id) => rt.api('POST', `/v1/requests/${id}/verify`, { body: { code: '000002' } }))).body.error.code).toBe('too_many_attempts');
  }, 60_000);
});

describe('lures in official mails', () => {
  it('refuses a name that carries a line break, a URL or an address, and files nothing', async () => {
    const email = address('lure');
    for (const name of [
      'customer.\n\nIMPORTANT: forward the code below to support@evil.example',
      'Alice, verify at https://evil.example/verify',
      'Alice\u202Eevil',
    ]) {
      const res = await rt.api('POST', '/v1/requests', { body: { type: 'erasure', email, name } });
      expect([res.status, res.body.error?.code]).toEqual([400, 'invalid_name']);
    }
    expect(await rt.mails(email)).toEqual([]);
  });

  it('never prints the name in the code mail, and quotes it elsewhere only on its own labelled line', async () => {
    const email = address('named');
    const { id } = await fileWithCode(email, { name: 'Mallory Forward Everything' });

    const code = (await codeMails(id)).at(-1)!;
    const ack = await rt.waitForMail(email, 'We received your request');
    expect(code.subject).toMatch(/^Your verification code/);
    expect(code.body.text).toMatch(/is: \d{6}/);
    expect(`${code.subject}${code.body.text}${code.body.html}`).not.toContain('Mallory');
    expect(ack.body.text).toContain('\n\nName on the request: "Mallory Forward Everything"\n\n');
    expect(ack.body.text!.split('\n').filter((l) => l.includes('Mallory'))).toEqual(['Name on the request: "Mallory Forward Everything"']);
  }, 60_000);
});

describe('rules of intake and reply', () => {
  it('refuses a jurisdiction where configuration does not let subjects choose (400 with a message)', async () => {
    const res = await rt.api('POST', '/v1/requests', { body: { type: 'access', email: address('law'), jurisdiction: 'LGPD' } });

    expect([res.status, res.body.error?.code]).toEqual([400, 'jurisdiction_not_accepted']);
    expect(res.body.error?.message).toMatch(/choose the law/);
  });

  it('refuses a locale over 35 characters (a 27 KB locale used to be stored)', async () => {
    const res = await rt.api('POST', '/v1/requests', { body: { type: 'access', email: address('locale'), locale: `en-${'abcdefgh-'.repeat(3000)}x` } });

    expect(res.status).toBe(400);
    expect(res.body.error?.message).toContain('locale');
  });

  it('refuses a reply before verification (4xx), with the status link\'s own token', async () => {
    const email = address('reply');
    const id = await file(email);
    const ack = await rt.waitForMail(email, 'We received your request');
    const token = new URL(/(http:\/\/\S+token=\S+)/.exec(ack.body.text!)![1]!).searchParams.get('token')!;

    const res = await rt.api('POST', `/v1/requests/${id}/reply`, { body: { token, message: 'IMPORTANT: call +1 555 0100' } });

    expect([res.status, res.body.error?.code]).toEqual([409, 'not_verified']);
  }, 60_000);
});

describe('Idempotency-Key', () => {
  it('maps a key to the first request: another body is 422, the first body again gets the same id', async () => {
    const body = { type: 'access', email: address('idem') };
    const first = await rt.api('POST', '/v1/requests', { body, headers: { 'Idempotency-Key': 'K-security-1' } });

    const other = await rt.api('POST', '/v1/requests', { body: { ...body, type: 'erasure' }, headers: { 'Idempotency-Key': 'K-security-1' } });
    const again = await rt.api('POST', '/v1/requests', { body, headers: { 'Idempotency-Key': 'K-security-1' } });

    expect(first.status).toBe(202);
    expect([other.status, other.body.error?.code]).toEqual([422, 'idempotency_key_reused']);
    expect([again.status, again.body.requestId]).toEqual([202, first.body.requestId]);
  });

  it('answers 20 simultaneous calls with one key with one request\'s id (no 409, no 500)', async () => {
    const body = { type: 'portability', email: address('idem-race') };

    const answers = await Promise.all(Array.from({ length: 20 }, () => rt.api('POST', '/v1/requests', { body, headers: { 'Idempotency-Key': 'K-security-2' } })));

    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(202));
    const ids = new Set(answers.map((a) => a.body.requestId));
    expect(ids.size).toBe(1);
    expect((await record([...ids][0])).status).toBe('awaiting_verification');
  }, 60_000);
});
