/**
 * Processor mode in the console (Chromium, real embedded runtime): the demo partner's end user's request
 * shows the partner panel (who the partner is, how the subject was recognised, where a forward goes)
 * with the partner's actions and no Approve; staff forward it through the panel's dialog, and the page
 * then shows the request closed as forwarded; the partner's later instruction, recorded from the panel,
 * reopens it for review. Screenshots: test-results/console/partner-*.png.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { TestRuntime } from '../support/runtime.ts';
import { NORA } from '../../infra/local/demo/people.ts';
import { screenshot, signedInPage, startConsoleRig, stopConsoleRig } from './browser.ts';

let rt: TestRuntime;
let browser: Browser;

beforeAll(async () => {
  [rt, browser] = await startConsoleRig({ crowd: 5, warm: 'console.js' });
});
afterAll(() => stopConsoleRig(rt, browser));

/** Until the workflow marked the request as the partner's and waits for the review decision. */
async function heldForStaff(id: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    const r = await rt.api('GET', `/v1/admin/requests/${id}`, { token: rt.staffToken });
    const actions = r.body.audit.map((e: { action: string }) => e.action);
    if (actions.includes('partner.matched') && actions.includes('review.requested')) return;
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error(`request ${id} was never held for staff as the partner's`);
}

describe('a resale partner’s end user in the console', () => {
  it('shows the partner panel with its actions, and is forwarded from it', async () => {
    const id = await rt.fileAndVerify(NORA.email, 'access');
    await heldForStaff(id);

    const { page, errors } = await signedInPage(browser, rt, { timeoutMs: 10_000 });
    await page.locator(`tr[data-request-id="${id}"]`).getByRole('link', { name: id }).click();

    const panel = page.locator('section.partner-panel[data-partner="nordlys"]');
    await panel.getByRole('heading', { name: 'Resale partner’s end user' }).waitFor();
    expect(await panel.locator('dd').allTextContents()).toEqual(
      expect.arrayContaining(['Nordlys Møteromsløsninger AS', 'personvern@nordlys-partner.test']),
    );
    expect(await panel.locator('dd').allTextContents()).toContainEqual(expect.stringContaining('an attribute of the account in our account store'));
    const offered = await panel.locator('button[data-partner-action]').evaluateAll((bs) => bs.map((b) => b.getAttribute('data-partner-action')));
    expect(offered).toEqual(['forward', 'partner-instruction', 'not-partner']);
    expect(await page.locator('.action-bar button[data-action="approve"]').count()).toBe(0);
    await screenshot(page, 'partner-1-panel');

    await panel.getByRole('button', { name: 'Forward to the partner' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('heading', { name: 'Forward to Nordlys Møteromsløsninger AS?' }).waitFor();
    await screenshot(page, 'partner-2-confirm');
    await dialog.getByRole('button', { name: 'Forward' }).click();
    await page.getByText('Forwarded to Nordlys Møteromsløsninger AS.').waitFor();

    await rt.waitForStatus(id, 'forwarded');
    await page.reload();
    await page.locator('.status[data-status="forwarded"]').waitFor();
    await panel.getByText('The request was sent to the partner, who answers it', { exact: false }).waitFor();
    // Forwarded, only the partner's later instruction is left to act on.
    expect(await panel.locator('button[data-partner-action]').evaluateAll((bs) => bs.map((b) => b.getAttribute('data-partner-action')))).toEqual(['partner-instruction']);
    await page.locator('li[data-action="partner.forwarded"]').waitFor();
    await screenshot(page, 'partner-3-forwarded');

    await panel.getByRole('button', { name: 'Record the partner’s instruction' }).click();
    await dialog.getByLabel('The partner’s reference').fill('NORDLYS-2026-117');
    await screenshot(page, 'partner-4-instruction');
    await dialog.getByRole('button', { name: 'Record instruction' }).click();
    await page.getByText('Instruction recorded: the request is reopened for review.').waitFor();
    await page.locator('.status[data-status="awaiting_review"]').waitFor();
    await panel.getByText('Reopened on the partner’s instruction', { exact: false }).waitFor();
    expect(await panel.locator('dd').allTextContents()).toContainEqual(expect.stringContaining('reference NORDLYS-2026-117'));
    await screenshot(page, 'partner-5-reopened');
    expect(errors).toEqual([]);
  }, 90_000);
});
