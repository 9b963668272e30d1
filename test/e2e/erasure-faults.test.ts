/**
 * Faults and repeats around erasure (and the access packages it must clean up) on the real embedded
 * runtime with the SaaS sandboxes: a vendor that asks us to wait, a real replay of a finished execution,
 * and what is left of a subject's earlier packages once she asked to be erased.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestRuntime, type TestRuntime } from '../support/runtime.ts';
import { releasePackage } from '../support/release.ts';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { DescribeExecutionCommand, ExecutionAlreadyExists, GetExecutionHistoryCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { handler as eraseHandler } from '../../functions/handlers/workflow/act.ts';
import { lambdaContext } from '../functions/handlers/support.ts';
import { ALICE, demoPeople } from '../../infra/local/demo/people.ts';

const CROWD = 60;
let rt: TestRuntime;
/** Alice's completed erasure, replayed at the end. */
let aliceErasureId: string;

beforeAll(async () => {
  rt = await startTestRuntime({ crowd: CROWD });
});
afterAll(async () => {
  await rt?.cleanup();
});

const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

describe('an erasure the vendor throttles with a hint longer than the connector sleeps on', () => {
  it('waits as long as the vendor asked, on record, then erases and completes', async () => {
    const person = demoPeople(CROWD)[40]!;
    const id = await rt.fileAndVerify(person.email, 'erasure');
    // HubSpot's next answer is a 429 with Retry-After: 3 s, above what the connector sleeps on itself
    // (2 s), and far beyond what the scaled-down Retry would wait (the test runtime scales Retry by 0.01).
    rt.sandboxControl.faults.set('hubspot', { throttle: { count: 1, retryAfterMs: 3_000 } });
    // The waits the workflow engine arms (its Wait state among them), recorded as it arms them: the test
    // asserts the wait asked for, not how long it took, which a busy machine stretches.
    const engineWaits: number[] = [];
    const realSetTimeout = globalThis.setTimeout;
    const timers = vi.spyOn(globalThis, 'setTimeout').mockImplementation(((fn: () => void, ms?: number, ...rest: unknown[]) => {
      if (new Error().stack?.includes('aws-local-stepfunctions')) engineWaits.push(ms ?? 0);
      return realSetTimeout(fn, ms, ...rest);
    }) as typeof setTimeout);
    await rt.approve(id, 'erasure');

    const done = await rt.waitForStatus(id, ['completed', 'completed_partial', 'awaiting_staff'], 60_000).finally(() => timers.mockRestore());

    expect(done.request.status).toBe('completed');
    expect(engineWaits).toContain(3_000);
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

  it('keeps the staged copy of her records while staff review the package, and deletes it once it is released', async () => {
    accessId = await rt.fileAndVerify(ALICE.email, 'access');
    await rt.approve(accessId, 'access');
    await rt.waitForStatus(accessId, 'awaiting_release', 60_000);
    expect((await keysUnder(rt.buckets.staging, `staging/${accessId}/`)).length).toBeGreaterThan(0);
    await releasePackage(rt, accessId);
    const done = await rt.waitForStatus(accessId, 'completed', 60_000);

    expect(await keysUnder(rt.buckets.exports, `exports/${accessId}/`)).toHaveLength(1);
    expect(await keysUnder(rt.buckets.staging, `staging/${accessId}/`)).toEqual([]);
    expect(done.audit.map((a: any) => a.action)).toEqual(expect.arrayContaining(['package.assembled', 'staging.deleted']));
  }, 90_000);

  it('leaves nothing of that earlier request under staging/ or exports/ once she is erased, and its link answers gone', async () => {
    const mail = await rt.waitForMail(ALICE.email, 'Your data is ready');
    const link = /(http:\/\/\S+\/v1\/downloads\/\S+)/.exec(mail.body.text!)![1]!;
    erasureId = await rt.fileAndVerify(ALICE.email, 'erasure');
    aliceErasureId = erasureId;
    await rt.approve(erasureId, 'erasure');
    const erased = await rt.waitForStatus(erasureId, ['completed', 'completed_partial', 'awaiting_staff'], 60_000);
    expect(erased.request.status).toBe('completed');

    expect(await keysUnder(rt.buckets.staging, `staging/${accessId}/`)).toEqual([]);
    expect(await keysUnder(rt.buckets.exports, `exports/${accessId}/`)).toEqual([]);
    expect(await keysUnder(rt.buckets.staging, `staging/${erasureId}/`)).toEqual([]);
    const gone = await fetch(link, { redirect: 'manual', headers: { accept: 'application/json' } });
    // Gone because she asked for erasure, which the link says, rather than "expired".
    expect([gone.status, ((await gone.json()) as { error: { code: string } }).error.code]).toEqual([410, 'deleted_by_erasure']);
    const copies = erased.audit.find((a: any) => a.action === 'erasure.earlier_copies_deleted');
    expect(copies.detail).toMatchObject({ requests: [accessId], packageObjects: 1 });
  }, 120_000);

  it('accounts for every configured recipient on record, and names to her only those of systems that held her data', async () => {
    const detail = (await rt.api('GET', `/v1/admin/requests/${erasureId}`, { token: rt.staffToken })).body;
    const mail = (await rt.mails(ALICE.email)).filter((m) => m.subject.startsWith('Your data was erased')).pop()!;

    expect(mail.body.text).toContain('We told these recipients of your data about the erasure:');
    // No system of Microsoft's or the social media platforms' held her data that we know of: staff tell them, she is not told so.
    expect(mail.body.text).not.toMatch(/Microsoft|Social media platforms|Public authorities/);
    // The packages of her earlier access request went with the erasure, and she is told.
    expect(mail.body.text).toContain('We also deleted the copies of your data we had prepared for your earlier request');
    const outstanding = detail.audit.find((a: any) => a.action === 'erasure.recipients_outstanding');
    expect(outstanding.detail.recipients).toEqual(expect.arrayContaining(['Microsoft', 'Social media platforms (Facebook, LinkedIn, Instagram, YouTube)']));
    const report = detail.request.erasureReport;
    const accounted = [...report.recipientsNotified.map((r: any) => r.name), ...report.recipientsNotTold.map((r: any) => r.name)];
    for (const recipient of rt.config.privacyNotice.recipients) {
      expect(accounted.some((name: string) => name.startsWith(recipient.name)), recipient.name).toBe(true);
    }
  });
});

describe("alice's erasure, replayed", () => {
  function snapshot() {
    const stores = rt.sandboxControl.stores;
    return {
      salesforce: stores.salesforce.countFor(ALICE.email),
      hubspot: stores.hubspot.countFor(ALICE.email),
      stripe: stores.stripe.countFor(ALICE.email),
      googleAnalytics: stores.googleAnalytics.countFor(ALICE.gaUserId, ALICE.gaClientId),
    };
  }
  const withoutClock = ({ updatedAt: _u, ...rest }: Record<string, unknown>) => rest;

  it('is a no-op when its execution is started again under the same name', async () => {
    const id = aliceErasureId;
    const sfn = new SFNClient({ endpoint: rt.endpoints.stepfunctions, region: rt.stateMachineArn.split(':')[3]!, credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 });
    const executionArn = `${rt.stateMachineArn.replace(':stateMachine:', ':execution:')}:${id}`;
    const before = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    const history = (await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }))).events!.length;
    const record = withoutClock((await rt.api('GET', `/v1/admin/requests/${id}`, { token: rt.staffToken })).body.request);
    const mails = (await rt.mails(ALICE.email)).length;

    const again = sfn.send(new StartExecutionCommand({ stateMachineArn: rt.stateMachineArn, name: id, input: JSON.stringify({ requestId: id }) }));

    await expect(again).rejects.toBeInstanceOf(ExecutionAlreadyExists);
    await new Promise((r) => setTimeout(r, 500));
    const after = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    expect([before.status, after.status, after.stopDate]).toEqual(['SUCCEEDED', 'SUCCEEDED', before.stopDate]);
    expect((await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }))).events!.length).toBe(history);
    expect(withoutClock((await rt.api('GET', `/v1/admin/requests/${id}`, { token: rt.staffToken })).body.request)).toEqual(record);
    expect((await rt.mails(ALICE.email)).length).toBe(mails);
    sfn.destroy();
  });

  it('changes nothing when the erase steps run again through their Lambda handlers after completion', async () => {
    const id = aliceErasureId;
    const stores = snapshot();
    const record = withoutClock((await rt.api('GET', `/v1/admin/requests/${id}`, { token: rt.staffToken })).body.request);
    const mails = (await rt.mails(ALICE.email)).length;

    for (const c of rt.config.connectors) {
      // The payload the Map hands the step, as the state machine would send it on a replay.
      const out = (await eraseHandler({ requestId: id, connectorId: c.id, throttleWaits: 0, waitedSeconds: 0 }, lambdaContext())) as any;
      expect({ connector: c.id, status: out.status }).toEqual({ connector: c.id, status: 'succeeded' });
      // Nothing left to delete: only what is kept by policy, or Google Analytics' deletion request sent again.
      const changed = (out.erasure ?? []).filter((i: any) => i.action !== 'not_found' && i.action !== 'retained' && i.count > 0);
      expect({ connector: c.id, changed: c.kind === 'google-analytics' ? [] : changed }).toEqual({ connector: c.id, changed: [] });
    }

    expect(snapshot()).toEqual(stores);
    expect(withoutClock((await rt.api('GET', `/v1/admin/requests/${id}`, { token: rt.staffToken })).body.request)).toEqual(record);
    expect((await rt.mails(ALICE.email)).length).toBe(mails);
  }, 60_000);
});

describe('an erasure where staff accept one failed system as missing', () => {
  it('still reads back every other system, does not ask staff about the accepted one again, and tells the subject plainly', async () => {
    const person = demoPeople(CROWD)[41]!;
    rt.sandboxControl.faults.set('hubspot', { failNext: { match: 'gdpr-delete', status: 503, count: 1000 } });
    const id = await rt.fileAndVerify(person.email, 'erasure');
    await rt.approve(id, 'erasure');
    await rt.waitForStatus(id, 'awaiting_staff', 60_000);
    rt.sandboxControl.faults.reset('hubspot');
    const reason = 'HubSpot support is deleting the contact by hand (ticket 4411).';

    expect((await rt.api('POST', `/v1/admin/requests/${id}/accept-partial`, { token: rt.staffToken, body: { reason } })).status).toBe(200);
    const done = await rt.waitForStatus(id, ['completed', 'completed_partial'], 60_000);

    expect(done.request.status).toBe('completed_partial');
    const actions: string[] = done.audit.map((a: any) => a.action);
    expect(actions.indexOf('erasure.confirmed')).toBeGreaterThan(actions.indexOf('connectors.accepted_partial'));
    const checked = Object.keys(done.request.erasureConfirmation.connectors).sort();
    expect(checked).toEqual(['accounts', 'calls', 'google-analytics', 'product-db', 'salesforce', 'stripe']);
    // HubSpot still holds the person (it was never erased), and that did not send the request back to staff.
    expect(total(rt.sandboxControl.stores.hubspot.countFor(person.email))).toBeGreaterThan(0);
    const mail = await rt.waitForMail(person.email, 'Your data was erased');
    expect(mail.body.text).toContain('We could not erase your data, or could not confirm that it was erased, in these systems:');
    expect(mail.body.text).toContain(`HubSpot (communication and marketing): your data may still be there. Why: ${reason}`);
  }, 120_000);
});
