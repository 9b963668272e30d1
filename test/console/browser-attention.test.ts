/**
 * A workflow step that failed for good, as staff meet it in the console (Chromium, real embedded
 * runtime): the queue names the failed step, the request shows which step, the error and a message
 * without the subject's address, and offers exactly what applies (retry the step, cancel; no partial
 * answer, no per-connector retry); retrying the step after the fix completes the request.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { TestRuntime } from '../support/runtime.ts';
import { releasePackage } from '../support/release.ts';
import { screenshot, startConsoleRig, stopConsoleRig, watchErrors } from './browser.ts';

let rt: TestRuntime;
let browser: Browser;

beforeAll(async () => {
  [rt, browser] = await startConsoleRig({ crowd: 5, warm: 'console.js' });
});
afterAll(() => stopConsoleRig(rt, browser));

describe('a request whose Assemble step failed for good, in the console', () => {
  it('is named on the queue and the request, offers retry and cancel, and completes after a retry', async () => {
    const email = 'alice@example.com';
    rt.functionFaults.set('assemble', { error: 'MessageRejected', message: `Email address is not verified: ${email}`, count: Infinity });
    const id = await rt.fileAndVerify(email, 'access');
    await rt.approve(id, 'access');
    await rt.waitForMail(rt.config.email.staff[0]!, `${id}: step Assemble failed`, 30_000);

    const page = await (await browser.newContext()).newPage();
    page.setDefaultTimeout(10_000);
    const errors = watchErrors(page);
    await page.goto(`${rt.apiUrl}/console/`);
    await page.getByLabel('Staff token').fill(rt.staffToken);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const row = page.locator(`tr[data-request-id="${id}"]`);
    await row.getByText('Needs attention: step Assemble failed').waitFor();

    await row.getByRole('link', { name: id }).click();
    const section = page.locator('section.attention[data-step="Assemble"]');
    await section.getByRole('heading', { name: 'Needs attention: a workflow step failed' }).waitFor();
    expect(await section.locator('dd').allTextContents()).toEqual(expect.arrayContaining(['Assemble', 'MessageRejected', 'Email address is not verified: [address]']));
    expect(await page.content()).not.toContain(`not verified: ${email}`);
    const offered = await page.locator('.action-bar button[data-action]').evaluateAll((buttons) => buttons.map((b) => b.getAttribute('data-action')));
    expect(offered).toEqual(expect.arrayContaining(['retry', 'cancel']));
    expect(offered).not.toContain('accept-partial');
    expect(await page.locator('tr[data-connector] button[data-action="retry"]').count()).toBe(0);
    await screenshot(page, 'attention-1-detail');

    rt.functionFaults.clear('assemble');
    await page.getByRole('button', { name: 'Retry step Assemble' }).click();
    await page.getByRole('dialog').getByRole('heading', { name: 'Retry step Assemble?' }).waitFor();
    await page.getByRole('dialog').getByRole('button', { name: 'Retry' }).click();
    await page.getByText('Retry step Assemble: done.').waitFor();
    await releasePackage(rt, id);
    await rt.waitForStatus(id, 'completed', 60_000);
    await page.reload();
    await page.locator('.status[data-status="completed"]').waitFor();
    expect(await page.locator('section.attention').count()).toBe(0);
    expect(errors).toEqual([]);
  }, 90_000);
});
