/**
 * A marketing opt-out end to end on the real embedded runtime (issue 16 item 2, "done when"): alice opts
 * out, HubSpot and Salesforce (sandboxes) and the account store show her opted out, she gets the
 * confirmation, a later access request shows the opt-out per system, and her erasure keeps the hash on
 * the suppression list.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { subjectHash } from '../../functions/commons/tokens.ts';
import { resources } from '../../functions/commons/env.ts';
import { suppressionKey } from '../../functions/domain/suppression/list.ts';
import { ALICE, BOB, demoPeople } from '../../infra/local/demo/people.ts';
import { startTestRuntime, type TestRuntime } from '../support/runtime.ts';
import { unzipToText } from '../support/zip.ts';
import { releasePackage } from '../support/release.ts';
import { accountItems } from '../support/demo-accounts.ts';

const CROWD = 40;
let rt: TestRuntime;

beforeAll(async () => {
  rt = await startTestRuntime({ crowd: CROWD });
});
afterAll(async () => {
  await rt?.cleanup();
});

const db = () => DynamoDBDocumentClient.from(new DynamoDBClient({}));

async function suppressionItem(email: string) {
  return (await db().send(new GetCommand({ TableName: resources.table(), Key: suppressionKey(subjectHash(email)), ConsistentRead: true }))).Item;
}

function salesforceRows(object: 'Contact' | 'Individual', email: string): Array<Record<string, unknown>> {
  const rows = [...rt.sandboxControl.stores.salesforce.objects.get(object)!.values()] as Array<Record<string, unknown>>;
  if (object === 'Contact') return rows.filter((r) => String(r.Email).toLowerCase() === email);
  const ids = new Set(salesforceRows('Contact', email).map((c) => c.IndividualId));
  return rows.filter((r) => ids.has(r.Id));
}

describe("alice's marketing opt-out", () => {
  let id: string;
  let detail: any;

  it('acts on her address without a code (verification.marketing_opt_out: none) and without staff review, and completes', async () => {
    const filed = await rt.api('POST', '/v1/requests', { body: { type: 'marketing_opt_out', email: ALICE.email, details: 'Please stop the newsletter.' } });
    expect(filed.status).toBe(202);
    id = filed.body.requestId;

    detail = await rt.waitForStatus(id, ['completed', 'completed_partial', 'awaiting_staff'], 60_000);

    expect(detail.request.status).toBe('completed');
    expect(detail.request.decision).toMatchObject({ outcome: 'approved', by: 'system' });
    expect(detail.request.subject.details).toBe('Please stop the newsletter.');
    // No code was mailed or entered; the trail says the configuration waived it.
    const actions = detail.audit.map((e: any) => e.action);
    expect(actions).not.toContain('verification.code_sent');
    expect(actions).not.toContain('verification.succeeded');
    expect(detail.audit.find((e: any) => e.action === 'verification.waived')).toMatchObject({ actor: 'system', detail: { reason: 'configuration', setting: 'verification.marketing_opt_out' } });
    // Nothing was read out: no system collected anything and no package exists.
    expect(detail.connectors.map((c: any) => [c.connectorId, Boolean(c.suppression), Object.keys(c.stagingKeys)])).toEqual(detail.connectors.map((c: any) => [c.connectorId, true, []]));
    expect(detail.request.package).toBeUndefined();
    const mails = await rt.mails(ALICE.email);
    expect(mails.filter((m) => m.subject.includes(id)).map((m) => m.subject).sort()).toEqual([`We have stopped marketing to you (request ${id})`, `We received your request (${id})`]);
    expect((await rt.api('POST', `/v1/requests/${id}/verify`, { body: { code: '000000' } })).status).toBe(409);
  }, 90_000);

  it('leaves her opted out in HubSpot, Salesforce and the account store, and everyone else as they were', async () => {
    const stores = rt.sandboxControl.stores;
    expect(stores.hubspot.preferences.get(ALICE.email)!.map((s) => s.status)).toEqual(['NOT_SUBSCRIBED', 'NOT_SUBSCRIBED']);
    expect(salesforceRows('Contact', ALICE.email).map((c) => c.HasOptedOutOfEmail)).toEqual([true]);
    expect(salesforceRows('Individual', ALICE.email).map((i) => i.HasOptedOutSolicit)).toEqual([true]);
    expect((await accountItems(ALICE.email)).map((a) => [a.marketingEmails, typeof a.marketingOptedOutAt])).toEqual([[false, 'string']]);
    expect(stores.hubspot.preferences.get(BOB.email)?.some((s) => s.status === 'SUBSCRIBED')).toBe(true);
    const other = demoPeople(CROWD)[20]!;
    expect((await accountItems(other.email.toLowerCase())).map((a) => a.marketingEmails)).toEqual([true]);
  });

  it('records per system what was done, and systems that do not market as not applicable', () => {
    const byId = Object.fromEntries(detail.connectors.map((c: any) => [c.connectorId, c]));
    expect(byId.hubspot.suppression).toMatchObject({ applies: true, items: [{ object: 'subscription_preferences', suppressed: 2 }] });
    expect(byId.salesforce.suppression).toMatchObject({ applies: true, items: [{ object: 'Contact', suppressed: 1 }, { object: 'Individual', suppressed: 1 }] });
    expect(byId.accounts.suppression).toMatchObject({ applies: true, items: [{ object: 'account', suppressed: 1 }] });
    expect(byId.stripe.suppression).toEqual({ applies: false, items: [] });
  });

  it('tells her where marketing stopped, and that a hash of her address is kept', async () => {
    const mail = await rt.waitForMail(ALICE.email, 'We have stopped marketing to you');
    expect(mail.body.text).toContain('HubSpot (communication and marketing): opted out on');
    expect(mail.body.text).toContain('Salesforce (customer and process management): opted out on');
    expect(mail.body.text).not.toContain('Stripe');
    expect(mail.body.text).toContain('without asking you to confirm your address with a code');
  });

  it('tells the third parties her data was sold or shared with to stop (11 CCR §7026(f)), and names them to her', async () => {
    // LinkedIn has a contact address: mailed once, with her address and our reference only.
    const told = (await rt.mails('privacy-optout@linkedin-ads.test')).filter((m) => m.subject.includes(id));
    expect(told.map((m) => m.subject)).toEqual([`Opt-out of sale or sharing: please stop (our reference ${id})`]);
    expect(told[0]!.body.text).toContain(`The person’s email address: ${ALICE.email}`);
    // Meta has none: a follow-up task for staff.
    const tasks = await rt.api('GET', `/v1/admin/requests/${id}/tasks`, { token: rt.staffToken });
    expect(tasks.body.items.map((t: any) => [t.kind, t.status])).toEqual([['optout-third-party', 'open']]);
    const mail = await rt.waitForMail(ALICE.email, 'We have stopped marketing to you');
    expect(mail.body.text).toContain('LinkedIn (your email address, hashed, to show you our advertising)');
    expect(mail.body.text).toContain('Meta (Facebook, Instagram)');
  });

  it('puts her address on the suppression list as a hash, never in clear', async () => {
    const item = (await suppressionItem(ALICE.email))!;
    expect(item).toMatchObject({ lastRequestId: id });
    expect(Object.keys(item).filter((k) => k.startsWith('system:')).sort()).toEqual(['system:accounts', 'system:hubspot', 'system:salesforce']);
    expect(JSON.stringify(item)).not.toContain(ALICE.email);
  });

  it('tells an import, through the staff API, which of its addresses must not be marketed to', async () => {
    const check = await rt.api('POST', '/v1/admin/suppressions/check', { token: rt.staffToken, body: { emails: ['Alice@Example.com', BOB.email] } });
    expect(check.status).toBe(200);
    expect(check.body.suppressed).toEqual([{ email: 'Alice@Example.com', since: expect.any(String) }]);
    expect((await rt.api('POST', '/v1/admin/suppressions/check', { body: { emails: [ALICE.email] } })).status).toBe(401);
    const bad = await rt.api('POST', '/v1/admin/suppressions/check', { token: rt.staffToken, body: { emails: [] } });
    expect(bad.status).toBe(400);
  });

  it('shows in a later access report, for each of those systems, that she opted out of marketing and when', async () => {
    const access = await rt.fileAndVerify(ALICE.email, 'access');
    await rt.approve(access, 'access');
    await releasePackage(rt, access);
    await rt.waitForStatus(access, 'completed', 60_000);
    const mail = (await rt.mails(ALICE.email)).find((m) => m.body.text?.includes(access) && /\/v1\/downloads\//.test(m.body.text))!;
    const link = /(http:\/\/\S+\/v1\/downloads\/\S+)/.exec(mail.body.text!)![1]!;
    const files = await unzipToText(Buffer.from(await (await fetch(link)).arrayBuffer()));
    const data = JSON.parse(files.get('data.json')!);
    const optOuts = data.systems.flatMap((s: any) => s.objects.filter((o: any) => o.object === 'marketing_opt_out').map((o: any) => [s.connectorId, o.records[0].data.optedOutOfMarketing]));
    expect(optOuts.sort()).toEqual([['accounts', true], ['hubspot', true], ['salesforce', true]]);
    expect(files.get('report.html')).toContain('You opted out of marketing on');
  }, 90_000);

  it('keeps the suppression hash through her erasure', async () => {
    const erasure = await rt.fileAndVerify(ALICE.email, 'erasure');
    await rt.approve(erasure, 'erasure');
    await rt.waitForStatus(erasure, ['completed', 'completed_partial'], 90_000);

    expect(await accountItems(ALICE.email)).toEqual([]);
    expect(await suppressionItem(ALICE.email)).toMatchObject({ lastRequestId: id, 'system:hubspot': expect.any(String) });
    // Her erasure report says what stays and why, rather than letting her read "everything was erased".
    const report = (await rt.mails(ALICE.email)).find((m) => m.subject.includes(erasure) && m.subject.startsWith('Your data was erased'))!;
    expect(report.body.text).toContain('You opted out of marketing on');
    expect(report.body.text).toContain('fingerprint of your email address on our suppression list: it is not erased with your other data');
    const stored = (await rt.api('GET', `/v1/admin/requests/${erasure}`, { token: rt.staffToken })).body.request.erasureReport;
    expect(stored.suppressionKept).toEqual({ since: expect.any(String) });
  }, 120_000);
});

describe("carol's marketing opt-out (no system holds her)", () => {
  it('completes, tells her nothing was found but her choice is kept, and puts her hash on the list', async () => {
    const carol = 'carol@example.com';
    const filed = await rt.api('POST', '/v1/requests', { body: { type: 'marketing_opt_out', email: carol, locale: 'nb' } });
    const id = filed.body.requestId as string;
    await rt.waitForStatus(id, 'completed', 60_000);

    const mail = await rt.waitForMail(carol, 'Vi har sluttet å sende deg markedsføring');
    expect(mail.body.text).toContain('Vi fant ingen markedsføringsopplysninger om deg');
    const item = (await suppressionItem(carol))!;
    expect(item).toMatchObject({ lastRequestId: id });
    expect(Object.keys(item).filter((k) => k.startsWith('system:'))).toEqual([]);
  }, 90_000);
});
