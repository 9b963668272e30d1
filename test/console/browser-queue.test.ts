/**
 * The privacy officer's queue, a subject's history and the metrics page in real Chromium against the real
 * embedded runtime: the queue's columns, each filter, the closed list, search by email, the saved views,
 * the subject masked for a viewer, the history panel on the detail page, and the metrics table, chart and
 * CSV with an overdue request counted as late. axe-core finds no violation on the queue and metrics pages.
 *
 * The runtime has no clock to turn, so one request is made overdue as time would: its due date is moved
 * into the past through the repository (which keeps the queue keys and the metrics ledger with it).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { RequestRepository } from '../../functions/domain/requests/repository.ts';
import { startTestRuntime, type TestRuntime } from '../support/runtime.ts';
import { axeViolations, launchChromium, screenshot, stopConsoleRig, watchErrors } from './browser.ts';

let rt: TestRuntime;
let browser: Browser;
const ids = { denied: '', anna: '', bob: '', carol: '', dave: '' };
/** Staff who sign in with addresses, as on AWS (the runtime's default `approver@localhost` is no address to assign to). */
const APPROVER_ID = 'dana@example-video.test';
let dir = '';

/** Files a request as the subject would (with a name), and verifies it unless asked not to. */
async function file(body: Record<string, unknown>, verify = true): Promise<string> {
  const filed = await rt.api('POST', '/v1/requests', { body });
  if (filed.status !== 202) throw new Error(`filing answered ${filed.status}: ${JSON.stringify(filed.body)}`);
  const id = filed.body.requestId as string;
  if (!verify) return id;
  const verified = await rt.api('POST', `/v1/requests/${id}/verify`, { body: { code: await rt.codeFor(id, body.email as string) } });
  if (verified.status !== 200) throw new Error(`verifying answered ${verified.status}`);
  await rt.waitForStatus(id, 'awaiting_review');
  return id;
}

function daysAgo(n: number): string {
  return new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);
}

beforeAll(async () => {
  // As startConsoleRig, but with the data folder's staff tokens written first (the runtime keeps a folder's tokens).
  dir = mkdtempSync(join(tmpdir(), 'dsar-queue-'));
  mkdirSync(join(dir, 'data'));
  writeFileSync(
    join(dir, 'data', 'staff-tokens.json'),
    JSON.stringify([
      { token: `local-approver-queue-${Date.now()}`, sub: 'dana', email: APPROVER_ID, groups: ['approver'] },
      { token: `local-viewer-queue-${Date.now()}`, sub: 'vera', email: 'vera@example-video.test', groups: ['viewer'] },
    ]),
  );
  const runtime = startTestRuntime({
    crowd: 5,
    keepDir: dir,
    configOverrides: (c) => ({
      ...c,
      connectors: c.connectors.filter((x) => x.kind === 'dynamodb' || x.kind === 's3'),
      console: { maskSubjectForViewers: true },
      jurisdictions: { ...c.jurisdictions, askSubject: true },
    }),
  });
  [rt, browser] = await Promise.all([runtime, launchChromium()]);
  await fetch(`${rt.apiUrl}/assets/console.js`);
  // Anna filed before and was denied as repetitive; her new access request is open.
  ids.denied = await file({ type: 'access', email: 'anna@example.com', name: 'Anna Berg' });
  const denied = await rt.api('POST', `/v1/admin/requests/${ids.denied}/deny`, { token: rt.staffToken, body: { reason: 'excessive', note: 'Third identical request this month.' } });
  expect(denied.status).toBe(200);
  await rt.waitForStatus(ids.denied, 'denied');
  ids.anna = await file({ type: 'access', email: 'anna@example.com', name: 'Anna Berg' });
  // Bob's erasure is under UK law and assigned to the approver.
  ids.bob = await file({ type: 'erasure', email: 'bob@example.com', name: 'Bob Stone', jurisdiction: 'UK_GDPR', country: 'GB' });
  const assigned = await rt.api('POST', `/v1/admin/requests/${ids.bob}/assign`, { token: rt.staffToken, body: { assignee: APPROVER_ID } });
  expect(assigned.status).toBe(200);
  // Carol's portability request is overdue.
  ids.carol = await file({ type: 'portability', email: 'carol@example.com', name: 'Carol Lie' });
  const db = DynamoDBDocumentClient.from(new DynamoDBClient({}));
  const past = daysAgo(10);
  await new RequestRepository(db, rt.tables.requests).update(ids.carol, { dueDate: past, openSk: `${past}#${ids.carol}` });
  db.destroy();
  // Dave never confirmed his address.
  ids.dave = await file({ type: 'access', email: 'dave@example.com' }, false);
}, 90_000);
afterAll(async () => {
  await stopConsoleRig(rt, browser);
  rmSync(dir, { recursive: true, force: true });
});

const pages = new Map<string, { page: Page; errors: string[] }>();

/** One signed-in tab per token, reused across tests. */
async function consolePage(token: string): Promise<{ page: Page; errors: string[] }> {
  let tab = pages.get(token);
  if (!tab) {
    const context = await browser.newContext({ acceptDownloads: true });
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    tab = { page, errors: watchErrors(page) };
    await page.goto(`${rt.apiUrl}/console/`);
    await page.getByLabel('Staff token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Request queue' }).waitFor();
    pages.set(token, tab);
  }
  return tab;
}

/** The request ids the queue table shows, once it has loaded (or its "no requests" message). */
async function listed(page: Page): Promise<string[]> {
  await page.locator('table.queue, .message.info:has-text("match these filters"), .message.info:has-text("No request was filed")').first().waitFor();
  return page.locator('table.queue tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-request-id') ?? ''));
}

async function openQueue(page: Page, query = ''): Promise<void> {
  await page.goto(`${rt.apiUrl}/console/${query}`);
  await page.getByRole('heading', { name: 'Request queue' }).waitFor();
}

async function applyFilters(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await page.waitForURL(/\/console\/\?/);
}

describe("the privacy officer's queue, history and metrics in Chromium", () => {
  it('shows subject, type and status in words, due date with badge, assignee and jurisdiction for each open request', async () => {
    const { page } = await consolePage(rt.staffToken);
    await openQueue(page);

    expect(new Set(await listed(page))).toEqual(new Set([ids.anna, ids.bob, ids.carol, ids.dave]));
    const headers = await page.locator('table.queue thead th').allTextContents();
    expect(headers).toEqual(['Days left', 'Request', 'Subject', 'Type', 'Status', 'Due', 'Assignee', 'Jurisdiction', 'Received']);
    const bob = await page.locator(`tr[data-request-id="${ids.bob}"] > *`).allTextContents();
    expect(bob.slice(1)).toEqual([ids.bob, expect.stringMatching(/Bob Stone\s*bob@example\.com/), 'Erasure', 'Awaiting review', expect.any(String), APPROVER_ID, 'UK_GDPR', expect.any(String)]);
    const anna = page.locator(`tr[data-request-id="${ids.anna}"]`);
    expect(await anna.locator('td.assignee').textContent()).toBe('—');
    await expect(anna.locator('.badge').getAttribute('data-tone')).resolves.toBe('green');
    await expect(page.locator(`tr[data-request-id="${ids.carol}"] .badge`).getAttribute('data-tone')).resolves.toBe('overdue');
    expect(await page.locator(`tr[data-request-id="${ids.dave}"] td`).nth(3).textContent()).toBe('Awaiting verification');
    await screenshot(page, 'queue-1-columns');
  }, 30_000);

  it('shows when a request was received, and when a closed one closed, in the company’s zone with UTC on hover, as the detail page does', async () => {
    const { page, errors } = await consolePage(rt.staffToken);
    const zone = rt.config.organisation.timezone;
    const inZone = (iso: string) => `${new Intl.DateTimeFormat('en-GB', { timeZone: zone, dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso))} (${zone})`;
    const utc = (iso: string) => `${iso.replace('T', ' ').slice(0, 16)} UTC`;
    const stored = async (id: string) => (await rt.api('GET', `/v1/admin/requests/${id}`, { token: rt.staffToken })).body.request;

    await openQueue(page);
    await listed(page);
    const bob = await stored(ids.bob);
    const received = page.locator(`tr[data-request-id="${ids.bob}"] td`).last().locator('time');
    expect(await received.getAttribute('datetime')).toBe(bob.receivedAt);
    expect(await received.getAttribute('title')).toBe(utc(bob.receivedAt));
    expect(await received.textContent()).toBe(inZone(bob.receivedAt));

    await openQueue(page, '?state=closed');
    expect(await listed(page)).toEqual([ids.denied]);
    expect(await page.locator('table.queue thead th').last().textContent()).toBe('Closed');
    const denied = await stored(ids.denied);
    const closed = page.locator(`tr[data-request-id="${ids.denied}"] td`).last().locator('time');
    expect(await closed.getAttribute('title')).toBe(utc(denied.closedAt));
    expect(await closed.textContent()).toBe(inZone(denied.closedAt));
    // No bare UTC time in the table's text: UTC is the hover.
    expect(await page.locator('table.queue').textContent()).not.toMatch(/\d{2}:\d{2} UTC/);
    await screenshot(page, 'queue-6-times-in-company-zone');
    expect(errors).toEqual([]);
  }, 30_000);

  it('filters by status, type, jurisdiction, assignee, due date and overdue, and lists closed requests', async () => {
    const { page, errors } = await consolePage(rt.staffToken);
    await openQueue(page);

    await page.getByLabel('Status').selectOption('awaiting_verification');
    await applyFilters(page);
    expect(await listed(page)).toEqual([ids.dave]);
    await screenshot(page, 'queue-2-filter-status');

    await openQueue(page);
    await page.getByLabel('Type').selectOption('erasure');
    await applyFilters(page);
    expect(await listed(page)).toEqual([ids.bob]);

    await openQueue(page);
    await page.getByLabel('Jurisdiction').selectOption('UK_GDPR');
    await applyFilters(page);
    expect(await listed(page)).toEqual([ids.bob]);
    await screenshot(page, 'queue-3-filter-jurisdiction');

    await openQueue(page);
    await page.getByLabel('Assignee (email)').fill(APPROVER_ID);
    await applyFilters(page);
    expect(await listed(page)).toEqual([ids.bob]);

    await openQueue(page);
    await page.getByLabel('Due on or before').fill(daysAgo(0));
    await applyFilters(page);
    expect(await listed(page)).toEqual([ids.carol]);

    await openQueue(page);
    await page.getByLabel('Overdue only').check();
    await applyFilters(page);
    expect(await listed(page)).toEqual([ids.carol]);
    await screenshot(page, 'queue-4-filter-overdue');

    await openQueue(page);
    await page.getByLabel('Open or closed').selectOption('closed');
    await applyFilters(page);
    expect(await listed(page)).toEqual([ids.denied]);
    expect(await page.locator(`tr[data-request-id="${ids.denied}"] .badge`).textContent()).toBe('Closed');
    expect(await page.locator('table.queue caption').textContent()).toContain('most recently closed first');
    // The closed list's own statuses: denied finds it, cancelled does not.
    await page.getByLabel('Status').selectOption('denied');
    await applyFilters(page);
    expect(await listed(page)).toEqual([ids.denied]);
    await page.getByLabel('Status').selectOption('cancelled');
    await applyFilters(page);
    expect(await listed(page)).toEqual([]);
    await screenshot(page, 'queue-5-closed');
    expect(errors).toEqual([]);
  }, 40_000);

  it('offers saved views that set the filters: mine, overdue, awaiting review', async () => {
    const { page } = await consolePage(rt.staffToken);
    await openQueue(page);
    const views = page.getByRole('navigation', { name: 'Saved views' });

    await views.getByRole('link', { name: 'Mine' }).click();
    await page.waitForURL(/assignee=dana%40example-video\.test/);
    expect(await listed(page)).toEqual([ids.bob]);
    await expect(views.getByRole('link', { name: 'Mine' }).getAttribute('aria-current')).resolves.toBe('page');
    await screenshot(page, 'queue-6-view-mine');

    await views.getByRole('link', { name: 'Overdue' }).click();
    await page.waitForURL(/overdue=true/);
    expect(await listed(page)).toEqual([ids.carol]);
    expect(await page.getByLabel('Overdue only').isChecked()).toBe(true);

    await views.getByRole('link', { name: 'Awaiting review' }).click();
    await page.waitForURL(/status=awaiting_review/);
    expect(new Set(await listed(page))).toEqual(new Set([ids.anna, ids.bob, ids.carol]));
  }, 30_000);

  it("finds a subject's requests, open and closed, by email, without putting the address in the URL", async () => {
    const { page } = await consolePage(rt.staffToken);
    await openQueue(page);

    await page.getByLabel('Subject email').fill(' ANNA@example.com ');
    await page.getByRole('button', { name: 'Find subject' }).click();
    await page.locator('table.queue caption', { hasText: 'Requests filed by' }).waitFor();
    expect(await listed(page)).toEqual([ids.anna, ids.denied]);
    expect(page.url()).not.toContain('anna');
    await screenshot(page, 'queue-7-search-email');

    await page.getByLabel('Subject email').fill('nobody@example.com');
    await page.getByRole('button', { name: 'Find subject' }).click();
    await page.getByText('No request was filed with this email address').waitFor();
  }, 20_000);

  it('masks the subject for a viewer when the configuration says so', async () => {
    const { page } = await consolePage(rt.viewerToken);
    await openQueue(page);

    await page.locator(`tr[data-request-id="${ids.anna}"]`).waitFor();
    expect(await page.locator(`tr[data-request-id="${ids.anna}"] td.subject`).textContent()).toBe('A. B.a•••@example.com');
    expect(await page.locator('table.queue').textContent()).not.toMatch(/anna@|Anna Berg|bob@|Bob Stone/);
    await screenshot(page, 'queue-8-viewer-masked');
  }, 20_000);

  it("shows every request in the subject's name on the detail page, with outcomes and links", async () => {
    const { page, errors } = await consolePage(rt.staffToken);
    await page.goto(`${rt.apiUrl}/console/requests/${ids.anna}`);
    const history = page.locator('section.subject-history');
    await history.getByRole('heading', { name: 'Subject’s requests' }).waitFor();
    await history.locator('table.history').waitFor();

    const rows = history.locator('tbody tr');
    expect(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-history-id')))).toEqual([ids.anna, ids.denied]);
    expect(await rows.nth(0).textContent()).toContain('(this request)');
    expect(await rows.nth(1).locator('td').last().textContent()).toBe('Denied: Excessive (repetitive)');
    await screenshot(page, 'history-1-panel');

    await rows.nth(1).getByRole('link', { name: ids.denied }).click();
    await page.getByRole('heading', { name: `Request ${ids.denied}` }).waitFor();
    await history.locator(`tr.current[data-history-id="${ids.denied}"]`).waitFor();
    await screenshot(page, 'history-2-earlier-request');

    // Carol filed once: the panel says so instead of an empty table.
    await page.goto(`${rt.apiUrl}/console/requests/${ids.carol}`);
    await history.getByText('This is the only request filed in this subject’s name.').waitFor();
    expect(errors).toEqual([]);
  }, 30_000);

  it('shows every metric per type as a table and a chart, counts the overdue request as late, and downloads the CSV', async () => {
    const { page, errors } = await consolePage(rt.staffToken);
    await page.getByRole('link', { name: 'Metrics' }).click();
    await page.getByRole('heading', { name: /^Metrics \d{4}$/ }).waitFor();
    const table = page.getByRole('table', { name: /every figure$/ });
    await table.waitFor();
    const cell = (figure: string, type: string) => table.locator(`tr[data-figure="${figure}"] td[data-type="${type}"]`).textContent();

    // The overdue portability request: named, counted open past due, and the share on time 0%, not 100%.
    await page.locator('.overdue-notice', { hasText: '1 open request is past the due date (Portability 1)' }).waitFor();
    expect(await cell('Open past the due date', 'portability')).toBe('1');
    expect(await cell('Share on time (late: answered late or open past due)', 'portability')).toBe('0%');
    expect(await cell('Open', 'portability')).toBe('1');
    // Anna's denial: answered the same day, on time; her open request is not yet due.
    expect(await cell('Denied: Excessive (repetitive)', 'access')).toBe('1');
    expect(await cell('Answered', 'access')).toBe('1');
    expect(await cell('Median days to respond', 'access')).toBe('0');
    expect(await cell('Share on time (late: answered late or open past due)', 'access')).toBe('100%');
    const figures = await table.locator('tbody th').allTextContents();
    expect(figures).toEqual(
      expect.arrayContaining(['Received (duplicates excluded)', 'Duplicates of an open request', 'Complied with in whole', 'Complied with in part', 'Denied', 'Cancelled', 'Open', 'Answered', 'Mean days to respond', 'Answered on time']),
    );

    const chart = page.getByRole('img', { name: /^Outcomes of the requests received in \d{4}, by type$/ });
    await chart.waitFor();
    expect(await chart.locator('rect[data-outcome="overdue"][data-type="portability"]').count()).toBe(1);
    expect(await chart.locator('rect[data-outcome="denied"][data-type="access"]').count()).toBe(1);
    await page.getByRole('img', { name: /answered on time/ }).getByText('0% (1 open past due)').waitFor();
    await screenshot(page, 'metrics-1-table-chart');

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download CSV (per type)' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^dsar-metrics-\d{4}\.csv$/);
    const [header, ...lines] = readFileSync(await download.path(), 'utf8').trim().split('\n');
    const columns = header!.split(',');
    const portability = lines.map((l) => l.split(',')).find((l) => l[1] === 'portability')!;
    expect(portability[columns.indexOf('open_overdue')]).toBe('1');
    const [monthly] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download CSV (per month)' }).click()]);
    expect(readFileSync(await monthly.path(), 'utf8').trim().split('\n')).toHaveLength(13);
    await screenshot(page, 'metrics-2-csv');
    expect(errors).toEqual([]);
  }, 30_000);

  it("assigns a request to oneself from the detail page, audited, and the 'Mine' view lists it", async () => {
    const { page, errors } = await consolePage(rt.staffToken);
    await page.goto(`${rt.apiUrl}/console/requests/${ids.carol}`);
    await page.getByRole('button', { name: 'Assign', exact: true }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Assign to me' }).click();
    expect(await dialog.getByLabel('Staff member (email)').inputValue()).toBe(APPROVER_ID);
    await screenshot(page, 'queue-9-assign-to-me');
    await dialog.getByRole('button', { name: 'Assign', exact: true }).click();
    await page.getByText('Assign: done.').waitFor();

    const detail = await rt.api('GET', `/v1/admin/requests/${ids.carol}`, { token: rt.staffToken });
    expect(detail.body.request.assignee).toBe(APPROVER_ID);
    expect(detail.body.audit).toEqual(expect.arrayContaining([expect.objectContaining({ action: 'request.assigned', actor: APPROVER_ID, detail: { assignee: APPROVER_ID } })]));
    await page.getByRole('link', { name: 'Queue', exact: true }).first().click();
    await page.getByRole('navigation', { name: 'Saved views' }).getByRole('link', { name: 'Mine' }).click();
    await page.waitForURL(/assignee=/);
    expect(await listed(page)).toEqual([ids.carol, ids.bob]);
    expect(errors).toEqual([]);
  }, 30_000);

  it('has no axe-core violations on the queue and the metrics page', async () => {
    const { page } = await consolePage(rt.staffToken);
    await openQueue(page);
    await listed(page);
    expect(await axeViolations(page)).toEqual([]);
    await page.goto(`${rt.apiUrl}/console/metrics`);
    await page.getByRole('table', { name: /every figure$/ }).waitFor();
    expect(await axeViolations(page)).toEqual([]);
  }, 30_000);
});
