/**
 * A privacy officer's day in the console (issue 17, "Done when"), in real Chromium on the real embedded
 * runtime, with the console only: find a subject by email in the queue, read their history on the detail
 * page, add a note, message them, approve after reading the preview's counts, release the package (access
 * is released by staff here), run an erasure whose answer leaves Art. 19 tasks and tick them off, and see
 * the metrics page change. One screenshot per step: test-results/console/officer-*.png.
 *
 * The steps build on each other, so they are one test: a failure names the step that broke.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { TestRuntime } from '../support/runtime.ts';
import { screenshot, signedInPage, startConsoleRig, stopConsoleRig } from './browser.ts';

let rt: TestRuntime;
let browser: Browser;
const EMAIL = 'alice@example.com';

beforeAll(async () => {
  [rt, browser] = await startConsoleRig({
    crowd: 5,
    warm: 'console.js',
    configOverrides: (c) => ({ ...c, release: { ...c.release, access: 'staff' } }),
  });
}, 120_000);
afterAll(() => stopConsoleRig(rt, browser));

/** The figures of the metrics table the path changes, as the page shows them. */
async function figures(page: Page): Promise<Record<string, string>> {
  await page.getByRole('link', { name: 'Metrics' }).click();
  const table = page.getByRole('table', { name: /every figure$/ });
  await table.waitFor();
  const cell = async (figure: string, type: string) => (await table.locator(`tr[data-figure="${figure}"] td[data-type="${type}"]`).textContent()) ?? '';
  return {
    accessAnswered: await cell('Answered', 'access'),
    accessComplied: await cell('Complied with in whole', 'access'),
    accessOpen: await cell('Open', 'access'),
    erasureReceived: await cell('Received (duplicates excluded)', 'erasure'),
    erasureAnswered: await cell('Answered', 'erasure'),
  };
}

/**
 * Notes, in the page itself, what the detail page shows at the moment an Approve button first appears
 * (the console navigates without reloading, so the observer stays for the whole visit).
 */
async function watchApproveOffered(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { approveOffered?: { requestId: string | null; previewRows: number } };
    new MutationObserver(() => {
      const article = document.querySelector('article.request-detail');
      const approve = [...document.querySelectorAll('.action-bar button')].find((b) => b.textContent?.trim() === 'Approve');
      if (!approve || !article) return;
      const id = article.getAttribute('data-request-id');
      if (w.approveOffered?.requestId === id) return;
      w.approveOffered = { requestId: id, previewRows: document.querySelectorAll('section.preview tbody tr[data-preview-status="counted"]').length };
    }).observe(document.body, { childList: true, subtree: true });
  });
}

const approveOffered = (page: Page) => page.evaluate(() => (window as unknown as { approveOffered?: { requestId: string | null; previewRows: number } }).approveOffered);

describe("a privacy officer's day, in the console only", () => {
  it('finds the subject, reads the history, notes, messages, approves after the preview, releases, ticks off the Art. 19 tasks, and sees the metrics change', async () => {
    // Before the day: alice asked once and was denied as repetitive; today she asks again.
    const earlier = await rt.fileAndVerify(EMAIL, 'access');
    expect((await rt.api('POST', `/v1/admin/requests/${earlier}/deny`, { token: rt.staffToken, body: { reason: 'excessive' } })).status).toBe(200);
    await rt.waitForStatus(earlier, 'denied');
    const today = await rt.fileAndVerify(EMAIL, 'access');

    const { page, errors } = await signedInPage(browser, rt, { viewport: { width: 1280, height: 900 } });
    await page.getByRole('heading', { name: 'Request queue' }).waitFor();
    await watchApproveOffered(page);

    // The metrics before the day's work.
    const before = await figures(page);
    await screenshot(page, 'officer-0-metrics-before');

    // 1. Find the subject by email: both requests, open and closed.
    await page.getByRole('link', { name: 'Queue', exact: true }).first().click();
    await page.getByLabel('Subject email').fill(EMAIL);
    await page.getByRole('button', { name: 'Find subject' }).click();
    await page.locator('table.queue caption', { hasText: `Requests filed by ${EMAIL}` }).waitFor();
    const found = await page.locator('table.queue tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-request-id')));
    expect(found).toEqual([today, earlier]);
    await screenshot(page, 'officer-1-find-subject');

    // 2. The history on the detail page: the earlier denial, with its outcome.
    await page.locator(`tr[data-request-id="${today}"]`).getByRole('link', { name: today }).click();
    await page.getByRole('heading', { name: `Request ${today}` }).waitFor();
    const history = page.locator('section.subject-history');
    await history.locator(`tr[data-history-id="${earlier}"]`).waitFor();
    expect(await history.locator(`tr[data-history-id="${earlier}"] td`).last().textContent()).toBe('Denied: Excessive (repetitive)');
    await screenshot(page, 'officer-2-history');

    // 3. An internal note.
    const notes = page.locator('section.notes-panel');
    await notes.getByLabel('New note').fill('Second request this quarter; the first was denied as repetitive. This one is new: approve.');
    await notes.getByRole('button', { name: 'Add note' }).click();
    await page.getByText('Note added.').waitFor();
    expect(await notes.locator('li.note .text').textContent()).toContain('This one is new: approve.');
    await screenshot(page, 'officer-3-note');

    // 4. A message to the subject, mailed in the same templates as every other mail.
    const messages = page.locator('section.messages-panel');
    await messages.getByLabel('Message to the subject').fill('We are working on your request and will send your data within the week.');
    await messages.getByRole('button', { name: 'Send to the subject' }).click();
    await page.getByText('Message sent to the subject.').waitFor();
    expect(await messages.locator('li[data-from="staff"] .text').textContent()).toBe('We are working on your request and will send your data within the week.');
    const mail = await rt.waitForMail(EMAIL, `A message about your request ${today}`);
    expect(mail.body.text).toContain('within the week');
    await screenshot(page, 'officer-4-message');

    // 5. The preview's counts, there before Approve was offered, the same as the API's; then approve.
    const preview = (await rt.api('GET', `/v1/admin/requests/${today}`, { token: rt.staffToken })).body.preview;
    const counted = preview.systems.filter((s: { status: string }) => s.status === 'counted');
    expect(counted.length).toBeGreaterThan(0);
    expect(await approveOffered(page)).toEqual({ requestId: today, previewRows: counted.length });
    const panel = page.locator('section.preview');
    await panel.getByRole('heading', { name: 'What approval will touch' }).waitFor();
    for (const s of counted) {
      expect(await panel.locator(`tr[data-preview-system="${s.connectorId}"] td`).first().textContent()).toBe(`${s.records} record${s.records === 1 ? '' : 's'}`);
    }
    expect(counted.some((s: { records: number }) => s.records > 0)).toBe(true);
    await screenshot(page, 'officer-5-preview');
    await page.locator('.action-bar').getByRole('button', { name: 'Approve', exact: true }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Approve' }).click();
    await page.getByText('Approve: done.').waitFor();

    // 6. The page follows the workflow by itself to the package awaiting release; staff release it.
    const release = page.locator('section.release');
    await release.getByRole('heading', { name: 'Release to the subject' }).waitFor({ timeout: 60_000 });
    await screenshot(page, 'officer-6-release');
    await release.getByRole('button', { name: 'Release package to the subject' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Release' }).click();
    await page.getByText('Package released: the subject is being sent the link.').waitFor();
    await page.locator('.status[data-status="completed"]').waitFor({ timeout: 60_000 });
    await rt.waitForMail(EMAIL, 'Your data is ready');
    // The history panel's row for this request follows it to the end.
    await page.locator(`section.subject-history tr.current[data-history-id="${today}"][data-status="completed"]`).waitFor();
    await screenshot(page, 'officer-7-released');

    // 7. An erasure: approved after its preview (typing the id), it answers the subject and leaves one task
    // per Art. 19 recipient our staff must tell; the queue's closed list marks the request "tasks open".
    const erasure = await rt.fileAndVerify(EMAIL, 'erasure');
    await page.getByRole('link', { name: 'Queue', exact: true }).first().click();
    await page.locator(`tr[data-request-id="${erasure}"]`).getByRole('link', { name: erasure }).click();
    await page.getByRole('heading', { name: `Request ${erasure}` }).waitFor();
    await page.locator('section.preview').getByRole('columnheader', { name: 'On approval (configured policy)' }).waitFor();
    expect((await approveOffered(page))?.requestId).toBe(erasure);
    expect((await approveOffered(page))?.previewRows).toBeGreaterThan(0);
    await page.locator('.action-bar').getByRole('button', { name: 'Approve', exact: true }).click();
    const confirm = page.getByRole('dialog');
    await confirm.getByRole('textbox').fill(erasure);
    await confirm.getByRole('button', { name: 'Approve' }).click();
    await page.getByText('Approve: done.').waitFor();
    const tasks = page.locator('section.tasks');
    await tasks.getByRole('heading', { name: 'Follow-up tasks' }).waitFor({ timeout: 60_000 });
    await page.locator('.status[data-status="completed"]').waitFor({ timeout: 60_000 });
    const titles = await tasks.locator('tbody th').allTextContents();
    expect(titles.length).toBeGreaterThan(0);
    // The action bar points at the work left instead of saying that nothing is possible.
    expect(await page.locator('.action-bar p[data-tasks-open]').textContent()).toBe(
      `The subject has been answered. ${titles.length} follow-up task${titles.length === 1 ? '' : 's'} open: tick them off under Follow-up tasks.`,
    );
    await screenshot(page, 'officer-8-tasks-open');

    await page.getByRole('link', { name: 'Queue', exact: true }).first().click();
    await page.getByRole('navigation', { name: 'Saved views' }).getByRole('link', { name: 'Closed' }).click();
    const closedRow = page.locator(`tr[data-request-id="${erasure}"]`);
    await closedRow.waitFor();
    expect(await closedRow.locator('.tasks-open-badge').textContent()).toBe(`${titles.length} follow-up task${titles.length === 1 ? '' : 's'} open`);
    expect(await page.locator(`tr[data-request-id="${today}"] .tasks-open-badge`).count()).toBe(0);
    await screenshot(page, 'officer-9-closed-with-tasks');

    // 8. Tick off every task with a note: the request is finished.
    await closedRow.getByRole('link', { name: erasure }).click();
    await tasks.getByRole('heading', { name: 'Follow-up tasks' }).waitFor();
    for (const [i, title] of titles.entries()) {
      await tasks.getByRole('checkbox', { name: title }).check();
      const dialog = page.getByRole('dialog');
      await dialog.getByLabel('Note (optional)').fill(`Told ${title} by email`);
      await dialog.getByRole('button', { name: 'Mark done' }).click();
      await tasks.getByText(`Task ${i + 1} ticked off.`).waitFor();
    }
    await tasks.getByText('Every follow-up task is done or closed: the request is finished.').waitFor();
    await screenshot(page, 'officer-10-tasks-done');
    const done = (await rt.api('GET', `/v1/admin/requests/${erasure}`, { token: rt.staffToken })).body;
    expect(done.request).toMatchObject({ status: 'completed', openTodos: 0 });

    // 9. The metrics changed by what the day did: one access request answered in whole, one erasure received and answered.
    const after = await figures(page);
    await screenshot(page, 'officer-11-metrics-after');
    const n = (s: string | undefined) => Number(s);
    expect(n(after.accessAnswered)).toBe(n(before.accessAnswered) + 1);
    expect(n(after.accessComplied)).toBe(n(before.accessComplied) + 1);
    expect(n(after.accessOpen)).toBe(n(before.accessOpen) - 1);
    expect(n(after.erasureReceived)).toBe(n(before.erasureReceived) + 1);
    expect(n(after.erasureAnswered)).toBe(n(before.erasureAnswered) + 1);
    // Per year: the year before holds none of today's requests.
    const heading = (await page.getByRole('heading', { name: /^Metrics \d{4}$/ }).textContent())!;
    const lastYear = String(Number(heading.slice(-4)) - 1);
    await page.getByLabel('Year').selectOption(lastYear);
    await page.getByRole('button', { name: 'Show' }).click();
    await page.getByRole('heading', { name: `Metrics ${lastYear}` }).waitFor();
    expect(await page.locator('tr[data-figure="Received (duplicates excluded)"] td[data-type="access"]').textContent()).toBe('0');
    expect(errors).toEqual([]);
  }, 300_000);
});
