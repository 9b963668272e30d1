/**
 * What happens around a request's happy path on the real embedded runtime: a subject who never enters
 * the code, and a runtime that stops and starts again in the middle of a request.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startTestRuntime, type TestRuntime } from '../support/runtime.ts';

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
    const done = await rt.waitForStatus(id, 'completed', 30_000);
    expect(done.connectors.map((c: any) => c.status)).toEqual(['succeeded', 'succeeded']);
    // The restart did not send a second code: the stored token was honoured, not replaced by a new task.
    const codes = (await rt.mails('alice@example.com')).filter((m) => m.subject.startsWith('Your verification code') && m.body.text?.includes(id));
    expect(codes).toHaveLength(1);
  }, 90_000);
});
