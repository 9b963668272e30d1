/**
 * Release after staff review in the console (Chromium, real embedded runtime): a package awaiting release
 * shows its systems and objects, a page of records, lets staff withhold a record and a field with a
 * reason, lists what is withheld, and releases the package, after which the subject gets it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { TestRuntime } from '../support/runtime.ts';
import { screenshot, signedInPage, startConsoleRig, stopConsoleRig } from './browser.ts';

let rt: TestRuntime;
let browser: Browser;

beforeAll(async () => {
  [rt, browser] = await startConsoleRig({
    crowd: 5,
    warm: 'console.js',
    configOverrides: (c) => ({ ...c, release: { access: 'staff', portability: 'staff' } }),
  });
});
afterAll(() => stopConsoleRig(rt, browser));

async function withholdWith(page: Page, reason: string, note?: string): Promise<void> {
  const dialog = page.getByRole('dialog');
  await dialog.getByRole('heading', { name: 'Withhold from the package?' }).waitFor();
  await dialog.getByLabel('Reason').selectOption({ label: reason });
  if (note) await dialog.getByLabel('Explanation for the subject').fill(note);
  await dialog.getByRole('button', { name: 'Withhold' }).click();
}

describe('a package awaiting release, in the console', () => {
  it('shows the package, withholds a record and a field with reasons, and releases it', async () => {
    const email = 'alice@example.com';
    const id = await rt.fileAndVerify(email, 'access');
    await rt.approve(id, 'access');
    await rt.waitForStatus(id, 'awaiting_release', 60_000);

    const { page, errors } = await signedInPage(browser, rt, { path: `requests/${id}`, timeoutMs: 10_000 });
    const panel = page.locator('section.release');
    await panel.getByRole('heading', { name: 'Release to the subject' }).waitFor();
    await panel.locator('tr[data-object="calls/call"]').waitFor();
    await screenshot(page, 'release-1-panel');

    await panel.locator('tr[data-object="calls/call"]').getByRole('button', { name: 'Show records' }).click();
    const firstRecord = panel.locator('.release-preview tr[data-record]').first();
    await firstRecord.waitFor();
    const recordId = (await firstRecord.getAttribute('data-record'))!;
    await screenshot(page, 'release-2-preview');
    await firstRecord.getByRole('button', { name: 'Withhold record' }).click();
    await withholdWith(page, "Other people's data (Art. 15(4))");
    await panel.locator(`.release-preview tr[data-record="${recordId}"].withheld`).waitFor();

    await panel.locator('tr[data-object="accounts/account"]').getByRole('button', { name: 'Show records' }).click();
    await panel.locator('.release-preview button[data-withhold-field="lastLoginIp"]').click();
    await withholdWith(page, 'Other (explain to the subject)', 'A shared office network address.');
    await panel.getByText('Withheld: accounts / account: field lastLoginIp in every record.').waitFor();
    const withheld = await panel.locator('.release-withheld li').allTextContents();
    expect(withheld).toHaveLength(2);
    expect(withheld[0]).toContain(`calls / call: record ${recordId}`);
    expect(withheld[1]).toContain('A shared office network address. (approver@localhost)');
    await screenshot(page, 'release-3-withheld');

    await panel.getByRole('button', { name: 'Release package to the subject' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Release' }).click();
    await page.getByText('Package released: the subject is being sent the link.').waitFor();
    expect(await page.locator('section.release').count()).toBe(0);
    await rt.waitForStatus(id, 'completed', 60_000);
    await rt.waitForMail(email, 'Your data is ready');
    await screenshot(page, 'release-4-released');
    expect(errors).toEqual([]);
  }, 120_000);
});
