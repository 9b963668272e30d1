/**
 * The console and the public pages in a real browser against the real embedded runtime: a subject files
 * and verifies an access request, staff approve it in the console, the subject follows it to completion
 * and downloads the package; a denial shows its reason; a viewer cannot approve; broken and expired
 * links get a readable page.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { TestRuntime } from '../support/runtime.ts';
import { releasePackage } from '../support/release.ts';
import { screenshot, startConsoleRig, stopConsoleRig, watchErrors } from './browser.ts';

let rt: TestRuntime;
let browser: Browser;

beforeAll(async () => {
  [rt, browser] = await startConsoleRig({ crowd: 10, warm: 'console.js' });
});
afterAll(() => stopConsoleRig(rt, browser));

async function newPage(): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({ acceptDownloads: true });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  return { page, errors: watchErrors(page) };
}

/** The subject's side: file on the public page, read the code from the mail store, verify on the page. */
async function fileAndVerify(page: Page, email: string, type: string, shot: string): Promise<string> {
  await page.goto(`${rt.apiUrl}/request/`);
  await page.getByLabel(new RegExp(`^${type}`, 'i')).check();
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Your name (optional)').fill('Test Subject');
  await screenshot(page, `${shot}-1-form`);
  await page.getByRole('button', { name: 'Send request' }).click();
  await page.waitForURL(/\/request\/verify\?id=/);
  const id = new URL(page.url()).searchParams.get('id')!;
  const code = await rt.codeFor(id, email);
  await page.getByLabel('6-digit code').fill(code);
  await screenshot(page, `${shot}-2-code`);
  await page.getByRole('button', { name: 'Confirm' }).click();
  await page.getByRole('heading', { name: 'Thank you, your request is confirmed' }).waitFor();
  await rt.waitForStatus(id, 'awaiting_review');
  return id;
}

const signedIn = new Map<string, Page>();

/** One signed-in tab per token, reused across tests (signing in is tested once, in the first test). */
async function staffPage(token: string): Promise<Page> {
  let page = signedIn.get(token);
  if (!page) {
    page = (await newPage()).page;
    await signIn(page, token);
    signedIn.set(token, page);
  }
  return page;
}

async function signIn(page: Page, token: string) {
  await page.goto(`${rt.apiUrl}/console/`);
  await page.getByLabel('Staff token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Request queue' }).waitFor();
}

async function statusLink(id: string, email: string): Promise<string> {
  const mails = await rt.mails(email);
  const text = mails.map((m) => m.body.text ?? '').find((t) => t.includes(`/request/status?id=${id}`));
  return /(http:\/\/\S+\/request\/status\?\S+)/.exec(text ?? '')![1]!;
}

describe('the public page and the console in Chromium', () => {
  let completedId = '';
  let downloadLink = '';

  it('files an access request, staff approve it in the console, and the subject downloads the package', async () => {
    const { page: subject, errors: subjectErrors } = await newPage();
    const email = 'alice@example.com';
    const id = await fileAndVerify(subject, email, 'access', 'access');
    // The verify page opened again: the request is already confirmed, which the page says without an error.
    await subject.goto(`${rt.apiUrl}/request/verify?id=${id}`);
    await subject.getByLabel('6-digit code').fill('000000');
    await subject.getByRole('button', { name: 'Confirm' }).click();
    await subject.getByRole('heading', { name: 'Your request is already confirmed' }).waitFor();

    const { page: staff, errors: staffErrors } = await newPage();
    await signIn(staff, rt.staffToken);
    signedIn.set(rt.staffToken, staff);
    // The token lives in sessionStorage for this tab only, never in localStorage.
    expect(await staff.evaluate(() => localStorage.length)).toBe(0);
    expect(await staff.evaluate(() => sessionStorage.getItem('dsar.staff.session'))).toContain(rt.staffToken);
    const row = staff.locator(`tr[data-request-id="${id}"]`);
    await expect(row.locator('.badge').getAttribute('data-tone')).resolves.toBe('green');
    await screenshot(staff, 'access-3-queue');
    await row.getByRole('link', { name: id }).click();
    await staff.getByRole('heading', { name: `Request ${id}` }).waitFor();
    await staff.getByRole('button', { name: 'Approve', exact: true }).click();
    const dialog = staff.getByRole('dialog');
    await screenshot(staff, 'access-4-confirm');
    await dialog.getByRole('button', { name: 'Approve' }).click();
    await staff.getByText('Approve: done.').waitFor();
    await releasePackage(rt, id);
    await rt.waitForStatus(id, 'completed', 60_000);
    await staff.reload();
    await staff.locator('.status[data-status="completed"]').waitFor();
    await staff.locator('tr[data-connector="accounts"]').waitFor();
    await screenshot(staff, 'access-5-detail-completed');

    // Staff review the package: the console asks the API for a short-lived link and the ZIP arrives.
    const { readFileSync } = await import('node:fs');
    const [review] = await Promise.all([staff.waitForEvent('download'), staff.getByRole('button', { name: 'Download package for review' }).click()]);
    expect(readFileSync(await review.path()).subarray(0, 2).toString()).toBe('PK');
    expect(review.suggestedFilename()).toMatch(/\.zip$/);
    const detail = await rt.api('GET', `/v1/admin/requests/${id}`, { token: rt.staffToken });
    const audit = (detail.body as { audit: Array<{ action: string; actor: string }> }).audit;
    expect(audit.filter((e) => e.action === 'package.reviewed')).toHaveLength(1);

    await subject.goto(await statusLink(id, email));
    await subject.locator('.status[data-status="completed"]').waitFor();
    await screenshot(subject, 'access-6-status');

    const mail = await rt.waitForMail(email, 'Your data is ready');
    const link = new URL(/(http:\/\/\S+\/v1\/downloads\/\S+)/.exec(mail.body.text!)![1]!);
    downloadLink = `${rt.apiUrl}/request/download?id=${id}&token=${link.searchParams.get('token')}`;
    await subject.goto(downloadLink);
    const button = subject.getByRole('link', { name: 'Download your data' });
    await screenshot(subject, 'access-7-download');
    const [download] = await Promise.all([subject.waitForEvent('download'), button.click()]);
    const path = await download.path();
    expect(readFileSync(path).subarray(0, 2).toString()).toBe('PK');
    expect(download.suggestedFilename()).toMatch(/\.zip$/);
    expect([...subjectErrors, ...staffErrors]).toEqual([]);
    completedId = id;
  }, 60_000);

  it('denies a request with a reason that the subject sees on the status page', async () => {
    const { page: subject } = await newPage();
    const email = 'bob@example.com';
    const id = await fileAndVerify(subject, email, 'access', 'deny');
    const staff = await staffPage(rt.staffToken);
    await staff.goto(`${rt.apiUrl}/console/requests/${id}`);

    // Extend first: the law allows it once, so the console stops offering it.
    await staff.getByRole('button', { name: 'Extend deadline' }).click();
    await staff.getByRole('dialog').getByLabel('Reason (kept in the audit trail)').fill('Many systems to search.');
    await staff.getByRole('dialog').getByRole('button', { name: 'Extend' }).click();
    await staff.getByText('Extend deadline: done.').waitFor();
    await staff.getByText('Many systems to search.', { exact: false }).first().waitFor();
    expect(await staff.locator('button[data-action="extend"]').count()).toBe(0);

    // Assign it: reminders then go to the assignee, and the detail says who.
    await staff.getByRole('button', { name: 'Assign' }).click();
    await staff.getByRole('dialog').getByLabel('Staff member (email)').fill('erik@example-video.test');
    await staff.getByRole('dialog').getByRole('button', { name: 'Assign' }).click();
    await staff.getByText('Assign: done.').waitFor();
    await staff.getByText('erik@example-video.test').first().waitFor();

    await staff.getByRole('button', { name: 'Deny' }).click();
    const dialog = staff.getByRole('dialog');
    await dialog.getByLabel('Reason').selectOption('manifestly_unfounded');
    await dialog.getByLabel('Note to the subject').fill('Fifth identical request this month.');
    await screenshot(staff, 'deny-1-dialog');
    await dialog.getByRole('button', { name: 'Deny request' }).click();
    await staff.getByText('Deny: done.').waitFor();
    await rt.waitForStatus(id, 'denied');
    await subject.goto(await statusLink(id, email));
    await subject.locator('.status[data-status="denied"]').waitFor();
    await subject.getByText('The request is manifestly unfounded').waitFor();
    await screenshot(subject, 'deny-2-status');
  }, 40_000);

  it('shows a viewer the request without approve or deny, and the API refuses the viewer too', async () => {
    const { page: subject } = await newPage();
    const email = 'carol@example.com';
    const id = await fileAndVerify(subject, email, 'erasure', 'viewer');
    const viewer = await staffPage(rt.viewerToken);
    await viewer.goto(`${rt.apiUrl}/console/requests/${id}`);
    await viewer.getByText('You have read-only (viewer) access').waitFor();
    expect(await viewer.locator('button[data-action]').count()).toBe(0);
    await screenshot(viewer, 'viewer-1-detail');
    const refused = await rt.api('POST', `/v1/admin/requests/${id}/approve`, { token: rt.viewerToken, body: { confirmRequestId: id } });
    expect(refused.status).toBe(403);

    // An approver must type the id to approve an erasure.
    const staff = await staffPage(rt.staffToken);
    await staff.goto(`${rt.apiUrl}/console/requests/${id}`);
    await staff.getByRole('button', { name: 'Approve', exact: true }).click();
    const dialog = staff.getByRole('dialog');
    const confirm = dialog.getByRole('button', { name: 'Approve' });
    expect(await confirm.isDisabled()).toBe(true);
    await dialog.getByLabel(`Type the request id ${id} to confirm`).fill(id);
    await screenshot(staff, 'viewer-2-erasure-confirm');
    await confirm.click();
    await staff.getByText('Approve: done.').waitFor();
    await rt.waitForStatus(id, 'completed', 20_000);

    // The subject's status page carries the erasure report: here, that nothing was found.
    const ack = await rt.waitForMail(email, `We received your request (${id})`);
    await subject.goto(/(http\S+token=\S+)/.exec(ack.body.text!)![1]!);
    await subject.getByRole('heading', { name: 'What we erased' }).waitFor();
    await subject.getByText('We found no personal data about you').waitFor();
    // Art. 19 recipients are named to her only where her data was: with nothing erased, none is.
    expect(await subject.getByText('Microsoft').count()).toBe(0);
    expect(await subject.getByRole('heading', { name: /recipients/ }).count()).toBe(0);
    await screenshot(subject, 'viewer-3-erasure-report');
  }, 40_000);

  it('explains an invalid status link and an expired or invalid download link', async () => {
    expect(completedId).not.toBe('');
    const { page, errors } = await newPage();
    await page.goto(`${rt.apiUrl}/request/status?id=${completedId}&token=not-the-token`);
    await page.getByRole('heading', { name: 'This link is not valid' }).waitFor();
    await screenshot(page, 'links-1-invalid-status');
    await page.goto(`${rt.apiUrl}/request/download?id=${completedId}&token=not-the-token`);
    await page.getByRole('heading', { name: 'This download link is not valid' }).waitFor();

    // Expire the download in the table, as time would.
    const db = DynamoDBDocumentClient.from(new DynamoDBClient({}));
    await db.send(
      new UpdateCommand({
        TableName: rt.tables.requests,
        Key: { pk: `REQ#${completedId}`, sk: 'DL' },
        UpdateExpression: 'SET expiresAt = :past',
        ExpressionAttributeValues: { ':past': '2020-01-01T00:00:00.000Z' },
      }),
    );
    db.destroy();
    await page.goto(downloadLink);
    await page.getByRole('heading', { name: 'This download link has expired' }).waitFor();
    await page.getByRole('link', { name: 'Make a new request' }).waitFor();
    await screenshot(page, 'links-2-expired-download');
    expect(errors).toEqual([]);
  }, 20_000);

  it('charts the year\'s requests on the metrics page', async () => {
    const staff = await staffPage(rt.staffToken);
    await staff.getByRole('link', { name: 'Metrics' }).click();
    await staff.getByRole('heading', { name: /^Metrics \d{4}$/ }).waitFor();
    await staff.getByRole('img', { name: /answered on time/ }).waitFor();
    // The API reports months, so the page draws requests per month rather than the yearly fallback.
    await staff.getByRole('img', { name: /^Requests per month in \d{4}, by type$/ }).waitFor();
    // The figures table has a row per figure and a column per type.
    const accessYear = Number(await staff.locator('table.figures tr[data-figure="Received (duplicates excluded)"] td[data-type="access"]').textContent());
    expect(accessYear).toBeGreaterThanOrEqual(2);
    // The monthly chart has its data table: a row per month, whose access column adds up to the year's.
    const monthly = staff.getByRole('table', { name: /^Requests received per month in \d{4}, by type$/ });
    await monthly.waitFor();
    expect(await monthly.locator('tbody tr').count()).toBe(12);
    const accessColumn = (await monthly.locator('thead th').allTextContents()).indexOf('Access');
    expect(accessColumn).toBeGreaterThan(0);
    const perMonth = await monthly.locator(`tbody tr > :nth-child(${accessColumn + 1})`).allTextContents();
    expect(perMonth.reduce((sum, n) => sum + Number(n), 0)).toBe(accessYear);
    await screenshot(staff, 'metrics-1-chart');
  }, 15_000);

  it('sends strict security headers with every page and asset', async () => {
    for (const path of ['/request/', '/console/', '/console/requests/dsar_x', '/assets/console.js', '/console/config.json']) {
      const res = await fetch(`${rt.apiUrl}${path}`);
      expect(res.status, path).toBe(200);
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).toContain("frame-ancestors 'none'");
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    }
  });
});
