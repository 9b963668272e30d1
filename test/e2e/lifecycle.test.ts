/**
 * What happens around a request's happy path on the real embedded runtime: a subject who never enters
 * the code, a runtime that stops and starts again in the middle of a request, and the staff queue's
 * filters and cursor on the real (emulated) DynamoDB.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { requestRecord } from '../support/in-memory-context.ts';
import { startTestRuntime, type TestRuntime } from '../support/runtime.ts';
import { releasePackage } from '../support/release.ts';

const internalOnly = (c: any) => ({ ...c, connectors: c.connectors.filter((x: any) => x.kind === 'dynamodb' || x.kind === 's3') });

describe('a request nobody verifies', () => {
  let rt: TestRuntime;
  afterAll(async () => rt?.cleanup());

  it('is closed after the configured time and the subject is told', async () => {
    rt = await startTestRuntime({
      crowd: 20,
      configOverrides: (c) => ({ ...internalOnly(c), verification: { ...c.verification, unverifiedTimeoutSeconds: 2 } }),
    });
    const id = (await rt.api('POST', '/v1/requests', { body: { type: 'access', email: 'alice@example.com' } })).body.requestId;
    await rt.codeFor(id, 'alice@example.com');
    const closed = await rt.waitForStatus(id, 'unverified_closed', 15_000);
    expect(closed.request.closedAt).toBeTruthy();
    const mail = await rt.waitForMail('alice@example.com', 'was closed');
    expect(mail.body.text).toContain('not confirmed in time');
    expect(closed.connectors).toEqual([]);
    const late = await rt.api('POST', `/v1/requests/${id}/verify`, { body: { code: '123456' } });
    expect(late.status).toBe(409);
  }, 60_000);
});

describe('a restart of the embedded runtime', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dsar-restart-'));
  let rt: TestRuntime | undefined;
  afterAll(async () => {
    await rt?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps stored requests, and a request waiting for its code can be verified and completed afterwards', async () => {
    rt = await startTestRuntime({ keepDir: dir, crowd: 20, configOverrides: internalOnly });
    const id = (await rt.api('POST', '/v1/requests', { body: { type: 'access', email: 'alice@example.com' } })).body.requestId;
    const code = await rt.codeFor(id, 'alice@example.com');
    const staffToken = rt.staffToken;
    await rt.stop();

    rt = await startTestRuntime({ keepDir: dir, crowd: 20, configOverrides: internalOnly });
    expect(rt.staffToken).toBe(staffToken);
    const listed = await rt.api('GET', '/v1/admin/requests', { token: rt.staffToken });
    expect(listed.body.items.map((r: any) => r.requestId)).toContain(id);
    expect((await rt.api('POST', `/v1/requests/${id}/verify`, { body: { code } })).status).toBe(200);
    await rt.waitForStatus(id, 'awaiting_review');
    expect((await rt.api('POST', `/v1/admin/requests/${id}/approve`, { token: rt.staffToken, body: {} })).status).toBe(200);
    await releasePackage(rt, id);
    const done = await rt.waitForStatus(id, 'completed', 30_000);
    expect(done.connectors.map((c: any) => c.status)).toEqual(['succeeded', 'succeeded']);
    // The restart did not send a second code: the stored token was honoured, not replaced by a new task.
    const codes = (await rt.mails('alice@example.com')).filter((m) => m.subject.startsWith('Your verification code') && m.body.text?.includes(id));
    expect(codes).toHaveLength(1);
  }, 90_000);
});

describe('the staff queue on DynamoDB', () => {
  let rt: TestRuntime;
  afterAll(async () => rt?.cleanup());

  it('filters by status, type and jurisdiction in the query, finding matches far beyond the first page, and refuses crafted cursors', async () => {
    rt = await startTestRuntime({ crowd: 5, configOverrides: internalOnly });
    const db = DynamoDBDocumentClient.from(new DynamoDBClient({}));
    // Written as the repository writes an open request: `queueStatus` puts it in the open-by-status index.
    const put = (id: string, dueDate: string, over: Record<string, unknown>) => {
      const item = requestRecord({ requestId: id, dueDate, openSk: `${dueDate}#${id}`, status: 'awaiting_review', ...over });
      return db.send(new PutCommand({ TableName: rt.tables.requests, Item: { ...item, queueStatus: item.status } }));
    };
    // 60 GDPR access requests due first, then the CCPA erasures: the matches sit past two pages of 25.
    for (let i = 0; i < 60; i++) await put(`dsar_queuea${String(i).padStart(4, '0')}`, '2031-01-10', {});
    await put('dsar_queuee0001', '2031-02-01', { type: 'erasure', jurisdiction: 'CCPA', country: 'US' });
    await put('dsar_queuee0002', '2031-02-02', { type: 'erasure', jurisdiction: 'CCPA', country: 'US', status: 'in_progress' });
    await put('dsar_queuee0003', '2031-02-03', { type: 'erasure', jurisdiction: 'CCPA', country: 'US' });
    await put('dsar_queuee0004', '2031-02-04', { type: 'erasure', jurisdiction: 'CCPA', country: 'US' });
    db.destroy();
    const list = (q: string) => rt.api('GET', `/v1/admin/requests?${q}`, { token: rt.staffToken });

    const first = await list('type=erasure&jurisdiction=CCPA&status=awaiting_review&limit=2');
    expect(first.status).toBe(200);
    expect(first.body.items.map((r: any) => r.requestId)).toEqual(['dsar_queuee0001', 'dsar_queuee0003']);
    expect(first.body.cursor).toEqual(expect.any(String));
    const second = await list(`type=erasure&jurisdiction=CCPA&status=awaiting_review&limit=2&cursor=${first.body.cursor}`);
    expect(second.body.items.map((r: any) => r.requestId)).toEqual(['dsar_queuee0004']);
    expect(second.body.cursor).toBeNull();
    const byType = await list('type=erasure&limit=25');
    expect(byType.body.items.map((r: any) => r.requestId)).toEqual(['dsar_queuee0001', 'dsar_queuee0002', 'dsar_queuee0003', 'dsar_queuee0004']);

    // Unfiltered pages follow each other without gaps or repeats.
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await list(`limit=25${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...page.body.items.map((r: any) => r.requestId));
      cursor = page.body.cursor;
    } while (cursor);
    expect(seen.filter((id) => id.startsWith('dsar_queue'))).toHaveLength(64);
    expect(new Set(seen).size).toBe(seen.length);

    for (const crafted of ['e30', 'eyJhIjoiYiJ9', 'bm90LWEtY3Vyc29y']) {
      const refused = await list(`cursor=${crafted}`);
      expect(refused.status, crafted).toBe(400);
      expect(refused.body.error.code).toBe('invalid_cursor');
    }
  }, 60_000);
});
