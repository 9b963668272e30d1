/**
 * Processor mode end to end on the embedded runtime (issue 16, item 5): nora, an end user of the demo
 * resale partner "nordlys" (her account store item says so), files an access request. After she verifies
 * it, the workflow recognises her as the partner's, holds the request for staff whatever the review
 * configuration says and refuses an approval; staff forward it; the partner is mailed the request with
 * the deadline it must meet, nora is told who answers it and how to reach them, the request closes as
 * forwarded and is counted apart in the metrics, and no connector ran. Then the partner instructs the
 * company to answer after all: staff record the instruction, the request reopens for review without a
 * new code to the subject, and once approved nora gets her data.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRuntime, type TestRuntime } from '../support/runtime.ts';
import { NORA } from '../../infra/local/demo/people.ts';
import { releasePackage } from '../support/release.ts';

let rt: TestRuntime;
const PARTNER_CONTACT = 'personvern@nordlys-partner.test';
/** The request the first part forwards; the second part reopens it. */
let forwardedId: string;

beforeAll(async () => {
  rt = await startTestRuntime({ crowd: 5 });
});
afterAll(async () => {
  await rt?.cleanup();
});

const staff = (path: string, body?: unknown) => rt.api('POST', path, { token: rt.staffToken, ...(body !== undefined ? { body } : {}) });

/** Waits until the request is marked as the partner's and the review task waits: then `forward` can be taken. */
async function forwardWhenWaiting(id: string) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const res = await staff(`/v1/admin/requests/${id}/forward`, {});
    // 409 while MatchPartner or AwaitReview have not run yet; anything else is the answer.
    const early = res.status === 409 && ['not_partner_request', 'not_waiting'].includes(res.body?.error?.code);
    if (!early || Date.now() > deadline) return res;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('a resale partner’s end user', () => {
  let id: string;
  let detail: any;

  it('is recognised after verification by the account store’s attribute, and held for staff', async () => {
    id = await rt.fileAndVerify(NORA.email, 'access', 'nb-NO');
    forwardedId = id;
    const marked = await (async () => {
      for (let i = 0; i < 200; i++) {
        const r = await rt.api('GET', `/v1/admin/requests/${id}`, { token: rt.staffToken });
        if (r.body.request.partner && r.body.actions.includes('forward')) return r.body;
        await new Promise((res) => setTimeout(res, 100));
      }
      throw new Error('the request was never marked as the partner’s');
    })();
    expect(marked.request.partner).toMatchObject({ id: 'nordlys', name: 'Nordlys Møteromsløsninger AS', by: 'account_attribute', contactEmail: PARTNER_CONTACT });
    expect(marked.actions).not.toContain('approve');
    expect(marked.audit.map((e: any) => e.action)).toContain('partner.matched');
    await rt.waitForMail(rt.config.email.staff[0]!, `${id}: access request of an end user of resale partner Nordlys Møteromsløsninger AS to forward`);
    const refused = await staff(`/v1/admin/requests/${id}/approve`, {});
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('partner_request');
  });

  it('is forwarded by staff and closes as forwarded, with no connector run', async () => {
    const res = await forwardWhenWaiting(id);
    expect(res.status).toBe(200);
    detail = await rt.waitForStatus(id, 'forwarded');
    expect(detail.request.decision).toMatchObject({ outcome: 'forwarded' });
    expect(detail.request.partner.forwarded).toMatchObject({ to: PARTNER_CONTACT });
    expect(detail.connectors).toEqual([]);
    const actions = detail.audit.map((e: any) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['partner.forwarded', 'request.forwarded']));
    expect(actions.filter((a: string) => a.startsWith('connector'))).toEqual([]);
    expect(detail.audit.find((e: any) => e.action === 'partner.forwarded').actor).not.toBe('system');
  });

  it('sends the partner the request with the deadline it must meet and our reference', async () => {
    const mail = await rt.waitForMail(PARTNER_CONTACT, id);
    expect(mail.body.text).toContain(`Our reference: ${id}`);
    expect(mail.body.text).toContain(`The requester’s email address: ${NORA.email}`);
    expect(mail.body.text).toMatch(/Deadline you must meet: \d{1,2} \w+ \d{4}/);
    // Nothing from our systems: not her account id, phone or anything else the account store holds.
    expect(mail.body.text).not.toContain(NORA.accountId);
    expect(mail.body.text).not.toContain(NORA.phone);
  });

  it('shows nora’s status page as passed on to the partner', async () => {
    const ack = (await rt.mails(NORA.email)).find((m) => m.body.text?.includes(`/request/status?id=${id}`))!;
    const token = /[?&]token=([\w-]+)/.exec(ack.body.text!)![1];
    const res = await rt.api('GET', `/v1/requests/${id}?token=${token}`);
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('forwarded');
  });

  it('tells nora, in Norwegian, who the controller is and how to reach it', async () => {
    const mail = await rt.waitForMail(NORA.email, `besvares av Nordlys Møteromsløsninger AS`);
    expect(mail.body.text).toContain(`E-post: ${PARTNER_CONTACT}`);
    expect(mail.body.text).toContain('Vi har ikke utlevert noen av opplysningene dine.');
    expect((await rt.mails(NORA.email)).some((m) => m.subject.includes('klare'))).toBe(false);
  });

  it('is counted apart in the year’s metrics, not as complied with or denied', async () => {
    const year = detail.request.receivedYear;
    const res = await rt.api('GET', `/v1/admin/metrics?year=${year}`, { token: rt.staffToken });
    const access = res.body.types.find((t: any) => t.type === 'access');
    expect(access).toMatchObject({ received: 1, forwarded: 1, compliedInWhole: 0, compliedInPart: 0, denied: 0, answered: 0 });
  });
});

describe('the partner’s instruction after the request was forwarded', () => {
  let id: string;

  it('reopens the request for review with no new code to the subject, and once approved she gets her data', async () => {
    id = forwardedId;
    const codesBefore = (await rt.mails(NORA.email)).length;
    const res = await staff(`/v1/admin/requests/${id}/partner-instruction`, { reference: 'NORDLYS-2026-117', note: 'The partner asks us to export her data' });
    expect(res.status).toBe(200);
    expect(res.body.request).toMatchObject({ status: 'awaiting_review', partner: { instruction: { reference: 'NORDLYS-2026-117' } } });
    expect(res.body.request.decision).toBeUndefined();

    // The new run waits for staff review; then approving works as for any request.
    const deadline = Date.now() + 20_000;
    for (;;) {
      const r = await rt.api('GET', `/v1/admin/requests/${id}`, { token: rt.staffToken });
      if (r.body.audit.filter((e: any) => e.action === 'review.requested').length === 2) break;
      if (Date.now() > deadline) throw new Error('the reopened request never waited for review');
      await new Promise((done) => setTimeout(done, 100));
    }
    await rt.approve(id, 'access');
    await releasePackage(rt, id);
    const done = await rt.waitForStatus(id, ['completed', 'completed_partial'], 60_000);
    expect(done.request.status).toBe('completed');
    expect(done.connectors.find((c: any) => c.connectorId === 'accounts')).toMatchObject({ status: 'succeeded', records: 1 });
    await rt.waitForMail(NORA.email, `Opplysningene dine er klare (${id})`, 30_000);
    const after = await rt.mails(NORA.email);
    // Only the completion mail came since: no new verification code.
    expect(after.length - codesBefore).toBe(1);
  }, 90_000);

  it('then counts as complied with, no longer as forwarded', async () => {
    const detail = (await rt.api('GET', `/v1/admin/requests/${id}`, { token: rt.staffToken })).body;
    const res = await rt.api('GET', `/v1/admin/metrics?year=${detail.request.receivedYear}`, { token: rt.staffToken });
    expect(res.body.types.find((t: any) => t.type === 'access')).toMatchObject({ received: 1, forwarded: 0, compliedInWhole: 1 });
  });
});

describe('a subject who files again after the forward', () => {
  it('keeps one open request: the forwarded one does not reopen while the new one is open', async () => {
    // Recognised by the partner's email domain (no account needed).
    const email = 'ola@kunde.nordlys-partner.test';
    const first = await rt.fileAndVerify(email, 'access');
    expect((await forwardWhenWaiting(first)).status).toBe(200);
    await rt.waitForStatus(first, 'forwarded', 30_000);
    const second = await rt.fileAndVerify(email, 'access');

    const refused = await staff(`/v1/admin/requests/${first}/partner-instruction`, { reference: 'NORDLYS-2026-400' });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: 'open_request_exists', message: expect.stringContaining(second) });
    expect((await rt.api('GET', `/v1/admin/requests/${first}`, { token: rt.staffToken })).body.request.status).toBe('forwarded');

    // Once the new one is closed, the instruction reopens the forwarded one.
    expect((await staff(`/v1/admin/requests/${second}/cancel`, { reason: 'the partner instructed us on the first request' })).status).toBe(200);
    const reopened = await staff(`/v1/admin/requests/${first}/partner-instruction`, { reference: 'NORDLYS-2026-400' });
    expect(reopened.status).toBe(200);
    expect(reopened.body.request.status).toBe('awaiting_review');
  }, 90_000);
});
