/**
 * Faults and repeats around erasure (and the access packages it must clean up) on the real embedded
 * runtime with the SaaS sandboxes: a vendor that asks us to wait, a real replay of a finished execution,
 * and what is left of a subject's earlier packages once she asked to be erased.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRuntime, type TestRuntime } from '../support/runtime.ts';
import { demoPeople } from '../../infra/local/demo/people.ts';

const CROWD = 60;
let rt: TestRuntime;

beforeAll(async () => {
  rt = await startTestRuntime({ crowd: CROWD });
});
afterAll(async () => {
  await rt?.cleanup();
});

async function fileAndVerify(email: string, type: string): Promise<string> {
  const filed = await rt.api('POST', '/v1/requests', { body: { type, email } });
  expect(filed.status).toBe(202);
  const id = filed.body.requestId as string;
  const code = await rt.codeFor(id, email);
  expect((await rt.api('POST', `/v1/requests/${id}/verify`, { body: { code } })).status).toBe(200);
  await rt.waitForStatus(id, 'awaiting_review');
  return id;
}

async function approve(id: string, type: string) {
  const body = type === 'erasure' ? { confirmRequestId: id } : {};
  expect((await rt.api('POST', `/v1/admin/requests/${id}/approve`, { token: rt.staffToken, body })).status).toBe(200);
}

const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

describe('an erasure the vendor throttles with a hint longer than the connector sleeps on', () => {
  it('waits as long as the vendor asked, on record, then erases and completes', async () => {
    const person = demoPeople(CROWD)[40]!;
    const id = await fileAndVerify(person.email, 'erasure');
    // HubSpot's next answer is a 429 with Retry-After: 3 s, above what the connector sleeps on itself
    // (2 s), and far beyond what the scaled-down Retry would wait (the test runtime scales Retry by 0.01).
    rt.sandboxControl.faults.set('hubspot', { throttle: { count: 1, retryAfterMs: 3_000 } });
    const approved = Date.now();
    await approve(id, 'erasure');

    const done = await rt.waitForStatus(id, ['completed', 'completed_partial', 'awaiting_staff'], 60_000);

    expect(done.request.status).toBe('completed');
    expect(Date.now() - approved).toBeGreaterThanOrEqual(3_000);
    const throttled = done.audit.filter((a: any) => a.action === 'connector.throttled');
    expect(throttled.map((a: any) => a.detail)).toEqual([{ connectorId: 'hubspot', waitSeconds: 3, throttleWaits: 1 }]);
    expect(done.connectors.find((c: any) => c.connectorId === 'hubspot')).toMatchObject({ status: 'succeeded' });
    expect(total(rt.sandboxControl.stores.hubspot.countFor(person.email))).toBe(0);
    expect(rt.sandboxControl.faults.get('hubspot').throttle.count).toBe(0);
  }, 90_000);
});
