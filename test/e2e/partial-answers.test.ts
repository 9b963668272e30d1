/**
 * Partial vendor answers on the real embedded runtime (issue 12, item 1): HubSpot answering a notes
 * batch read with a 207 that has no results once, or every time. Before, the request completed with 31
 * of alice's 131 HubSpot records and "Your data is ready"; now the workflow retries the connector's
 * typed failure, and either gets the whole answer or hands the request to staff with nothing sent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRuntime, type TestRuntime } from '../support/runtime.ts';
import { releasePackage } from '../support/release.ts';
import { unzipToText } from '../support/zip.ts';
import { ALICE, BOB } from '../../infra/local/demo/people.ts';

let rt: TestRuntime;
/** Records per connector in alice's first, complete export. */
let aliceRecords: Record<string, number>;

beforeAll(async () => {
  rt = await startTestRuntime({ crowd: 20 });
});
afterAll(async () => {
  await rt?.cleanup();
});

/** The fault: a 207 whose body carries no `results`, for `count` notes batch reads. */
const notes207 = (count: number) => rt.sandboxControl.faults.set('hubspot', { failNext: { match: 'notes/batch/read', status: 207, count } });

async function downloadedRecords(email: string, connectorId: string): Promise<Record<string, number>> {
  const mail = await rt.waitForMail(email, 'Your data is ready');
  const link = /(http:\/\/\S+\/v1\/downloads\/\S+)/.exec(mail.body.text!)![1]!;
  const zip = await unzipToText(Buffer.from(await (await fetch(link)).arrayBuffer()));
  const system = JSON.parse(zip.get('data.json')!).systems.find((s: any) => s.connectorId === connectorId);
  return Object.fromEntries(system.objects.map((o: any) => [o.object, o.records.length]));
}

describe('a HubSpot batch read that answers 207 without results once', () => {
  it('is retried by the workflow, and alice gets all 131 of her HubSpot records', async () => {
    // After verification: the preview before review would otherwise meet the fault instead of collect.
    const id = await rt.fileAndVerify(ALICE.email, 'access');
    notes207(1);
    await rt.approve(id, 'access');
    await releasePackage(rt, id, 90_000);

    const done = await rt.waitForStatus(id, ['completed', 'completed_partial', 'awaiting_staff'], 90_000);

    expect(done.request.status).toBe('completed');
    expect(rt.sandboxControl.faults.get('hubspot').failNext).toEqual([]); // the fault did hit a call
    const hubspot = done.connectors.find((c: any) => c.connectorId === 'hubspot');
    expect(hubspot).toMatchObject({ status: 'succeeded', records: 131 });
    expect(hubspot.objects.notes).toBe(120);
    aliceRecords = Object.fromEntries(done.connectors.map((c: any) => [c.connectorId, c.records]));
    const exported = await downloadedRecords(ALICE.email, 'hubspot');
    expect(exported.notes).toBe(120);
    expect(Object.values(exported).reduce((a, b) => a + b, 0)).toBe(131);
  }, 120_000);
});

describe('a HubSpot batch read that answers 207 without results every time', () => {
  let id: string;

  it('reaches staff as a failed connector, with the reason on record and nothing sent to the subject', async () => {
    notes207(10_000);
    try {
      id = await rt.fileAndVerify(BOB.email, 'access');
      await rt.approve(id, 'access');

      const waiting = await rt.waitForStatus(id, ['completed', 'completed_partial', 'awaiting_staff'], 90_000);

      expect(waiting.request.status).toBe('awaiting_staff');
      const hubspot = waiting.connectors.find((c: any) => c.connectorId === 'hubspot');
      expect(hubspot).toMatchObject({ status: 'failed', records: 0, error: { type: 'ConnectorUnavailable' } });
      expect(hubspot.error.message).toContain('POST notes/batch/read left 3 of 3 requested records unaccounted for');
      const failed = waiting.audit.filter((a: any) => a.action === 'connector.failed');
      expect(failed.map((a: any) => a.detail.connectorId)).toEqual(['hubspot']);
      // The status moves (Reconcile) a step before the staff task is opened and audited (AwaitStaffOnFailures).
      const asked = async () => (await rt.api('GET', `/v1/admin/requests/${id}`, { token: rt.staffToken })).body.audit.map((a: any) => a.action) as string[];
      let actions = await asked();
      for (let tries = 0; !actions.includes('connectors.awaiting_staff') && tries < 100; tries++) {
        await new Promise((r) => setTimeout(r, 100));
        actions = await asked();
      }
      expect(actions).toContain('connectors.awaiting_staff');
      expect((await rt.mails(BOB.email)).some((m) => m.subject.includes('Your data is ready'))).toBe(false);
    } finally {
      rt.sandboxControl.faults.reset('hubspot');
    }
  }, 120_000);

  it('completes with every record once staff retry HubSpot after the fault is gone', async () => {
    const retried = await rt.api('POST', `/v1/admin/requests/${id}/retry`, { token: rt.staffToken, body: { connector: 'hubspot' } });
    expect(retried.status).toBe(200);
    await releasePackage(rt, id, 90_000);

    const done = await rt.waitForStatus(id, ['completed', 'completed_partial'], 90_000);

    expect(done.request.status).toBe('completed');
    expect(done.connectors.find((c: any) => c.connectorId === 'hubspot')).toMatchObject({ status: 'succeeded', objects: { notes: 3 } });
    expect((await downloadedRecords(BOB.email, 'hubspot')).notes).toBe(3);
  }, 120_000);
});

describe('one partial answer from each vendor at once', () => {
  it('ends complete with as many records in every system as a clean run', async () => {
    const faults = rt.sandboxControl.faults;
    // After verification: the preview before review would otherwise meet the faults instead of collect.
    const id = await rt.fileAndVerify(ALICE.email, 'access');
    faults.set('hubspot', { failNext: { match: 'notes/batch/read', partial: 'errors', count: 1 } });
    faults.set('salesforce', { failNext: { match: '/query', partial: 'early-end', count: 1 } });
    faults.set('stripe', { failNext: [{ match: '/v1/charges', partial: 'no-results', count: 1 }, { match: '/v1/invoices', partial: 'early-end', count: 1 }] });
    await rt.approve(id, 'access');
    await releasePackage(rt, id, 90_000);

    const done = await rt.waitForStatus(id, ['completed', 'completed_partial', 'awaiting_staff'], 90_000);

    expect(done.request.status).toBe('completed');
    for (const vendor of ['hubspot', 'salesforce', 'stripe']) expect({ vendor, left: faults.get(vendor).failNext }).toEqual({ vendor, left: [] });
    expect(Object.fromEntries(done.connectors.map((c: any) => [c.connectorId, c.records]))).toEqual(aliceRecords);
  }, 120_000);
});
