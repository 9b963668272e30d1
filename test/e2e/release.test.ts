/**
 * Release after staff review, with redaction, end to end on the embedded runtime: an access request
 * whose type has staff release waits after assembly; staff look into the package, withhold a record and
 * a field with reasons, and release it; the subject's package lacks them and its report says what was
 * withheld and why; the audit trail names the staff member. A portability request with automatic release
 * goes out as before; a viewer cannot release; nothing can be withheld after the release.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRuntime, type TestRuntime } from '../support/runtime.ts';
import { unzipToText } from '../support/zip.ts';
import { DeleteObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ALICE, BOB, demoPeople } from '../../infra/local/demo/people.ts';
import { escalate } from '../../functions/domain/escalation/index.ts';
import { appContext } from '../../functions/domain/context.ts';

let rt: TestRuntime;

beforeAll(async () => {
  rt = await startTestRuntime({
    crowd: 20,
    configOverrides: (config) => ({ ...config, release: { access: 'staff', portability: 'automatic' } }),
  });
}, 60_000);
afterAll(async () => {
  await rt?.cleanup();
});

const staff = () => ({ token: rt.staffToken });

async function keysUnder(bucket: string, prefix: string): Promise<string[]> {
  const s3 = new S3Client({ forcePathStyle: true });
  return ((await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }))).Contents ?? []).map((o) => o.Key!);
}

/** Files, verifies and approves an access request, and waits until its package awaits release. */
async function awaitingRelease(email: string): Promise<string> {
  const id = await rt.fileAndVerify(email, 'access');
  await rt.approve(id, 'access');
  await rt.waitForMail(rt.config.email.staff[0]!, `${id}: access package to review and release`, 60_000);
  return id;
}

async function downloadFrom(mailText: string): Promise<Map<string, string>> {
  const link = /(http:\/\/\S+\/v1\/downloads\/\S+)/.exec(mailText)![1]!;
  const redirect = await fetch(link, { redirect: 'manual' });
  const zip = await fetch(redirect.headers.get('location')!);
  return unzipToText(Buffer.from(await zip.arrayBuffer()));
}

describe('an access request whose type has staff release', () => {
  let id: string;
  let callId: string;

  it('waits for staff after assembly, with the deadline running and nothing mailed to the subject', async () => {
    // The privacy team is told once the task waits (after the status and the audit entry).
    id = await awaitingRelease(ALICE.email);
    const waiting = await rt.waitForStatus(id, 'awaiting_release');
    expect(waiting.actions).toEqual(expect.arrayContaining(['withhold', 'release', 'download', 'cancel']));
    expect(waiting.request.daysLeft).toBeGreaterThan(0);
    expect(waiting.audit.map((e: any) => e.action)).toEqual(expect.arrayContaining(['package.assembled', 'release.requested']));
    expect(waiting.audit.map((e: any) => e.action)).not.toContain('staging.deleted');
    expect((await rt.mails(ALICE.email)).filter((m) => m.subject.includes('Your data is ready'))).toEqual([]);
    const queue = await rt.api('GET', '/v1/admin/requests?status=awaiting_release', staff());
    expect(queue.body.items.map((r: any) => r.requestId)).toContain(id);
  }, 90_000);

  it('shows staff what the package holds, and a page of one object', async () => {
    const contents = await rt.api('GET', `/v1/admin/requests/${id}/contents`, staff());
    expect(contents.status).toBe(200);
    const calls = contents.body.systems.find((s: any) => s.connectorId === 'calls');
    expect(calls.objects[0]).toMatchObject({ object: 'call', withheld: false });
    const page = await rt.api('GET', `/v1/admin/requests/${id}/contents?connector=calls&object=call&offset=0&limit=2`, staff());
    expect(page.status).toBe(200);
    expect(page.body.preview.records).toHaveLength(2);
    expect(page.body.preview.total).toBe(calls.objects[0].count);
    callId = page.body.preview.records[0].id;
    const next = await rt.api('GET', `/v1/admin/requests/${id}/contents?connector=calls&object=call&offset=2&limit=2`, staff());
    expect(next.body.preview.records.map((r: any) => r.id)).not.toContain(callId);
  });

  it('lets a viewer neither look into the package nor release it', async () => {
    expect((await rt.api('GET', `/v1/admin/requests/${id}/contents`, { token: rt.viewerToken })).status).toBe(403);
    expect((await rt.api('POST', `/v1/admin/requests/${id}/release`, { token: rt.viewerToken, body: {} })).status).toBe(403);
    expect((await rt.api('POST', `/v1/admin/requests/${id}/withhold`, { token: rt.viewerToken, body: { connectorId: 'calls', object: 'call', reason: 'third_party' } })).status).toBe(403);
  });

  it('refuses a withholding of something the package does not hold, or for another reason without a note', async () => {
    const unknown = await rt.api('POST', `/v1/admin/requests/${id}/withhold`, { ...staff(), body: { connectorId: 'calls', object: 'call', recordId: 'no-such-call', reason: 'third_party' } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.code).toBe('unknown_record');
    const noNote = await rt.api('POST', `/v1/admin/requests/${id}/withhold`, { ...staff(), body: { connectorId: 'accounts', object: 'account', field: 'lastLoginIp', reason: 'other' } });
    expect(noNote.status).toBe(400);
    expect(noNote.body.error.code).toBe('note_required');
  });

  it('withholds a record and a field with their reasons, and the review package already lacks them', async () => {
    const record = await rt.api('POST', `/v1/admin/requests/${id}/withhold`, { ...staff(), body: { connectorId: 'calls', object: 'call', recordId: callId, reason: 'third_party' } });
    expect(record.status).toBe(200);
    const field = await rt.api('POST', `/v1/admin/requests/${id}/withhold`, {
      ...staff(),
      body: { connectorId: 'accounts', object: 'account', field: 'lastLoginIp', reason: 'other', note: 'The address belongs to a shared office network.' },
    });
    expect(field.status).toBe(200);
    expect(field.body.withheld.map((w: any) => [w.connectorId, w.recordId ?? null, w.field ?? null, w.reason, w.by])).toEqual([
      ['calls', callId, null, 'third_party', 'approver@localhost'],
      ['accounts', null, 'lastLoginIp', 'other', 'approver@localhost'],
    ]);
    const link = await rt.api('GET', `/v1/admin/requests/${id}/package`, staff());
    const review = await unzipToText(Buffer.from(await (await fetch(link.body.url)).arrayBuffer()));
    const data = JSON.parse(review.get('data.json')!);
    const records = (c: string) => data.systems.find((s: any) => s.connectorId === c).objects.flatMap((o: any) => o.records);
    expect(records('calls').map((r: any) => r.id)).not.toContain(callId);
    expect(records('accounts')[0].data).not.toHaveProperty('lastLoginIp');
  }, 60_000);

  it("sends the released package, without what was withheld, and a report that says what and why", async () => {
    const released = await rt.api('POST', `/v1/admin/requests/${id}/release`, { ...staff(), body: {} });
    expect(released.status).toBe(200);
    await rt.waitForStatus(id, 'completed', 60_000);
    const files = await downloadFrom((await rt.waitForMail(ALICE.email, 'Your data is ready')).body.text!);
    const data = JSON.parse(files.get('data.json')!);
    const records = (c: string) => data.systems.find((s: any) => s.connectorId === c).objects.flatMap((o: any) => o.records);
    expect(records('calls').map((r: any) => r.id)).not.toContain(callId);
    expect(records('calls').length).toBeGreaterThan(0);
    expect(records('accounts')[0].data).not.toHaveProperty('lastLoginIp');
    expect(records('accounts')[0].data.email).toBe(ALICE.email);
    expect(files.get('csv/accounts/account.csv')!.split('\r\n')[0]).not.toContain('lastLoginIp');
    const report = files.get('report.html')!;
    const section = report.slice(report.indexOf('id="withheld"'));
    expect(section).toContain('What we withheld and why');
    expect(section).toContain(`the record ${callId}`);
    expect(section).toContain('GDPR Article 15(4)');
    // The field as the report labels it (the field dictionary), not its name in the store.
    expect(section).toContain('the field “IP address at last sign-in” in every record');
    expect(section).not.toContain('lastLoginIp');
    expect(section).toContain('The address belongs to a shared office network.');
    expect(report).not.toContain('198.51.100.');
  }, 90_000);

  it('keeps on the audit trail who withheld what and who released, and deletes the staged records', async () => {
    const detail = (await rt.api('GET', `/v1/admin/requests/${id}`, staff())).body;
    const events = detail.audit.map((e: any) => [e.action, e.actor]);
    expect(events).toEqual(expect.arrayContaining([
      ['package.withheld', 'approver@localhost'],
      ['package.released', 'approver@localhost'],
      ['staging.deleted', 'system'],
    ]));
    expect(events.filter(([a]: string[]) => a === 'package.withheld')).toHaveLength(2);
    expect(detail.request.release.by).toBe('approver@localhost');
  });

  it('refuses to withhold anything after the release, changing nothing', async () => {
    const late = await rt.api('POST', `/v1/admin/requests/${id}/withhold`, { ...staff(), body: { connectorId: 'calls', object: 'call', reason: 'third_party' } });
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('wrong_state');
    expect((await rt.api('POST', `/v1/admin/requests/${id}/release`, { ...staff(), body: {} })).status).toBe(409);
    const detail = (await rt.api('GET', `/v1/admin/requests/${id}`, staff())).body;
    expect(detail.request.withheld).toHaveLength(2);
  });
});

describe('withholdings on one package', () => {
  const db = () => DynamoDBDocumentClient.from(new DynamoDBClient({}));
  /** What a withholding still rebuilding the package leaves on the record (its lock), as of `at`. */
  const lockAt = (id: string, at: string) =>
    db().send(new UpdateCommand({ TableName: rt.tables.requests, Key: { pk: `REQ#${id}`, sk: 'META' }, UpdateExpression: 'SET packageBuild = :b', ExpressionAttributeValues: { ':b': { id: 'other-call', at } } }));
  const withholdCall = (id: string) =>
    rt.api('POST', `/v1/admin/requests/${id}/withhold`, { ...staff(), body: { connectorId: 'calls', object: 'call', reason: 'third_party' } });

  it('are applied one at a time: while one rebuilds, another and the release answer 409 busy; a lock left by a dead call expires', async () => {
    const id = await awaitingRelease(demoPeople(20)[7]!.email);
    await lockAt(id, new Date().toISOString());

    const busy = await withholdCall(id);
    expect(busy.status).toBe(409);
    expect(busy.body.error.code).toBe('busy');
    const release = await rt.api('POST', `/v1/admin/requests/${id}/release`, { ...staff(), body: {} });
    expect(release.status).toBe(409);
    expect(release.body.error.code).toBe('busy');
    expect((await rt.api('GET', `/v1/admin/requests/${id}`, staff())).body.request.withheld).toBeUndefined();

    await lockAt(id, new Date(Date.now() - 20 * 60_000).toISOString());
    const taken = await withholdCall(id);
    expect(taken.status).toBe(200);
    expect(taken.body.withheld).toHaveLength(1);
    expect((await rt.api('GET', `/v1/admin/requests/${id}`, staff())).body.request.packageBuild).toBeUndefined();
  }, 90_000);

  it('record nothing and leave no lock when the rebuild fails', async () => {
    const id = await awaitingRelease(demoPeople(20)[8]!.email);
    // The account store's staged object is gone: the rebuild cannot read it, the check of the call object can.
    const s3 = new S3Client({ forcePathStyle: true });
    for (const key of await keysUnder(rt.buckets.staging, `staging/${id}/accounts/`)) await s3.send(new DeleteObjectCommand({ Bucket: rt.buckets.staging, Key: key }));

    const failed = await withholdCall(id);

    expect(failed.status).toBe(500);
    const after = (await rt.api('GET', `/v1/admin/requests/${id}`, staff())).body;
    expect(after.request.withheld).toBeUndefined();
    expect(after.request.packageBuild).toBeUndefined();
    expect(after.request.status).toBe('awaiting_release');
    expect(after.audit.map((e: any) => e.action)).not.toContain('package.withheld');
  }, 90_000);
});

describe('a package left awaiting release', () => {
  it('is chased by the escalation job as its due date nears, like any open request', async () => {
    const id = await awaitingRelease(demoPeople(20)[5]!.email);
    const due = (await rt.api('GET', `/v1/admin/requests/${id}`, staff())).body.request.dueDate as string;

    const summary = await escalate(appContext(), { now: new Date(`${due}T12:00:00Z`) });

    expect(summary.digests.length).toBeGreaterThan(0);
    const digest = (await rt.mails(rt.config.email.staff[0]!)).filter((m) => m.subject.includes('near a deadline') || m.subject.includes('need attention')).pop()!;
    expect(digest.body.text).toContain(id);
  }, 90_000);

  it('is deleted with its staged records when the request is cancelled, and never reaches the subject', async () => {
    const email = demoPeople(20)[6]!.email;
    const id = await awaitingRelease(email);
    expect((await keysUnder(rt.buckets.staging, `staging/${id}/`)).length).toBeGreaterThan(0);

    const cancelled = await rt.api('POST', `/v1/admin/requests/${id}/cancel`, { ...staff(), body: { reason: 'The subject withdrew the request.' } });

    expect(cancelled.status).toBe(200);
    expect(cancelled.body.request.status).toBe('cancelled');
    expect(await keysUnder(rt.buckets.staging, `staging/${id}/`)).toEqual([]);
    expect(await keysUnder(rt.buckets.exports, `exports/${id}/`)).toEqual([]);
    expect(cancelled.body.audit.map((e: any) => e.action)).toContain('package.discarded');
    expect((await rt.mails(email)).filter((m) => m.subject.includes('Your data is ready'))).toEqual([]);
  }, 90_000);
});

describe('a portability request whose type has automatic release', () => {
  it('goes to the subject as soon as it is assembled, as before', async () => {
    const id = await rt.fileAndVerify(BOB.email, 'portability');
    await rt.approve(id, 'portability');
    const done = await rt.waitForStatus(id, ['completed', 'awaiting_release', 'awaiting_staff'], 60_000);
    expect(done.request.status).toBe('completed');
    expect(done.audit.map((e: any) => e.action)).not.toContain('release.requested');
    await rt.waitForMail(BOB.email, 'Your data is ready');
  }, 90_000);
});
