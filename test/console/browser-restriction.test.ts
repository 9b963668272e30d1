/**
 * A restriction in the console (Chromium, real embedded runtime with the internal stores): the public
 * form offers "Restrict use of my data" in English and Norwegian Bokmål with its optional ground; the
 * queue's status filter finds the request once it is restricted; the restriction panel shows each
 * system's result and offers only "Announce lifting" until the subject was told, then "Lift restriction",
 * and the request completes. Screenshots: test-results/console/restriction-*.png.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { TestRuntime } from '../support/runtime.ts';
import { ALICE } from '../../infra/local/demo/people.ts';
import { screenshot, signedInPage, startConsoleRig, stopConsoleRig, watchErrors } from './browser.ts';

let rt: TestRuntime;
let browser: Browser;

beforeAll(async () => {
  [rt, browser] = await startConsoleRig({ crowd: 5, warm: 'console.js' });
});
afterAll(() => stopConsoleRig(rt, browser));

const panelActions = (page: import('playwright-core').Page) =>
  page.locator('section.restriction-panel button[data-restriction-action]').evaluateAll((bs) => bs.map((b) => b.getAttribute('data-restriction-action')));

describe('restriction on the public form', () => {
  it('offers restricting the use of one’s data, with the Art. 18(1) grounds in plain words only for that choice', async () => {
    const page = await (await browser.newContext({ locale: 'en-GB' })).newPage();
    const errors = watchErrors(page);
    await page.goto(`${rt.apiUrl}/request/`);
    const ground = page.getByLabel('Why do you want the use restricted? (optional)');
    expect(await ground.isVisible()).toBe(false);
    await page.getByLabel(/^Restrict use of my data/).check();
    await ground.waitFor();
    await ground.selectOption('accuracy_contested');
    expect(await ground.locator('option').allTextContents()).toContain('My data is wrong: do not use it while you check it');
    await screenshot(page, 'restriction-form');
    expect(errors).toEqual([]);
  }, 30_000);

  it('offers it in Norwegian Bokmål too', async () => {
    const page = await (await browser.newContext({ locale: 'nb-NO' })).newPage();
    await page.goto(`${rt.apiUrl}/request/`);
    await page.getByLabel(/^Begrens bruken av opplysningene mine/).check();
    await page.getByLabel('Hvorfor vil du at bruken skal begrenses? (valgfritt)').waitFor();
    await screenshot(page, 'restriction-form.nb');
  }, 30_000);
});

describe('a restriction in the console', () => {
  it('is found by the queue’s status filter, announced from its panel, then lifted', async () => {
    const id = await rt.fileAndVerify(ALICE.email, 'restriction');
    await rt.approve(id, 'restriction');
    await rt.waitForStatus(id, 'restricted', 60_000);

    const { page, errors } = await signedInPage(browser, rt, { path: '?status=restricted', timeoutMs: 10_000 });
    const row = page.locator(`tr[data-request-id="${id}"][data-status="restricted"]`);
    await row.waitFor();
    expect(await row.textContent()).toContain('Restricted (until lifted)');
    expect(await row.locator('.badge-answered').textContent()).toBe('Answered');
    await screenshot(page, 'restriction-1-queue');

    await row.getByRole('link', { name: id }).click();
    const panel = page.locator('section.restriction-panel');
    await panel.getByRole('heading', { name: 'Restriction of processing' }).waitFor();
    // Answered, as on the queue: no countdown on the request's own page either.
    expect(await page.locator('p.summary .badge').textContent()).toBe('Answered');
    expect(await panel.locator('tr[data-connector="accounts"] td').nth(1).textContent()).toContain('Restricted (account 1)');
    expect(await panel.locator('tr[data-connector="calls"] td').nth(1).textContent()).toContain('for staff to restrict by hand');
    // Art. 19: no recipient has an address in the example configuration, so staff tell each one (a task each).
    const recipients = await panel.locator('dt:has-text("Recipients (Art. 19)") + dd').textContent();
    expect(recipients).toMatch(/^staff tell .*Stripe \(task \d+\)/);
    expect(await panelActions(page)).toEqual(['announce-lifting']);
    expect(await page.locator('.action-bar button[data-action="cancel"]').count()).toBe(0);
    await screenshot(page, 'restriction-2-panel');

    await panel.getByRole('button', { name: 'Announce lifting' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Reason (quoted to the subject)').fill('We checked your details: they are correct.');
    await screenshot(page, 'restriction-3-announce');
    await dialog.getByRole('button', { name: 'Send the notice' }).click();
    await page.getByText('Notice sent: the subject was told when the restriction ends.').waitFor();
    await rt.waitForMail(ALICE.email, 'We intend to lift the restriction');
    expect(await panelActions(page)).toEqual(['lift']);
    await page.locator('li[data-action="restriction.lifting_announced"]').waitFor();
    await screenshot(page, 'restriction-4-announced');

    await panel.getByRole('button', { name: 'Lift restriction' }).click();
    await dialog.getByRole('button', { name: 'Lift restriction' }).click();
    await page.getByText('Lifting: every system removes its mark.').waitFor();
    await rt.waitForStatus(id, 'completed', 60_000);
    await page.reload();
    await page.locator('.status[data-status="completed"]').waitFor();
    await panel.getByRole('table', { name: 'Lifting' }).waitFor();
    expect(await panel.locator('dt:has-text("Recipients told of the lifting") + dd').textContent()).toMatch(/^staff tell .*Stripe \(task \d+\)/);
    expect(await panelActions(page)).toEqual([]);
    await screenshot(page, 'restriction-5-lifted');
    expect(errors).toEqual([]);
  }, 120_000);
});
