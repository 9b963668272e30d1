/**
 * The preview before approval on the real embedded runtime: after verification the workflow counts the
 * subject's records per system and object, exporting nothing, and staff see the counts before they
 * decide. The counts are those collect then exports; a denied request exports nothing at all.
 */
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRuntime, type TestRuntime } from '../support/runtime.ts';
import { ALICE, demoPeople } from '../../infra/local/demo/people.ts';
import { STAGING_BUCKET } from '../../infra/local/runtime.ts';
import { stagingPrefix } from '#domain/staging/keys';
import { releasePackage } from '../support/release.ts';

let rt: TestRuntime;

beforeAll(async () => {
  rt = await startTestRuntime({ crowd: 20 });
});
afterAll(async () => {
  await rt?.cleanup();
});

const detailOf = async (id: string) => (await rt.api('GET', `/v1/admin/requests/${id}`, { token: rt.staffToken })).body;

async function stagedKeys(id: string): Promise<string[]> {
  const s3 = new S3Client({ forcePathStyle: true });
  return ((await s3.send(new ListObjectsV2Command({ Bucket: STAGING_BUCKET, Prefix: stagingPrefix(id) }))).Contents ?? []).map((o) => o.Key!);
}

describe("alice's access request", () => {
  it('shows staff her records per system and object before approval, and collect then exports exactly those', async () => {
    const id = await rt.fileAndVerify(ALICE.email, 'access');
    const before = await detailOf(id);

    expect(before.request.status).toBe('awaiting_review');
    expect(before.actions).toEqual(expect.arrayContaining(['approve', 'deny']));
    expect(before.connectors).toEqual([]);
    expect(before.preview.counting).toBe(false);
    expect(before.preview.systems.map((s: any) => s.status)).toEqual(before.preview.systems.map(() => 'counted'));
    expect(before.preview.systems.map((s: any) => s.connectorId).sort()).toEqual(['accounts', 'calls', 'google-analytics', 'hubspot', 'product-db', 'salesforce', 'stripe']);
    expect(before.preview.systems.every((s: any) => s.records > 0)).toBe(true);
    // Nothing was staged: the preview counts, it does not export.
    expect(await stagedKeys(id)).toEqual([]);
    const summary = before.audit.find((a: any) => a.action === 'preview.counted');
    expect(summary.detail.summary).toMatch(/^Preview: .*HubSpot \(communication and marketing\) \d+ records/);
    expect(JSON.stringify(before.audit)).not.toContain(ALICE.email);

    await rt.approve(id, 'access');
    await releasePackage(rt, id, 90_000);
    const done = await rt.waitForStatus(id, ['completed', 'completed_partial', 'awaiting_staff'], 90_000);

    expect(done.request.status).toBe('completed');
    const exported = Object.fromEntries(done.connectors.map((c: any) => [c.connectorId, c.objects]));
    const previewed = Object.fromEntries(done.preview.systems.map((s: any) => [s.connectorId, s.objects]));
    expect(previewed).toEqual(exported);
  }, 120_000);
});

describe("carol's access request (she is in no system)", () => {
  it('shows zero records in every system, none of them failed', async () => {
    const id = await rt.fileAndVerify('carol@example.com', 'access');
    const detail = await detailOf(id);

    expect(detail.preview.systems.length).toBe(7);
    for (const s of detail.preview.systems) expect({ id: s.connectorId, status: s.status, records: s.records }).toEqual({ id: s.connectorId, status: 'counted', records: 0 });
  }, 60_000);
});

describe('a request denied after the preview', () => {
  it('exports nothing: no connector runs and nothing is staged', async () => {
    const id = await rt.fileAndVerify(demoPeople(20)[5]!.email, 'access');
    const denied = await rt.api('POST', `/v1/admin/requests/${id}/deny`, { token: rt.staffToken, body: { reason: 'excessive' } });
    expect(denied.status).toBe(200);

    const done = await rt.waitForStatus(id, 'denied');

    expect(done.preview.systems.length).toBeGreaterThan(0);
    expect(done.connectors).toEqual([]);
    expect(done.audit.map((a: any) => a.action)).not.toContain('connectors.planned');
    expect(await stagedKeys(id)).toEqual([]);
  }, 60_000);
});

describe('an erasure request', () => {
  it("says per object what the configured policy will do: Stripe's billing records are kept", async () => {
    const id = await rt.fileAndVerify('bob@example.com', 'erasure');
    const detail = await detailOf(id);
    const stripe = detail.preview.systems.find((s: any) => s.connectorId === 'stripe');

    expect(stripe.status).toBe('counted');
    expect(Object.keys(stripe.erasure).sort()).toEqual(Object.keys(stripe.objects).sort());
    expect(stripe.erasure.charges).toBe('retain');
  }, 60_000);
});

describe('a connector that fails while counting', () => {
  it('shows as could not count with the error type, and staff can still decide', async () => {
    rt.sandboxControl.faults.set('hubspot', { failNext: { match: '/crm/', status: 401, count: 1_000 } });
    try {
      const id = await rt.fileAndVerify('bob@example.com', 'portability');
      const detail = await detailOf(id);
      const hubspot = detail.preview.systems.find((s: any) => s.connectorId === 'hubspot');

      expect(hubspot).toEqual({ connectorId: 'hubspot', displayName: 'HubSpot (communication and marketing)', status: 'failed', error: 'ConnectorAuthFailed' });
      expect(detail.actions).toEqual(expect.arrayContaining(['approve', 'deny']));
    } finally {
      rt.sandboxControl.faults.reset();
    }
  }, 60_000);
});
