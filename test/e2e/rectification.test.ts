/**
 * A rectification end to end on the real embedded runtime (issue 16 item 1, "done when"): bob asks to
 * have his phone number corrected; staff see his current phone in Stripe and HubSpot (the sandboxes)
 * before they decide, approve the correction and refuse another; the sandboxes then hold the new phone,
 * and bob's mail lists both systems and the refusal with its reason.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOB, demoPeople } from '../../infra/local/demo/people.ts';
import { startTestRuntime, type TestRuntime } from '../support/runtime.ts';

const NEW_PHONE = '+47 912 34 567';
let rt: TestRuntime;

beforeAll(async () => {
  rt = await startTestRuntime({ crowd: 20 });
});
afterAll(async () => {
  await rt?.cleanup();
});

const detailOf = async (id: string) => (await rt.api('GET', `/v1/admin/requests/${id}`, { token: rt.staffToken })).body;
const stripeCustomer = () => [...rt.sandboxControl.stores.stripe.customers.values()].find((c) => c.email === BOB.email)!;
const hubspotContact = () => [...rt.sandboxControl.stores.hubspot.objects.get('contacts')!.values()].find((c) => c.properties.email === BOB.email)!;

describe("bob's rectification of his phone number", () => {
  let id: string;
  let before: any;

  it('is filed with the phone he says is right, verified by his code, and waits for staff with the current values', async () => {
    const filed = await rt.api('POST', '/v1/requests', { body: { type: 'rectification', email: BOB.email, rectification: { fields: { phone: NEW_PHONE } }, details: 'My number changed.' } });
    expect(filed.status).toBe(202);
    id = filed.body.requestId;
    expect((await rt.api('POST', `/v1/requests/${id}/verify`, { body: { code: await rt.codeFor(id, BOB.email) } })).status).toBe(200);

    await rt.waitForStatus(id, 'awaiting_review', 60_000);
    before = await detailOf(id);

    expect(before.request.subject.rectification).toEqual({ fields: { phone: NEW_PHONE } });
    expect(before.rectification.fieldsAsked).toEqual(['phone']);
    const shown = Object.fromEntries(before.rectification.systems.map((s: any) => [s.connectorId, s]));
    expect(shown.stripe.values).toEqual([{ object: 'customers', recordId: stripeCustomer().id, field: 'phone', systemField: 'phone', value: BOB.phone }]);
    expect(shown.hubspot.values).toEqual([{ object: 'contacts', recordId: hubspotContact().id, field: 'phone', systemField: 'phone', value: BOB.phone }]);
    expect(shown['google-analytics'].status).toBe('nothing_to_correct');
    // The values are the subject's data: never on the audit trail.
    expect(JSON.stringify(before.audit)).not.toContain(BOB.phone);
  }, 90_000);

  it('refuses an approval that names a record the preview did not show, and changes nothing', async () => {
    const res = await rt.api('POST', `/v1/admin/requests/${id}/approve`, {
      token: rt.staffToken,
      body: { rectification: { corrections: [{ connectorId: 'stripe', object: 'customers', recordId: 'cus_not_bobs', field: 'phone', value: NEW_PHONE }], refusals: [] } },
    });

    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('unknown_record');
    expect((await detailOf(id)).request.status).toBe('awaiting_review');
  });

  it('writes the corrections staff approve to Stripe and HubSpot, confirmed by reading them back', async () => {
    const corrections = before.rectification.systems.flatMap((s: any) => s.values.map((v: any) => ({ connectorId: s.connectorId, object: v.object, recordId: v.recordId, field: v.field, value: NEW_PHONE })));
    const approved = await rt.api('POST', `/v1/admin/requests/${id}/approve`, {
      token: rt.staffToken,
      body: { rectification: { corrections, refusals: [{ field: 'name', reason: 'The name we hold matches your signed contract.' }] } },
    });
    expect(approved.status).toBe(200);

    const done = await rt.waitForStatus(id, ['completed', 'completed_partial', 'awaiting_staff'], 90_000);

    expect(done.request.status).toBe('completed');
    expect(stripeCustomer().phone).toBe(NEW_PHONE);
    expect(hubspotContact().properties.phone).toBe(NEW_PHONE);
    const byId = Object.fromEntries(done.connectors.map((c: any) => [c.connectorId, c]));
    expect(byId.stripe.rectification).toMatchObject({ applies: true, items: [{ field: 'phone', status: 'corrected' }] });
    expect(byId.hubspot.rectification).toMatchObject({ applies: true, items: [{ field: 'phone', status: 'corrected' }] });
    expect(byId['google-analytics'].rectification).toEqual({ applies: false, items: [] });
    expect(done.audit.find((a: any) => a.action === 'rectification.chosen')).toMatchObject({ detail: { corrections: { stripe: ['phone'], hubspot: ['phone'] }, refused: ['name'] } });
  }, 120_000);

  it('tells bob what was corrected in both systems, the refusal with its reason, and which recipients were told', async () => {
    const mail = await rt.waitForMail(BOB.email, 'correct your data');

    expect(mail.body.text).toContain('Stripe (payments): your phone number was corrected.');
    expect(mail.body.text).toContain('HubSpot (communication and marketing): your phone number was corrected.');
    expect(mail.body.text).toContain('Your name: The name we hold matches your signed contract.');
    expect(mail.body.text).toContain('supervisory authority');
    // Stripe and HubSpot were corrected through their own APIs: that told them (Art. 19).
    expect(mail.body.text).toContain('We have told those we disclosed your data to about the correction: Stripe, HubSpot.');
    expect(mail.body.text).not.toContain(NEW_PHONE);
  });

  it('passes the correction on to the recipients of the corrected systems only, through the one Art. 19 mechanism', async () => {
    const detail = await detailOf(id);
    expect(detail.request.art19.rectification.notified.map((n: any) => [n.name, n.how])).toEqual([['Stripe', 'api'], ['HubSpot', 'api']]);
    const tasks = (await rt.api('GET', `/v1/admin/requests/${id}/tasks`, { token: rt.staffToken })).body;
    const titles = (tasks.items ?? tasks).map((t: any) => t.title);
    // Salesforce's and Google's systems were not corrected: no task to tell them.
    expect(titles).not.toContain('Tell Salesforce about the correction (GDPR Art. 19)');
    expect(titles).not.toContain('Tell Google about the correction (GDPR Art. 19)');
    expect(titles).not.toContain('Tell Stripe about the correction (GDPR Art. 19)');
    expect(detail.audit.find((a: any) => a.action === 'recipients.told')).toMatchObject({ detail: { action: 'rectification', notified: ['Stripe', 'HubSpot'] } });
  });
});

describe('a correction of the email address itself', () => {
  it('writes the new address, and the request stays found under the old address and the new one', async () => {
    const person = demoPeople(20)[7]!;
    const newEmail = `corrected.${person.email}`;
    const filed = await rt.api('POST', '/v1/requests', { body: { type: 'rectification', email: person.email, rectification: { fields: { email: newEmail } } } });
    const id = filed.body.requestId as string;
    await rt.api('POST', `/v1/requests/${id}/verify`, { body: { code: await rt.codeFor(id, person.email) } });
    await rt.waitForStatus(id, 'awaiting_review', 60_000);
    await rt.approve(id, 'rectification');

    const done = await rt.waitForStatus(id, ['completed', 'completed_partial', 'awaiting_staff'], 90_000);

    expect(done.request.status).toBe('completed');
    expect([...rt.sandboxControl.stores.stripe.customers.values()].filter((c) => c.email === newEmail)).toHaveLength(1);
    expect([...rt.sandboxControl.stores.hubspot.objects.get('contacts')!.values()].filter((c) => c.properties.email === newEmail)).toHaveLength(1);
    const search = async (email: string) => (await rt.api('GET', `/v1/admin/requests?email=${encodeURIComponent(email)}`, { token: rt.staffToken })).body.items.map((r: any) => r.requestId);
    expect(await search(person.email)).toContain(id);
    expect(await search(newEmail)).toContain(id);
    // The request keeps the address the subject verified: its mails go there.
    expect(done.request.subject.email).toBe(person.email);
    await rt.waitForMail(person.email, 'correct your data');
  }, 120_000);
});
