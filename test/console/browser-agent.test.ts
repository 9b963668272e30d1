/**
 * Requests filed by an authorised agent, in Chromium against the real embedded runtime: the public form's
 * agent option with the signed permission attached, the agent's status-only page, and the console's agent
 * panel (the permission opened through a short-lived link; a power of attorney accepted where the
 * configuration allows it, as it does here). Screenshots go to test-results/console/agent-*.png.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { TestRuntime } from '../support/runtime.ts';
import { pdfDocument } from '../support/agent-documents.ts';
import { screenshot, startConsoleRig, stopConsoleRig, watchErrors } from './browser.ts';

let rt: TestRuntime;
let browser: Browser;
const AGENT = 'grace@agents.example.org';
const SUBJECT = 'carol@example.com';

beforeAll(async () => {
  [rt, browser] = await startConsoleRig({
    crowd: 0,
    warm: 'request.js',
    configOverrides: (c) => ({ ...c, agents: { ...c.agents, acceptPowerOfAttorney: true } }),
  });
  await fetch(`${rt.apiUrl}/assets/console.js`);
}, 120_000);
afterAll(() => stopConsoleRig(rt, browser));

async function tab(): Promise<{ page: Page; errors: string[] }> {
  const page = await (await browser.newContext({ locale: 'en-GB', viewport: { width: 1100, height: 900 } })).newPage();
  page.setDefaultTimeout(15_000);
  return { page, errors: watchErrors(page) };
}

let requestId: string;

describe('an agent on the public form', () => {
  it('files for the person with the signed permission attached, and is not sent to a code page', async () => {
    const { page, errors } = await tab();
    await page.goto(`${rt.apiUrl}/request/?lang=en`);
    await page.getByLabel(/^Access/).check();
    await page.getByLabel('Email address').fill(SUBJECT);
    const agentFields = page.locator('fieldset.agent-fields');
    expect(await agentFields.isHidden()).toBe(true);
    await page.getByLabel('I am filing for someone else, as their authorised agent').check();
    await agentFields.waitFor();
    await agentFields.getByLabel('The agent’s name').fill('Grace Agent');
    await agentFields.getByLabel('The agent’s email').fill(AGENT);
    await agentFields.getByLabel('The agent’s organisation (optional)').fill('Consumer Rights Co');
    await agentFields.getByLabel('How you act for the person').selectOption('authorised_agent');

    // A file of another type is refused on the page, before anything is sent.
    await page.getByLabel('The permission the person signed').setInputFiles({ name: 'permission.txt', mimeType: 'text/plain', buffer: Buffer.from('I agree') });
    await page.getByRole('button', { name: 'Send request' }).click();
    await page.getByText('The file must be a PDF, PNG or JPEG.').waitFor();

    await page.getByLabel('The permission the person signed').setInputFiles({ name: 'permission.pdf', mimeType: 'application/pdf', buffer: pdfDocument() });
    await screenshot(page, 'agent-1-form');
    await page.getByRole('button', { name: 'Send request' }).click();
    await page.getByRole('heading', { name: 'Request received' }).waitFor();
    requestId = /Request (dsar_\w+) is received/.exec((await page.locator('main').textContent()) ?? '')![1]!;
    await screenshot(page, 'agent-2-sent');

    const detail = (await rt.api('GET', `/v1/admin/requests/${requestId}`, { token: rt.staffToken })).body;
    expect(detail.request.subject.email).toBe(SUBJECT);
    expect(detail.request.agent).toMatchObject({ name: 'Grace Agent', email: AGENT, organisation: 'Consumer Rights Co', permission: { contentType: 'application/pdf' } });
    expect(errors).toEqual([]);
  }, 60_000);

  it('gives the agent a status page with the status only, and no code form', async () => {
    const mail = await rt.waitForMail(AGENT, `We received the request you made: ${requestId}`);
    const link = /(http:\/\/\S+\/request\/status\?\S+)/.exec(mail.body.text ?? '')![1]!;
    const { page, errors } = await tab();
    await page.goto(link.replace(/^http:\/\/[^/]+/, rt.apiUrl));
    await page.getByText('You filed this request as an agent.', { exact: false }).waitFor();
    expect(await page.locator('p.status').getAttribute('data-status')).toBe('awaiting_verification');
    expect(await page.locator('form.code').count()).toBe(0);
    await screenshot(page, 'agent-3-status');
    expect(errors).toEqual([]);
  }, 30_000);
});

describe('the console’s agent panel', () => {
  it('shows the agent, opens the permission through a short-lived link, and accepts the power of attorney', async () => {
    const { page, errors } = await tab();
    await page.goto(`${rt.apiUrl}/console/`);
    await page.getByLabel('Staff token').fill(rt.staffToken);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator(`tr[data-request-id="${requestId}"]`).getByRole('link', { name: requestId }).click();
    await page.getByRole('heading', { name: `Request ${requestId}` }).waitFor();

    const panel = page.locator('section.agent-panel');
    await panel.getByRole('heading', { name: 'Filed by an agent' }).waitFor();
    expect(await panel.locator('dl').textContent()).toContain('Grace Agent');
    expect(await panel.locator('dl').textContent()).toContain('Authorised agent');
    await panel.getByRole('button', { name: 'Get a link to the signed permission' }).click();
    const open = panel.getByRole('link', { name: 'Open the signed permission' });
    await open.waitFor();
    const doc = await fetch((await open.getAttribute('href'))!);
    expect(Buffer.from(await doc.arrayBuffer()).equals(pdfDocument())).toBe(true);
    await screenshot(page, 'agent-4-console');

    // Before the subject verified, the deny dialog offers the one reason the API accepts then.
    await page.getByRole('button', { name: 'Deny' }).click();
    const deny = page.getByRole('dialog');
    const options = await deny.getByLabel('Reason').locator('option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    expect(options).toEqual(['agent_permission_insufficient']);
    await deny.getByText("an agent's request can be denied now only because the agent's permission is insufficient", { exact: false }).waitFor();
    await screenshot(page, 'agent-4b-deny-before-verification');
    await deny.getByRole('button', { name: 'Cancel' }).click();
    expect((await rt.api('GET', `/v1/admin/requests/${requestId}`, { token: rt.staffToken })).body.request.status).toBe('awaiting_verification');

    page.once('dialog', (d) => void d.accept());
    await panel.getByRole('button', { name: /Accept the power of attorney/ }).click();
    await page.getByText('Power of attorney accepted: the request goes on to review.').waitFor();
    await panel.getByText(/accepted by approver@localhost/).waitFor();
    await rt.waitForStatus(requestId, 'awaiting_review', 30_000);
    await screenshot(page, 'agent-5-power-of-attorney');

    const audit = (await rt.api('GET', `/v1/admin/requests/${requestId}`, { token: rt.staffToken })).body.audit.map((e: { action: string }) => e.action);
    expect(audit).toEqual(expect.arrayContaining(['agent.permission_opened', 'verification.power_of_attorney_accepted']));
    expect(errors).toEqual([]);
  }, 90_000);
});
