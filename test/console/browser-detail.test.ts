/**
 * The request detail page as a privacy officer uses it (Chromium, real embedded runtime): internal
 * notes, the message thread with the subject, a page that refreshes after an action and while the
 * workflow runs, times in the company's zone with UTC on hover, the audit trail in sentences, and no
 * horizontal overflow at 1280 px or on a phone. Screenshots: test-results/console/detail-*.png.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { TestRuntime } from '../support/runtime.ts';
import { screenshot, startConsoleRig, stopConsoleRig, watchErrors } from './browser.ts';

let rt: TestRuntime;
let browser: Browser;

beforeAll(async () => {
  [rt, browser] = await startConsoleRig({ crowd: 5, warm: 'console.js' });
});
afterAll(() => stopConsoleRig(rt, browser));

async function openRequest(id: string, viewport = { width: 1280, height: 900 }): Promise<{ page: Page; errors: string[] }> {
  const page = await (await browser.newContext({ viewport })).newPage();
  page.setDefaultTimeout(15_000);
  const errors = watchErrors(page);
  await page.goto(`${rt.apiUrl}/console/`);
  await page.getByLabel('Staff token').fill(rt.staffToken);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator(`tr[data-request-id="${id}"]`).getByRole('link', { name: id }).click();
  await page.getByRole('heading', { name: `Request ${id}` }).waitFor();
  return { page, errors };
}

describe('the request detail page', () => {
  it('keeps internal notes with their author, for staff only', async () => {
    const id = await rt.fileAndVerify('alice@example.com', 'access');
    await rt.waitForStatus(id, 'awaiting_review', 30_000);
    const { page, errors } = await openRequest(id);
    const panel = page.locator('section.notes-panel');
    await panel.getByText('No notes yet.').waitFor();
    await panel.getByLabel('New note').fill('Subject phoned: "<b>old</b> address" is alice@old.example.');
    await panel.getByRole('button', { name: 'Add note' }).click();
    await page.getByText('Note added.').waitFor();
    const note = panel.locator('li.note');
    expect(await note.locator('.text').textContent()).toBe('Subject phoned: "<b>old</b> address" is alice@old.example.');
    expect(await note.locator('.meta strong').textContent()).toBe('approver@localhost');
    // The form is empty again: the note was sent, not kept as a draft.
    expect(await panel.getByLabel('New note').inputValue()).toBe('');
    // Never to the subject: no mail about it, and their status page does not carry it.
    expect((await rt.mails('alice@example.com')).some((m) => (m.body.text ?? '').includes('old address'))).toBe(false);
    await screenshot(page, 'detail-1-note');
    expect(errors).toEqual([]);
  }, 90_000);
});
