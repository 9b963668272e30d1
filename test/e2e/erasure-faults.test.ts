/**
 * Faults and repeats around erasure (and the access packages it must clean up) on the real embedded
 * runtime with the SaaS sandboxes: a vendor that asks us to wait, a real replay of a finished execution,
 * and what is left of a subject's earlier packages once she asked to be erased.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRuntime, type TestRuntime } from '../support/runtime.ts';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { ALICE, demoPeople } from '../../infra/local/demo/people.ts';

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

async function keysUnder(bucket: string, prefix: string): Promise<string[]> {
  const s3 = new S3Client({ forcePathStyle: true });
  return ((await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }))).Contents ?? []).map((o) => o.Key!);
}

describe("alice's access request, then her erasure", () => {
  let accessId: string;
  let erasureId: string;

  it('deletes the staged copy of her records as soon as her package is built', async () => {
    accessId = await fileAndVerify(ALICE.email, 'access');
    await approve(accessId, 'access');
    const done = await rt.waitForStatus(accessId, 'completed', 60_000);

    expect(await keysUnder(rt.buckets.exports, `exports/${accessId}/`)).toHaveLength(1);
    expect(await keysUnder(rt.buckets.staging, `staging/${accessId}/`)).toEqual([]);
    expect(done.audit.map((a: any) => a.action)).toEqual(expect.arrayContaining(['package.assembled', 'staging.deleted']));
  }, 90_000);

  it('leaves nothing of that earlier request under staging/ or exports/ once she is erased, and its link answers gone', async () => {
    const mail = await rt.waitForMail(ALICE.email, 'Your data is ready');
    const link = /(http:\/\/\S+\/v1\/downloads\/\S+)/.exec(mail.body.text!)![1]!;
    erasureId = await fileAndVerify(ALICE.email, 'erasure');
    await approve(erasureId, 'erasure');
    const erased = await rt.waitForStatus(erasureId, ['completed', 'completed_partial', 'awaiting_staff'], 60_000);
    expect(erased.request.status).toBe('completed');

    expect(await keysUnder(rt.buckets.staging, `staging/${accessId}/`)).toEqual([]);
    expect(await keysUnder(rt.buckets.exports, `exports/${accessId}/`)).toEqual([]);
    expect(await keysUnder(rt.buckets.staging, `staging/${erasureId}/`)).toEqual([]);
    expect((await fetch(link, { redirect: 'manual' })).status).toBe(410);
    const copies = erased.audit.find((a: any) => a.action === 'erasure.earlier_copies_deleted');
    expect(copies.detail).toMatchObject({ requests: [accessId], packageObjects: 1 });
  }, 120_000);

  it('names every configured recipient in her report: told, or to be told by our staff, which staff see on record', async () => {
    const detail = (await rt.api('GET', `/v1/admin/requests/${erasureId}`, { token: rt.staffToken })).body;
    const mail = (await rt.mails(ALICE.email)).filter((m) => m.subject.startsWith('Your data was erased')).pop()!;

    expect(mail.body.text).toContain('We told these recipients of your data about the erasure:');
    expect(mail.body.text).toContain('Our staff will tell these recipients of your data about the erasure:');
    expect(mail.body.text).toContain('  - Microsoft, to be told by our staff');
    expect(mail.body.text).toContain('  - Social media platforms (Facebook, LinkedIn, Instagram, YouTube), to be told by our staff');
    const outstanding = detail.audit.find((a: any) => a.action === 'erasure.recipients_outstanding');
    expect(outstanding.detail.recipients).toEqual(expect.arrayContaining(['Microsoft', 'Social media platforms (Facebook, LinkedIn, Instagram, YouTube)']));
    const report = detail.request.erasureReport;
    const accounted = [...report.recipientsNotified.map((r: any) => r.name), ...report.recipientsNotTold.map((r: any) => r.name)];
    for (const recipient of rt.config.privacyNotice.recipients) {
      expect(accounted.some((name: string) => name.startsWith(recipient.name)), recipient.name).toBe(true);
    }
  });
});

describe('an erasure where staff accept one failed system as missing', () => {
  it('still reads back every other system, does not ask staff about the accepted one again, and tells the subject plainly', async () => {
    const person = demoPeople(CROWD)[41]!;
    rt.sandboxControl.faults.set('hubspot', { failNext: { match: 'gdpr-delete', status: 503, count: 1000 } });
    const id = await fileAndVerify(person.email, 'erasure');
    await approve(id, 'erasure');
    await rt.waitForStatus(id, 'awaiting_staff', 60_000);
    rt.sandboxControl.faults.reset('hubspot');
    const reason = 'HubSpot support is deleting the contact by hand (ticket 4411).';

    expect((await rt.api('POST', `/v1/admin/requests/${id}/accept-partial`, { token: rt.staffToken, body: { reason } })).status).toBe(200);
    const done = await rt.waitForStatus(id, ['completed', 'completed_partial'], 60_000);

    expect(done.request.status).toBe('completed_partial');
    const actions: string[] = done.audit.map((a: any) => a.action);
    expect(actions.indexOf('erasure.confirmed')).toBeGreaterThan(actions.indexOf('connectors.accepted_partial'));
    const checked = Object.keys(done.request.erasureConfirmation.connectors).sort();
    expect(checked).toEqual(['accounts', 'calls', 'google-analytics', 'salesforce', 'stripe']);
    // HubSpot still holds the person (it was never erased), and that did not send the request back to staff.
    expect(total(rt.sandboxControl.stores.hubspot.countFor(person.email))).toBeGreaterThan(0);
    const mail = await rt.waitForMail(person.email, 'Your data was erased');
    expect(mail.body.text).toContain('We could not erase your data, or could not confirm that it was erased, in these systems:');
    expect(mail.body.text).toContain(`HubSpot (communication and marketing): your data may still be there. Why: ${reason}`);
  }, 120_000);
});
