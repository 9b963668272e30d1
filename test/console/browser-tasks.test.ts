/**
 * Follow-up tasks in the console (Chromium, real embedded runtime; issue 17, item 5): after alice's
 * erasure the detail page lists one task per Art. 19 recipient our staff must tell; the privacy officer
 * ticks them off with a note (one closed with a reason), and the page says the request is finished. A
 * viewer sees the list without controls. Screenshots: test-results/console/tasks-*.png.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { TestRuntime } from '../support/runtime.ts';
import { screenshot, signedInPage, startConsoleRig, stopConsoleRig, watchErrors } from './browser.ts';

let rt: TestRuntime;
let browser: Browser;

beforeAll(async () => {
  [rt, browser] = await startConsoleRig({ crowd: 5, warm: 'console.js' });
});
afterAll(() => stopConsoleRig(rt, browser));

async function signedIn(token: string): Promise<Page> {
  const { page } = await signedInPage(browser, rt, { token, viewport: { width: 1280, height: 900 }, timeoutMs: 10_000 });
  await page.getByRole('heading', { name: 'Request queue' }).waitFor();
  return page;
}

describe("the Art. 19 tasks of alice's erasure, in the console", () => {
  let id: string;
  let titles: string[];

  beforeAll(async () => {
    id = await rt.fileAndVerify('alice@example.com', 'erasure');
    await rt.approve(id, 'erasure');
    await rt.waitForStatus(id, 'completed', 60_000);
    // One task per recipient on the erasure.recipients_outstanding line, there before the request completed.
    const now = (await rt.api('GET', `/v1/admin/requests/${id}`, { token: rt.staffToken })).body;
    const outstanding: string[] = now.audit.find((a: any) => a.action === 'erasure.recipients_outstanding').detail.recipients;
    titles = (await rt.api('GET', `/v1/admin/requests/${id}/tasks`, { token: rt.staffToken })).body.items.map((t: any) => t.title);
    expect(titles).toHaveLength(outstanding.length);
  }, 90_000);

  it('shows a viewer the tasks without checkboxes to tick or buttons', async () => {
    const page = await signedIn(rt.viewerToken);
    await page.goto(`${rt.apiUrl}/console/requests/${id}`);
    const section = page.locator('section.tasks');
    await section.getByRole('heading', { name: 'Follow-up tasks' }).waitFor();
    expect(await section.locator('tbody tr').count()).toBe(titles.length);
    expect(await section.getByRole('checkbox').evaluateAll((boxes) => boxes.every((b) => (b as HTMLInputElement).disabled))).toBe(true);
    expect(await section.locator('button').count()).toBe(0);
    await screenshot(page, 'tasks-0-viewer');
  }, 30_000);

  it('lets the privacy officer tick off every task with a note, or close one with a reason, until the request is finished', async () => {
    expect(titles.length).toBeGreaterThan(1);
    const page = await signedIn(rt.staffToken);
    const errors = watchErrors(page);
    await page.goto(`${rt.apiUrl}/console/requests/${id}`);
    const section = page.locator('section.tasks');
    await section.getByRole('heading', { name: 'Follow-up tasks' }).waitFor();
    await section.getByText(`${titles.length} follow-up tasks open`).waitFor();
    expect(await section.locator('tbody th').allTextContents()).toEqual(titles);
    await screenshot(page, 'tasks-1-open');

    // Each but the last: the checkbox, a note, done.
    for (const [i, title] of titles.slice(0, -1).entries()) {
      await section.getByRole('checkbox', { name: title }).check();
      const dialog = page.getByRole('dialog');
      await dialog.getByRole('heading', { name: `Tick off: ${title}?` }).waitFor();
      await dialog.getByLabel('Note (optional)').fill(`Told by email, ticket ${100 + i}`);
      if (i === 0) await screenshot(page, 'tasks-2-tick-dialog');
      await dialog.getByRole('button', { name: 'Mark done' }).click();
      await section.getByText(`Task ${i + 1} ticked off.`).waitFor();
      const row = section.locator(`tr[data-task="${i + 1}"]`);
      expect(await row.getAttribute('data-task-status')).toBe('done');
      expect(await row.getByRole('checkbox').isChecked()).toBe(true);
      expect(await row.textContent()).toContain(`Told by email, ticket ${100 + i}`);
    }

    // The last: closed without doing it, which needs a reason.
    const last = titles.length;
    await section.locator(`button[data-task-action="close"][data-task="${last}"]`).click();
    const dialog = page.getByRole('dialog');
    const reason = dialog.getByLabel('Reason (kept in the audit trail)');
    await dialog.getByRole('button', { name: 'Close task' }).click();
    // An empty reason does not submit: the dialog stays, the field invalid, and the task open.
    expect(await dialog.isVisible()).toBe(true);
    expect(await reason.evaluate((el) => (el as HTMLTextAreaElement).validity.valueMissing)).toBe(true);
    expect(await section.locator(`tr[data-task="${last}"]`).getAttribute('data-task-status')).toBe('open');
    await reason.fill('They no longer receive data from us');
    await dialog.getByRole('button', { name: 'Close task' }).click();
    await section.getByText(`Task ${last} closed.`).waitFor();
    await section.getByText('Every follow-up task is done or closed: the request is finished.').waitFor();
    expect(await section.locator('tr[data-task-status="open"]').count()).toBe(0);
    await screenshot(page, 'tasks-3-finished');

    const detail = (await rt.api('GET', `/v1/admin/requests/${id}`, { token: rt.staffToken })).body;
    expect(detail.request).toMatchObject({ status: 'completed', openTodos: 0 });
    expect(detail.audit.filter((e: any) => e.action === 'todo.done')).toHaveLength(titles.length - 1);
    expect(detail.audit.filter((e: any) => e.action === 'todo.done').every((e: any) => e.actor === detail.request.decision.by)).toBe(true);
    expect(errors).toEqual([]);
  }, 60_000);
});
