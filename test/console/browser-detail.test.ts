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

    // The queue shows it too.
    await page.getByRole('link', { name: '← Queue' }).click();
    const row = page.locator(`tr[data-request-id="${id}"]`);
    await row.locator('.waiting-badge', { hasText: 'Waiting for the subject' }).waitFor();
    await row.getByRole('link', { name: id }).click();
    await panel.locator('li[data-from="staff"]').waitFor();

    // The subject answers on their status page (link from the acknowledgement).
    const ack = await rt.waitForMail(email, `We received your request (${id})`);
    const subject = await browser.newPage();
    subject.setDefaultTimeout(15_000);
    await subject.goto(/(http\S+\/request\/status\?\S+)/.exec(ack.body.text!)![1]!);
    await subject.getByText(question).waitFor();
    // A question stops no clock, and the page does not claim it does.
    await subject.getByText('we are waiting for your answer to this question').waitFor();
    expect(await subject.getByText('on hold').count()).toBe(0);
    await subject.getByLabel('Your answer').fill('The one I use for work.');
    await subject.getByRole('button', { name: 'Send answer' }).click();
    await subject.getByText('Thank you, we received your answer').waitFor();
    await subject.close();

    // The staff page, left open, shows the answer by itself (it reads the request again while it
    // waits for the subject) and stops waiting.
    await panel.locator('li[data-from="subject"] .text', { hasText: 'The one I use for work.' }).waitFor({ timeout: 60_000 });
    expect(await panel.locator('li[data-from]').evaluateAll((items) => items.map((i) => i.getAttribute('data-from')))).toEqual(['staff', 'subject']);
    await page.locator('.summary .waiting-badge').waitFor({ state: 'detached' });
    await screenshot(page, 'detail-3-reply');
    expect(errors).toEqual([]);
  }, 120_000);

  it('refreshes after an action and while the workflow runs, with times in the company zone and the trail in sentences', async () => {
    const id = await rt.fileAndVerify('carol@example.com', 'access');
    await rt.waitForStatus(id, 'awaiting_review', 30_000);
    const { page, errors } = await openRequest(id);
    const zone = rt.config.organisation.timezone;

    // Times: the company's zone on the page, UTC in the title.
    const { request } = (await rt.api('GET', `/v1/admin/requests/${id}`, { token: rt.staffToken })).body as { request: { receivedAt: string } };
    const received = page.locator(`time[datetime="${request.receivedAt}"]`).first();
    const local = new Intl.DateTimeFormat('en-GB', { timeZone: zone, dateStyle: 'medium', timeStyle: 'short' }).format(new Date(request.receivedAt));
    expect(await received.textContent()).toBe(`${local} (${zone})`);
    expect(await received.getAttribute('title')).toBe(`${request.receivedAt.replace('T', ' ').slice(0, 16)} UTC`);

    // Approve in the console: the page shows the action's outcome at once, then follows the workflow to
    // the end by itself, without a reload.
    const navigations: string[] = [];
    page.on('framenavigated', (f) => navigations.push(f.url()));
    // A note half-written meanwhile survives every redraw.
    await page.getByLabel('New note').fill('Draft: check the old address');
    await page.getByRole('button', { name: 'Approve' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Approve' }).click();
    await page.getByText('Approve: done.').waitFor();
    await page.locator('.timeline li[data-action="review.approved"]').waitFor();
    // Back to the note while the workflow runs: the redraws keep the text and the focus.
    await page.getByLabel('New note').focus();
    await page.locator('.status[data-status="completed"]').waitFor({ timeout: 60_000 });
    expect(navigations).toEqual([]);
    expect(await page.getByLabel('New note').inputValue()).toBe('Draft: check the old address');
    expect(await page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.draft)).toBe('note');

    // The trail in sentences, not machine names.
    const sentences = await page.locator('.timeline li .sentence').allTextContents();
    expect(sentences).toEqual(
      expect.arrayContaining([
        'The subject filed an access request (GDPR, NO)',
        'The subject confirmed their email address',
        'Staff approver@localhost approved the request',
        'The workflow completed the request and told the subject',
      ]),
    );
    expect(sentences.some((t) => /^.+: \d+ records? collected$/.test(t))).toBe(true);
    expect(sentences.join('\n')).not.toMatch(/[{}]|review\.approved/);
    // Every time on the timeline is in the company's zone, with UTC on hover.
    const times = await page.locator('.timeline li time').evaluateAll((ts) => ts.map((t) => [t.textContent, t.getAttribute('title')]));
    for (const [text, title] of times) {
      expect(text).toContain(`(${zone})`);
      expect(title).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC$/);
    }
    await screenshot(page, 'detail-4-refreshed');
    expect(errors).toEqual([]);
  }, 120_000);

  it('never scrolls sideways at 1280 px or on a phone, even with a long unbroken line in the trail', async () => {
    const id = await rt.fileAndVerify('dave@example.com', 'access');
    await rt.waitForStatus(id, 'awaiting_review', 30_000);
    const long = `https://example.com/${'a'.repeat(600)}`;
    expect((await rt.api('POST', `/v1/admin/requests/${id}/extend`, { token: rt.staffToken, body: { reason: long } })).status).toBe(200);
    expect((await rt.api('POST', `/v1/admin/requests/${id}/notes`, { token: rt.staffToken, body: { text: long } })).status).toBe(200);
    for (const [width, height, shot] of [
      [1280, 900, 'detail-5-1280'],
      [390, 844, 'detail-6-phone'],
    ] as const) {
      const { page, errors } = await openRequest(id, { width, height });
      await page.locator('.timeline li[data-action="deadline.extended"]').waitFor();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow, `horizontal overflow at ${width} px`).toBe(0);
      await screenshot(page, shot);
      expect(errors).toEqual([]);
      await page.context().close();
    }
  }, 90_000);
});
