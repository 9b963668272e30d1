/**
 * A restriction of processing (GDPR Art. 18) end to end on the real embedded runtime (issue 16 item 3,
 * "a restriction is set and lifted with the subject told"): alice asks, staff approve, the account store
 * and Salesforce (sandbox) show the mark, staff get a task for each system that cannot mark it, and she is
 * mailed; staff cannot lift before telling her, announce the lifting (she is mailed first), lift; the
 * marks are gone, the request completes, and she is told. Both the restriction and its lifting are passed
 * on to the recipients (Art. 19): Google by mail (it has an address here), the others as staff's tasks.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALICE, demoPeople } from '../../infra/local/demo/people.ts';
import { startTestRuntime, type TestRuntime } from '../support/runtime.ts';
import { accountItems } from '../support/demo-accounts.ts';

let rt: TestRuntime;
/** Google receives the account store's data (its `art15.recipients`); here it has an address for Art. 19 notices. */
const GOOGLE = 'privacy@google.example';

beforeAll(async () => {
  rt = await startTestRuntime({
    crowd: 20,
    configOverrides: (config) => ({
      ...config,
      privacyNotice: { ...config.privacyNotice, recipients: config.privacyNotice.recipients.map((r) => (r.name === 'Google' ? { ...r, notifyEmail: GOOGLE } : r)) },
    }),
  });
});
afterAll(async () => {
  await rt?.cleanup();
});

function aliceIndividuals(): Array<Record<string, unknown>> {
  const { objects } = rt.sandboxControl.stores.salesforce;
  const contacts = [...objects.get('Contact')!.values()] as Array<Record<string, unknown>>;
  const ids = new Set(contacts.filter((c) => String(c.Email).toLowerCase() === ALICE.email).map((c) => c.IndividualId));
  return ([...objects.get('Individual')!.values()] as Array<Record<string, unknown>>).filter((i) => ids.has(i.Id));
}

const act = (id: string, action: string, body: unknown = {}) => rt.api('POST', `/v1/admin/requests/${id}/${action}`, { token: rt.staffToken, body });

describe("alice's restriction", () => {
  let id: string;
  let detail: any;

  it('is filed with its ground, reviewed by staff, and restricted in every system that can mark it', async () => {
    const filed = await rt.api('POST', '/v1/requests', { body: { type: 'restriction', email: ALICE.email, ground: 'accuracy_contested', details: 'My phone number is wrong.' } });
    expect(filed.status).toBe(202);
    id = filed.body.requestId;
    expect((await rt.api('POST', `/v1/requests/${id}/verify`, { body: { code: await rt.codeFor(id, ALICE.email) } })).status).toBe(200);
    await rt.waitForStatus(id, 'awaiting_review', 60_000);
    await rt.approve(id, 'restriction');

    detail = await rt.waitForStatus(id, ['restricted', 'awaiting_staff'], 90_000);

    expect(detail.request.status).toBe('restricted');
    expect(detail.request.restriction).toMatchObject({ ground: 'accuracy_contested', phase: 'set', confirmedAt: expect.any(String) });
    expect(detail.actions).toContain('announce-lifting');
    expect(detail.actions).not.toContain('lift');
  }, 180_000);

  it('leaves the mark on her account and her Salesforce Individual, and nobody else’s', async () => {
    expect((await accountItems(ALICE.email)).map((a) => [a.processingRestricted, typeof a.processingRestrictedAt])).toEqual([[true, 'string']]);
    expect(aliceIndividuals().map((i) => i.HasOptedOutProcessing)).toEqual([true]);
    const other = demoPeople(20).find((p) => p.email !== ALICE.email && p.systems.has('accounts'))!;
    expect((await accountItems(other.email.toLowerCase())).map((a) => a.processingRestricted)).toEqual([undefined]);
    const byId = Object.fromEntries(detail.connectors.map((c: any) => [c.connectorId, c]));
    expect(byId.accounts.restriction).toMatchObject({ phase: 'set', applies: true, items: [{ object: 'account', records: 1 }], byHand: 0 });
    expect(byId.salesforce.restriction).toMatchObject({ phase: 'set', applies: true, items: [{ object: 'Individual', records: 1 }] });
    expect(byId.stripe.restriction).toMatchObject({ applies: false });
  });

  it('gives staff a task for each system that holds her data but cannot mark it', async () => {
    const tasks = await rt.api('GET', `/v1/admin/requests/${id}/tasks`, { token: rt.staffToken });
    const titles = tasks.body.items.filter((t: any) => t.kind === 'restriction-by-hand').map((t: any) => t.title);
    expect(titles.some((t: string) => t.startsWith("Restrict the subject's data in Stripe"))).toBe(true);
    expect(titles.some((t: string) => t.startsWith("Restrict the subject's data in HubSpot"))).toBe(true);
    expect(titles.every((t: string) => !t.includes('Salesforce') && !t.includes('Accounts'))).toBe(true);
  });

  it('tells her where her data is restricted and that she will hear before it is lifted', async () => {
    const mail = await rt.waitForMail(ALICE.email, 'We have restricted the use of your data');
    expect(mail.body.text).toContain('Salesforce (customer and process management): restricted on');
    expect(mail.body.text).toContain('We will tell you before we lift the restriction.');
    expect(mail.body.text).toContain('Our staff are marking your data as restricted by hand in:');
  });

  it('tells the recipients of the restricted systems (Art. 19): Google by mail, Salesforce by its own mark, the others through staff; and tells her so', async () => {
    const notice = await rt.waitForMail(GOOGLE, 'Restriction of processing under GDPR Art. 19');
    expect(notice.body.text).toContain(id);
    const tasks = await rt.api('GET', `/v1/admin/requests/${id}/tasks`, { token: rt.staffToken });
    const art19 = tasks.body.items.filter((t: any) => t.kind === 'art19-recipient').map((t: any) => t.title);
    expect(art19).toEqual(expect.arrayContaining(['Tell Stripe about the restriction of processing (GDPR Art. 19)']));
    expect(art19.some((t: string) => t.includes('Google') || t.includes('Salesforce'))).toBe(false);
    const mail = await rt.waitForMail(ALICE.email, 'We have restricted the use of your data');
    expect(mail.body.text).toMatch(/We have told those we disclosed your data to about the restriction: [^\n]*Salesforce/);
    expect(mail.body.text).toMatch(/We have told those we disclosed your data to about the restriction: [^\n]*Google/);
    expect(mail.body.text).toMatch(/Our staff are telling these recipients of your data about the restriction: [^\n]*Stripe/);
  });

  it('refuses to lift before she was told (409, nothing changes)', async () => {
    const early = await act(id, 'lift');
    expect(early.status).toBe(409);
    expect(early.body.error.code).toBe('notice_required');
    expect(aliceIndividuals().map((i) => i.HasOptedOutProcessing)).toEqual([true]);
  });

  it('mails her the notice first, then lets staff lift: the marks go, the request completes, and she is told', async () => {
    // Today where the request is counted: the notice may not be dated before it.
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: detail.timeZone }).format(new Date());
    const announced = await act(id, 'announce-lifting', { reason: 'We checked your phone number: it is correct.', liftOn: today });
    expect(announced.status).toBe(200);
    const notice = await rt.waitForMail(ALICE.email, 'We intend to lift the restriction');
    expect(notice.body.text).toContain('Why: We checked your phone number: it is correct.');
    expect(announced.body.actions).toContain('lift');

    const lifted = await act(id, 'lift');
    expect(lifted.status).toBe(200);
    const done = await rt.waitForStatus(id, ['completed', 'awaiting_staff'], 90_000);

    expect(done.request.status).toBe('completed');
    expect((await accountItems(ALICE.email)).map((a) => [a.processingRestricted, a.processingRestrictedAt])).toEqual([[undefined, undefined]]);
    expect(aliceIndividuals().map((i) => i.HasOptedOutProcessing)).toEqual([false]);
    const mail = await rt.waitForMail(ALICE.email, 'The restriction on your data has been lifted');
    expect(mail.body.text).toMatch(/We have told those we disclosed your data to that the restriction is lifted: [^\n]*Google/);
    expect((await rt.waitForMail(GOOGLE, 'Restriction of processing lifted')).body.text).toContain(id);
    const all = await rt.mails(ALICE.email);
    expect(all.findIndex((m) => m.subject.includes('We intend to lift'))).toBeLessThan(all.findIndex((m) => m.subject === mail.subject));
    const sentences = done.audit.map((e: any) => e.action);
    expect(sentences).toEqual(expect.arrayContaining(['restriction.confirmed', 'restriction.lifting_announced', 'restriction.lift_started']));
    expect(done.audit.find((e: any) => e.action === 'restriction.lift_started').actor).toBe(announced.body.audit.find((e: any) => e.action === 'restriction.lifting_announced').actor);
  }, 180_000);
});
