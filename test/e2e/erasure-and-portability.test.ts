/**
 * Erasure and portability end to end on the real embedded runtime, with the SaaS sandboxes: what is
 * erased, what is kept and why, the confirmation that proves it, a connector that fails, a replay,
 * and bob's portability package.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { startTestRuntime, type TestRuntime } from '../support/runtime.ts';
import { releasePackage } from '../support/release.ts';
import { unzipToText } from '../support/zip.ts';
import { ALICE, BOB, demoPeople } from '../../infra/local/demo/people.ts';
import { confirmErasure } from '../../functions/domain/workflow/confirm-erasure.ts';
import { eraseWithConnector } from '../../functions/domain/workflow/erase.ts';
import { appContext } from '../../functions/domain/context.ts';
import { ConnectorRegistry } from '../../functions/connectors/registry.ts';
import { accountItems } from '../support/demo-accounts.ts';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { createHmac } from 'node:crypto';
import { join } from 'node:path';
import pg from 'pg';
import { productRows } from '../../infra/local/postgres.ts';

const CROWD = 60;
// Stripe keeps these whatever it is asked (bookkeeping); the example configuration retains them, and
// keeps the customer (masked) as the only way to find them again.
const BILLING = ['charges', 'payment_intents', 'invoices', 'credit_notes', 'balance_transactions', 'subscriptions', 'invoiceitems'];
let rt: TestRuntime;

beforeAll(async () => {
  rt = await startTestRuntime({ crowd: CROWD });
});
afterAll(async () => {
  await rt?.cleanup();
});

const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

async function callObjects(accountId: string) {
  const s3 = new S3Client({ forcePathStyle: true });
  return (await s3.send(new ListObjectsV2Command({ Bucket: 'demo-call-history', Prefix: `users/${accountId}/` }))).Contents ?? [];
}

describe("alice's erasure", () => {
  let id: string;
  let detail: any;

  it('needs the approver to confirm the request id', async () => {
    id = await rt.fileAndVerify(ALICE.email, 'erasure');
    const plain = await rt.api('POST', `/v1/admin/requests/${id}/approve`, { token: rt.staffToken, body: {} });
    expect(plain.status).toBe(400);
    expect(plain.body.error.code).toBe('confirmation_required');
    await rt.approve(id, 'erasure');
    detail = await rt.waitForStatus(id, ['completed', 'completed_partial', 'awaiting_staff'], 60_000);
    expect(detail.request.status).toBe('completed');
  }, 90_000);

  it('leaves none of her data in any internal store or sandbox, except the retained billing records', async () => {
    expect(await accountItems(ALICE.email)).toEqual([]);
    expect(await callObjects(ALICE.accountId)).toEqual([]);
    const stores = rt.sandboxControl.stores;
    expect(total(stores.salesforce.countFor(ALICE.email))).toBe(0);
    expect(total(stores.hubspot.countFor(ALICE.email))).toBe(0);
    expect(Object.keys(stores.stripe.countFor(ALICE.email)).filter((o) => !BILLING.includes(o) && o !== 'customers')).toEqual([]);
    // Her Stripe customers stay as the key to the kept billing records, with only the email left.
    const customers = [...stores.stripe.customers.values()].filter((c) => String(c.email).toLowerCase() === ALICE.email);
    expect(customers).toHaveLength(2);
    for (const c of customers) expect(c).toMatchObject({ name: 'REDACTED', phone: null, address: null, metadata: {} });
    expect(total(stores.googleAnalytics.countFor(ALICE.gaUserId, ALICE.gaClientId))).toBe(0);
  });

  it('deletes or masks her product database rows as the dataset says, children before the rows they reference', async () => {
    const { url, maskingKey } = JSON.parse(readFileSync(join(rt.dataDir, 'credentials.json'), 'utf8'))['product-db'];
    const db = new pg.Client({ connectionString: url });
    await db.connect();
    try {
      const q = async (sql: string, values: unknown[]) => (await db.query(sql, values)).rows;
      for (const [table, column] of [['accounts', 'id'], ['meetings', 'owner_id'], ['meeting_participants', 'account_id'], ['call_records', 'account_id']]) {
        expect({ table, left: await q(`SELECT id FROM ${table} WHERE ${column} = $1`, [ALICE.accountId]) }).toEqual({ table, left: [] });
      }
      // Call records are kept for statistics, masked: no account, no address, a fixed device.
      const seeded = productRows(demoPeople(CROWD));
      const calls = seeded.call_records!.filter((r) => r.account_id === ALICE.accountId).map((r) => r.id);
      expect(await q('SELECT account_id, ip_address, device FROM call_records WHERE id = ANY($1)', [calls])).toEqual(calls.map(() => ({ account_id: null, ip_address: null, device: '[erased]' })));
      // Her ticket keeps its subject; her address becomes a keyed hash, the body a fixed text.
      const ticket = seeded.support_tickets!.find((r) => r.requester_email === ALICE.email)!;
      expect(await q('SELECT requester_email, subject, body FROM support_tickets WHERE id = $1', [ticket.id])).toEqual([
        { requester_email: createHmac('sha256', maskingKey).update(ALICE.email).digest('hex'), subject: ticket.subject, body: '[erased]' },
      ]);
      const other = demoPeople(CROWD)[20]!;
      expect(await q('SELECT id FROM accounts WHERE id = $1', [other.accountId])).toEqual([{ id: other.accountId }]);
    } finally {
      await db.end();
    }
    const product = detail.request.erasureReport.systems.find((s: any) => s.connectorId === 'product-db');
    expect(product.items.map((i: any) => [i.object, i.action, i.count])).toEqual([
      ['meeting_participants', 'deleted', 2],
      ['call_records', 'anonymized', 3],
      ['support_tickets', 'anonymized', 1],
      ['meetings', 'deleted', 2],
      ['accounts', 'deleted', 1],
    ]);
  });

  it('leaves everyone else where they were', async () => {
    const other = demoPeople(CROWD)[20]!;
    expect(await accountItems(other.email)).toHaveLength(1);
    expect((await callObjects(other.accountId)).length).toBeGreaterThan(0);
    expect(total(rt.sandboxControl.stores.hubspot.countFor(other.email))).toBeGreaterThan(0);
  });

  it('is proved by the confirmation step, which stores counts only', () => {
    const confirmation = detail.request.erasureConfirmation;
    expect(confirmation.confirmed).toBe(true);
    for (const [connectorId, check] of Object.entries<any>(confirmation.connectors)) {
      expect({ connectorId, residual: check.residual }).toEqual({ connectorId, residual: {} });
    }
    expect(confirmation.connectors['google-analytics'].verifiable).toBe(false);
    expect(JSON.stringify(detail)).not.toContain(ALICE.phone);
  });

  it("tells her what was deleted, what was kept under which basis and until when, and who was told", async () => {
    const mail = await rt.waitForMail(ALICE.email, 'Your data was erased');
    const chargesReason = /Card charges: \d+ records? kept \(reason (\d)\)/.exec(mail.body.text!)![1];
    expect(mail.body.text).toContain(`${chargesReason}. Norwegian Bookkeeping Act`);
    expect(mail.body.text).toContain('5 years after the end of the financial year');
    expect(mail.body.text).toMatch(/Account: 1 record deleted/);
    expect(mail.body.text).not.toMatch(/payment_intents|OpportunityContactRole/);
    expect(mail.body.text).toContain('We told these recipients');
    expect(mail.body.text).toContain('Stripe (payments)');
    const report = detail.request.erasureReport;
    const stripe = report.systems.find((s: any) => s.connectorId === 'stripe');
    expect(stripe.items.filter((i: any) => i.action === 'retained').map((i: any) => i.object).sort()).toEqual(expect.arrayContaining(['charges', 'invoices']));
    expect(report.recipientsNotified.map((r: any) => r.name)).toEqual(
      expect.arrayContaining(['Salesforce (customer and process management)', 'Stripe (payments)', 'HubSpot (communication and marketing)', 'Google Analytics 4 (analytics)']),
    );
  });

  it('shows the same report behind her status link', async () => {
    const ack = await rt.waitForMail(ALICE.email, 'We received your request');
    const token = new URL(/(http\S+token=\S+)/.exec(ack.body.text!)![1]!).searchParams.get('token');
    const status = await rt.api('GET', `/v1/requests/${id}?token=${token}`);
    expect(status.body.status).toBe('completed');
    expect(status.body.erasureReport.systems.length).toBe(7);
  });

  it('records the approver in the audit trail', () => {
    const approval = detail.audit.find((a: any) => a.action === 'review.approved');
    expect(approval.actor).toBe('approver@localhost');
    expect(detail.audit.map((a: any) => a.action)).toEqual(expect.arrayContaining(['erasure.identifiers_resolved', 'erasure.confirmed', 'erasure.reported']));
  });

  it('changes nothing and reports success when replayed', async () => {
    const ctx = appContext();
    const registry = new ConnectorRegistry(ctx.config);
    for (const c of ctx.config.connectors) {
      const again = await eraseWithConnector(ctx, registry, id, c.id);
      if (again.status !== 'succeeded') throw new Error(`${c.id} failed on replay`);
      // Nothing left to delete: only what is kept by policy, or the GA deletion request sent again.
      const changed = (again.erasure ?? []).filter((i) => i.action !== 'not_found' && i.action !== 'retained' && i.count > 0);
      expect({ connector: c.id, changed: c.kind === 'google-analytics' ? [] : changed }).toEqual({ connector: c.id, changed: [] });
    }
    expect((await confirmErasure(ctx, registry, id)).confirmed).toBe(true);
    // Starting the same execution again is a no-op by name.
    const replay = await rt.api('GET', `/v1/admin/requests/${id}`, { token: rt.staffToken });
    expect(replay.body.request.status).toBe('completed');
  }, 60_000);

  it('answers a second erasure request for her with the billing records still kept, and why', async () => {
    const again = await rt.fileAndVerify(ALICE.email, 'erasure');
    await rt.approve(again, 'erasure');
    const detail = await rt.waitForStatus(again, 'completed', 60_000);
    expect(detail.request.erasureConfirmation.connectors.stripe.found).toMatchObject({ customers: 2, charges: 253, invoices: 6 });
    expect(detail.request.erasureConfirmation.connectors.stripe.residual).toEqual({});
    const mail = (await rt.mails(ALICE.email)).filter((m) => m.subject.includes(again) && m.subject.startsWith('Your data was erased')).pop()!;
    expect(mail.body.text, mail.body.text).not.toContain('no personal data about you');
    expect(mail.body.text).toMatch(/Card charges: 253 records kept \(reason \d\)/);
    // Masked by the first erasure, the customers are only kept now: counted once, as kept.
    const customers = /Customer profile: 2 records kept[^(]*\(reason (\d)\)/.exec(mail.body.text!)![1];
    expect(mail.body.text).toContain(`${customers}. Kept only as the key that finds the billing records`);
    expect(mail.body.text).not.toMatch(/Customer profile:[^\n]*anonymised/);
  }, 90_000);

  it('still gives her the kept Stripe records when she asks for access after the erasure', async () => {
    const access = await rt.fileAndVerify(ALICE.email, 'access');
    await rt.api('POST', `/v1/admin/requests/${access}/approve`, { token: rt.staffToken, body: {} });
    await releasePackage(rt, access);
    await rt.waitForStatus(access, 'completed', 60_000);
    const mail = (await rt.mails(ALICE.email)).filter((m) => m.subject.startsWith('Your data is ready') && m.body.text!.includes(access)).pop()!;
    const link = /(http:\/\/\S+\/v1\/downloads\/\S+)/.exec(mail.body.text!)![1]!;
    const files = await unzipToText(Buffer.from(await (await fetch(link)).arrayBuffer()));
    const data = JSON.parse(files.get('data.json')!);
    const stripe = data.systems.find((s: any) => s.connectorId === 'stripe');
    const counts = Object.fromEntries(stripe.objects.map((o: any) => [o.object, o.records.length]));
    expect(counts).toMatchObject({ customers: 2, charges: 253, payment_intents: 253, invoices: 6, credit_notes: 1, balance_transactions: 2 });
    expect(counts.payment_methods ?? 0).toBe(0);
    const salesforce = data.systems.find((s: any) => s.connectorId === 'salesforce');
    expect(salesforce.objects.every((o: any) => o.records.length === 0)).toBe(true);
  }, 90_000);
});

describe('an erasure for an address with no data', () => {
  it('needs the same verification and completes with a report that nothing was found', async () => {
    const filed = await rt.api('POST', '/v1/requests', { body: { type: 'erasure', email: 'carol@example.com' } });
    // The same answer as for an address we hold: `verification` follows from the type and law alone.
    expect(Object.keys(filed.body).sort()).toEqual(['requestId', 'status', 'verification']);
    expect(filed.body.verification).toBe('code');
    const id = filed.body.requestId;
    const code = await rt.codeFor(id, 'carol@example.com');
    await rt.api('POST', `/v1/requests/${id}/verify`, { body: { code } });
    await rt.waitForStatus(id, 'awaiting_review');
    await rt.approve(id, 'erasure');
    await rt.waitForStatus(id, 'completed', 60_000);
    const mail = await rt.waitForMail('carol@example.com', 'Your data was erased');
    expect(mail.body.text).toContain('We found no personal data about you');
  }, 90_000);
});

describe('an erasure with a failing connector', () => {
  it('waits for staff, never reports complete, and completes after a retry', async () => {
    const person = demoPeople(CROWD)[30]!;
    rt.sandboxControl.faults.set('hubspot', { failNext: { match: 'gdpr-delete', status: 503, count: 1000 } });
    const id = await rt.fileAndVerify(person.email, 'erasure');
    await rt.approve(id, 'erasure');
    const waiting = await rt.waitForStatus(id, ['awaiting_staff', 'completed'], 60_000);
    expect(waiting.request.status).toBe('awaiting_staff');
    const hubspot = waiting.connectors.find((c: any) => c.connectorId === 'hubspot');
    expect(hubspot).toMatchObject({ status: 'failed', error: { type: 'ConnectorUnavailable' } });
    await new Promise((r) => setTimeout(r, 1500));
    expect((await rt.api('GET', `/v1/admin/requests/${id}`, { token: rt.staffToken })).body.request.status).toBe('awaiting_staff');
    expect((await rt.mails(person.email)).some((m) => m.subject.startsWith('Your data was erased'))).toBe(false);
    expect(total(rt.sandboxControl.stores.hubspot.countFor(person.email))).toBeGreaterThan(0);

    rt.sandboxControl.faults.reset('hubspot');
    const retried = await rt.api('POST', `/v1/admin/requests/${id}/retry`, { token: rt.staffToken, body: {} });
    expect(retried.status).toBe(200);
    await rt.waitForStatus(id, 'completed', 60_000);
    expect(total(rt.sandboxControl.stores.hubspot.countFor(person.email))).toBe(0);
    const detail = (await rt.api('GET', `/v1/admin/requests/${id}`, { token: rt.staffToken })).body;
    expect(detail.request.erasureConfirmation.confirmed).toBe(true);
    expect(detail.audit.map((a: any) => a.action)).toEqual(expect.arrayContaining(['connector.failed', 'connectors.retry', 'erasure.confirmed']));
  }, 120_000);
});

describe("bob's portability request", () => {
  it('gives JSON and CSV only, with no inferred or derived fields, valid against the shipped schema', async () => {
    const id = await rt.fileAndVerify(BOB.email, 'portability');
    await rt.api('POST', `/v1/admin/requests/${id}/approve`, { token: rt.staffToken, body: {} });
    await releasePackage(rt, id);
    await rt.waitForStatus(id, 'completed', 60_000);
    const mail = await rt.waitForMail(BOB.email, 'Your data is ready');
    const link = /(http:\/\/\S+\/v1\/downloads\/\S+)/.exec(mail.body.text!)![1]!;
    const zip = await fetch(link);
    const files = await unzipToText(Buffer.from(await zip.arrayBuffer()));
    const names = [...files.keys()];
    expect(names).not.toContain('report.html');
    expect(names.every((n) => n === 'data.json' || n === 'schema.json' || n === 'README.txt' || (n.startsWith('csv/') && n.endsWith('.csv')))).toBe(true);

    const data = JSON.parse(files.get('data.json')!);
    const schema = JSON.parse(readFileSync(new URL('../../functions/domain/package/data.schema.json', import.meta.url), 'utf8'));
    expect(JSON.parse(files.get('schema.json')!)).toEqual(schema);
    const ajv = new Ajv2020({ strict: false });
    const validate = ajv.compile(schema);
    expect(validate(data), JSON.stringify(validate.errors)).toBe(true);

    const withRecords = data.systems.filter((s: any) => s.objects.some((o: any) => o.records.length > 0));
    expect(withRecords.map((s: any) => s.connectorId).sort()).toEqual(['hubspot', 'product-db', 'stripe']);
    // Bob never signed up; the product database holds only the support ticket he wrote.
    const product = data.systems.find((s: any) => s.connectorId === 'product-db');
    expect(product.objects.filter((o: any) => o.records.length).map((o: any) => [o.object, o.records.length])).toEqual([['support_tickets', 1]]);
    const everything = files.get('data.json')!;
    // HubSpot's scores and predictions, and deals, are inferred or derived: not portable.
    expect(everything).not.toContain('hubspotscore');
    // Lifecycle stage is HubSpot's classification of the contact, Radar's risk score an inference.
    expect(everything).not.toContain('lifecyclestage');
    expect(everything).not.toContain('risk_score');
    expect(everything).toContain('receipt_email');
    expect(everything).not.toContain('hs_predictivescoringtier');
    expect(data.systems.find((s: any) => s.connectorId === 'hubspot').objects.map((o: any) => o.object)).not.toContain('deals');
  }, 90_000);
});
