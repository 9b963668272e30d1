/**
 * A rectification in the console (Chromium, the real embedded runtime with the Stripe and HubSpot
 * sandboxes, which the usual console rig leaves out): the public form offers "Correct my data" with the
 * structured fields, in English and Norwegian; staff see bob's current phone in both systems, prefilled
 * with the phone he gave, correct it in Stripe, refuse the name with a reason, and Approve sends that
 * choice; the sandboxes then hold the new phone. Screenshots: test-results/console/rectification-*.png.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { BOB } from '../../infra/local/demo/people.ts';
import { startTestRuntime, type TestRuntime } from '../support/runtime.ts';
import { launchChromium, screenshot, signedInPage, stopConsoleRig, watchErrors } from './browser.ts';

const NEW_PHONE = '+47 912 34 567';
let rt: TestRuntime;
let browser: Browser;

beforeAll(async () => {
  [rt, browser] = await Promise.all([startTestRuntime({ crowd: 5 }), launchChromium()]);
  await fetch(`${rt.apiUrl}/assets/console.js`);
}, 120_000);
afterAll(() => stopConsoleRig(rt, browser));

describe('the public form', () => {
  it('offers "Correct my data" with the fields it asks for, and files the values the subject gives', async () => {
    const page = await (await browser.newContext({ locale: 'en-GB' })).newPage();
    page.setDefaultTimeout(10_000);
    const errors = watchErrors(page);
    await page.goto(`${rt.apiUrl}/request/`);
    const choice = page.getByLabel('Correct my data');
    await choice.waitFor();
    expect(await page.getByLabel('Correct phone number').count()).toBe(0);

    await choice.check();
    await page.getByLabel('Correct phone number').fill(NEW_PHONE);
    await page.getByLabel('Email address', { exact: true }).fill('mia@example.com');
    await screenshot(page, 'rectification-form.en');
    await page.getByRole('button', { name: 'Send request' }).click();
    await page.waitForURL(/\/request\/verify\?id=/);

    const id = new URL(page.url()).searchParams.get('id')!;
    const detail = (await rt.api('GET', `/v1/admin/requests/${id}`, { token: rt.staffToken })).body;
    expect(detail.request).toMatchObject({ type: 'rectification', subject: { rectification: { fields: { phone: NEW_PHONE } } } });
    expect(errors).toEqual([]);
  }, 30_000);

  it('offers it in Norwegian Bokmål as "Rett opplysningene mine"', async () => {
    const page = await (await browser.newContext({ locale: 'nb-NO' })).newPage();
    await page.goto(`${rt.apiUrl}/request/`);
    await page.getByLabel('Rett opplysningene mine').check();
    await page.getByLabel('Riktig telefonnummer').waitFor();
    await screenshot(page, 'rectification-form.nb');
  }, 30_000);
});

describe('staff choosing the correction', () => {
  it('shows the current phone per system prefilled with the new one, and Approve writes what staff chose', async () => {
    const filed = await rt.api('POST', '/v1/requests', { body: { type: 'rectification', email: BOB.email, rectification: { fields: { phone: NEW_PHONE, name: 'Robert Berg' } } } });
    const id = filed.body.requestId as string;
    await rt.api('POST', `/v1/requests/${id}/verify`, { body: { code: await rt.codeFor(id, BOB.email) } });
    await rt.waitForStatus(id, 'awaiting_review', 60_000);

    const { page, errors } = await signedInPage(browser, rt, { path: `requests/${id}`, viewport: { width: 1280, height: 1000 } });
    await page.getByRole('heading', { name: `Request ${id}` }).waitFor();
    const panel = page.locator('section.rectification-panel');
    await panel.getByRole('heading', { name: 'Correction: what each system holds' }).waitFor();

    const phone = panel.locator('[data-rectify-field="phone"]');
    expect(await phone.locator('tbody tr').count()).toBe(2);
    expect(await phone.locator('tr[data-connector="stripe"] .current-value').textContent()).toBe(BOB.phone);
    expect(await phone.locator('tr[data-connector="hubspot"] .current-value').textContent()).toBe(BOB.phone);
    expect(await phone.getByLabel('New phone number in Stripe (payments)').inputValue()).toBe(NEW_PHONE);
    expect(await panel.locator('.nothing-to-correct').textContent()).toContain('Google Analytics');
    // HubSpot is left as it is (its value set back to the current one): only Stripe is written.
    await phone.getByLabel('New phone number in HubSpot (communication and marketing)').fill(BOB.phone);
    const name = panel.locator('[data-rectify-field="name"]');
    await name.getByLabel('Name: correct or refuse').selectOption('refuse');
    await screenshot(page, 'rectification-1-choose');

    // A refusal without a reason is not sent.
    await page.getByRole('button', { name: 'Approve', exact: true }).click();
    await page.locator('.outcome').getByText('Say why the name correction is refused').waitFor();
    await name.getByLabel('Name: reason for refusing').fill('The name matches your signed contract.');
    await page.getByRole('button', { name: 'Approve', exact: true }).click();
    await page.getByRole('dialog').getByText('The workflow writes 1 correction').waitFor();
    await page.getByRole('dialog').getByRole('button', { name: 'Approve' }).click();

    const done = await rt.waitForStatus(id, ['completed', 'completed_partial', 'awaiting_staff'], 90_000);
    expect(done.request.status).toBe('completed');
    const stripe = [...rt.sandboxControl.stores.stripe.customers.values()].find((c) => c.email === BOB.email)!;
    const hubspot = [...rt.sandboxControl.stores.hubspot.objects.get('contacts')!.values()].find((c) => c.properties.email === BOB.email)!;
    expect(stripe.phone).toBe(NEW_PHONE);
    expect(hubspot.properties.phone).toBe(BOB.phone);
    expect(done.rectification.choice).toMatchObject({ corrections: [{ connectorId: 'stripe', field: 'phone', value: NEW_PHONE }], refusals: [{ field: 'name', reason: 'The name matches your signed contract.' }] });

    await page.reload();
    await panel.locator('.rectify-choice').waitFor();
    expect(await panel.locator('.rectify-choice').textContent()).toContain('Refused: Name (The name matches your signed contract.)');
    expect(await panel.locator('.rectify-results tr[data-connector="stripe"] td').textContent()).toMatch(/^Corrected: Phone number, read back /);
    expect(await panel.locator('.rectify-results tr[data-connector="hubspot"] td').textContent()).toBe('Nothing chosen here');
    expect(await panel.locator('.rectify-results tr[data-connector="google-analytics"] td').textContent()).toBe('Nothing to correct here');
    // Art. 19: only Stripe's system was corrected, through its own API, which told it.
    expect(await panel.locator('.rectify-recipients').textContent()).toMatch(/^Recipients \(Art\. 19\): told Stripe \(by the correction in its own system\)/);
    await screenshot(page, 'rectification-2-done');
    expect(errors).toEqual([]);
  }, 120_000);
});
