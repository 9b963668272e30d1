/**
 * The public request page of an installation that lets the subject choose the law (jurisdictions.
 * askSubject), in Chromium against the real embedded runtime, driven with the keyboard alone: a subject
 * who picks a law of another country than the installation's default (NO) files and verifies a request,
 * and it is counted in that law's country. The same runtime serves the console's queue filters, which
 * must find a match that lies past the first page of the queue, and a subject who answers on the status
 * page what staff asked while the clock was stopped, and staff who read what an erasure did per object.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { requestRecord } from '../support/in-memory-context.ts';
import type { TestRuntime } from '../support/runtime.ts';
import { screenshot, startConsoleRig, stopConsoleRig, watchErrors } from './browser.ts';

let rt: TestRuntime;
let browser: Browser;

beforeAll(async () => {
  [rt, browser] = await startConsoleRig({
    crowd: 5,
    warm: 'request.js',
    configOverrides: (c) => ({
      ...c,
      jurisdictions: { ...c.jurisdictions, askSubject: true },
      // Accounts are kept under a legal obligation, so an erasure reports a retained object with its basis.
      connectors: c.connectors.map((x) =>
        x.id === 'accounts' ? { ...x, erasure: { action: 'retain' as const, legalBasis: 'Bookkeeping Act § 13', retentionPeriod: '5 years after the financial year' } } : x,
      ),
    }),
  });
});
afterAll(() => stopConsoleRig(rt, browser));

/** Presses Tab until the focused element is the one labelled `label` (never clicks). */
async function tabTo(page: Page, label: string | RegExp): Promise<void> {
  const target = page.getByLabel(label).first();
  for (let i = 0; i < 25; i++) {
    await page.keyboard.press('Tab');
    if (await target.evaluate((el) => el === document.activeElement)) return;
  }
  throw new Error(`Tab never reached the field labelled ${String(label)}`);
}

/** Presses Tab until the focused element is the button named `name`. */
async function tabToButton(page: Page, name: string): Promise<void> {
  const target = page.getByRole('button', { name, exact: true });
  for (let i = 0; i < 25; i++) {
    await page.keyboard.press('Tab');
    if (await target.evaluate((el) => el === document.activeElement)) return;
  }
  throw new Error(`Tab never reached the button ${name}`);
}

async function staffPage(): Promise<Page> {
  const page = await browser.newPage();
  page.setDefaultTimeout(10_000);
  await page.goto(`${rt.apiUrl}/console/`);
  await page.getByLabel('Staff token').fill(rt.staffToken);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Request queue' }).waitFor();
  return page;
}

describe('the public request page with the law chosen by the subject', () => {
  it('files and verifies a CCPA request with the keyboard alone, counted in the US though the default country is NO', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    const errors = watchErrors(page);
    const email = 'alice@example.com';

    await page.goto(`${rt.apiUrl}/request/`);
    await page.getByLabel('Which privacy law applies to you?').waitFor();
    // The first type (access) is chosen by default; the arrow keys move within the radio group.
    await tabTo(page, /^Access/i);
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowUp');
    expect(await page.getByLabel(/^Access/i).isChecked()).toBe(true);
    await tabTo(page, 'Email address');
    await page.keyboard.type(email);
    await tabTo(page, 'Your name (optional)');
    await page.keyboard.type('Alice Andersen');
    await tabTo(page, 'Which privacy law applies to you?');
    // Type-ahead in a focused select picks the first option starting with the letters typed.
    await page.keyboard.type('CCPA');
    expect(await page.getByLabel('Which privacy law applies to you?').inputValue()).toBe('CCPA');
    await screenshot(page, 'keyboard-1-form');
    await tabToButton(page, 'Send request');
    await page.keyboard.press('Enter');

    await page.waitForURL(/\/request\/verify\?id=/);
    const id = new URL(page.url()).searchParams.get('id')!;
    const code = await rt.codeFor(id, email);
    await tabTo(page, '6-digit code');
    await page.keyboard.type(code);
    await screenshot(page, 'keyboard-2-code');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Thank you, your request is confirmed' }).waitFor();
    await screenshot(page, 'keyboard-3-confirmed');

    const detail = await rt.api('GET', `/v1/admin/requests/${id}`, { token: rt.staffToken });
    expect(detail.status).toBe(200);
    const request = detail.body.request;
    expect(request).toMatchObject({ jurisdiction: 'CCPA', country: 'US' });
    // 45 calendar days, and a business-day acknowledgement date only CCPA sets.
    const days = (Date.parse(request.dueDate) - Date.parse(request.receivedDate)) / 86_400_000;
    expect(days).toBe(45);
    expect(request.acknowledgeBy).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(errors).toEqual([]);

    // CCPA counts from receipt: the API lists no pause, so the console offers none (it offers extend).
    await rt.waitForStatus(id, 'awaiting_review');
    const staff = await staffPage();
    await staff.goto(`${rt.apiUrl}/console/requests/${id}`);
    await staff.getByRole('button', { name: 'Extend deadline' }).waitFor();
    expect(await staff.locator('button[data-action]').evaluateAll((els) => els.map((e) => e.getAttribute('data-action')))).toEqual([
      'approve',
      'deny',
      'extend',
      'cancel',
      'assign',
    ]);
    await staff.close();
  }, 40_000);
});

describe('the console queue filters', () => {
  it('finds a CCPA request that sits behind a full page of GDPR requests, because the API filters', async () => {
    const db = DynamoDBDocumentClient.from(new DynamoDBClient({}));
    for (let i = 0; i < 30; i++) {
      const id = `dsar_filtera${String(i).padStart(4, '0')}`;
      await db.send(new PutCommand({ TableName: rt.tables.requests, Item: requestRecord({ requestId: id, status: 'awaiting_review', dueDate: '2030-01-01', openSk: `2030-01-01#${id}` }) }));
    }
    const id = 'dsar_filterc0001';
    await db.send(
      new PutCommand({
        TableName: rt.tables.requests,
        Item: requestRecord({ requestId: id, status: 'awaiting_review', jurisdiction: 'CCPA', country: 'US', dueDate: '2030-02-01', openSk: `2030-02-01#${id}` }),
      }),
    );
    db.destroy();
    const page = await staffPage();

    await page.getByLabel('Jurisdiction').selectOption('CCPA');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.locator(`tr[data-request-id="${id}"]`).waitFor();
    expect(await page.locator('tr[data-request-id^="dsar_filtera"]').count()).toBe(0);
    await screenshot(page, 'queue-1-filtered');
    await page.close();
  }, 30_000);
});

describe('a subject who answers while the clock is stopped', () => {
  it('sees what staff asked on the status page, answers there, and the clock restarts with the answer on the audit trail', async () => {
    const email = 'bob@example.com';
    // UK GDPR, where the law lets the clock stop; filed without a country, so counted in GB.
    const filed = await rt.api('POST', '/v1/requests', { body: { type: 'access', email, jurisdiction: 'UK_GDPR' } });
    expect(filed.status).toBe(202);
    const id = filed.body.requestId as string;
    expect((await rt.api('POST', `/v1/requests/${id}/verify`, { body: { code: await rt.codeFor(id, email) } })).status).toBe(200);
    await rt.waitForStatus(id, 'awaiting_review');

    const staff = await staffPage();
    await staff.goto(`${rt.apiUrl}/console/requests/${id}`);
    await staff.getByRole('button', { name: 'Pause the clock' }).click();
    const question = 'Which of your two accounts do you mean?';
    await staff.getByRole('dialog').getByLabel('What you ask of the subject (shown to them, kept in the audit trail)').fill(question);
    await staff.getByRole('dialog').getByRole('button', { name: 'Pause' }).click();
    await staff.getByText('Pause the clock: done.').waitFor();

    const ack = await rt.waitForMail(email, `We received your request (${id})`);
    const subject = await browser.newPage();
    subject.setDefaultTimeout(10_000);
    const errors = watchErrors(subject);
    await subject.goto(/(http\S+\/request\/status\?\S+)/.exec(ack.body.text!)![1]!);
    await subject.getByRole('heading', { name: 'We need something from you' }).waitFor();
    await subject.getByText(question).waitFor();
    await subject.getByLabel('Your answer').fill('The one I use for work.');
    await screenshot(subject, 'reply-1-form');
    await subject.getByRole('button', { name: 'Send answer' }).click();
    await subject.getByText('Thank you, we received your answer').waitFor();
    expect(await subject.getByRole('heading', { name: 'We need something from you' }).count()).toBe(0);
    await screenshot(subject, 'reply-2-sent');

    const detail = await rt.api('GET', `/v1/admin/requests/${id}`, { token: rt.staffToken });
    expect(detail.body.request.pause).toBeUndefined();
    expect(detail.body.request.country).toBe('GB');
    const audit = detail.body.audit as Array<{ action: string; actor: string; detail?: Record<string, unknown> }>;
    expect(audit.find((e) => e.action === 'subject.message')).toMatchObject({ actor: 'subject', detail: { message: 'The one I use for work.', answering: question } });
    expect(audit.find((e) => e.action === 'deadline.resumed')).toMatchObject({ actor: 'subject', detail: { trigger: 'subject_reply' } });
    await staff.reload();
    await staff.getByText('The one I use for work.', { exact: false }).first().waitFor();
    expect(errors).toEqual([]);
    await Promise.all([staff.close(), subject.close()]);
  }, 40_000);
});

describe('the console after an erasure', () => {
  it('shows per connector and object what was deleted and what was kept, with the legal basis and until when', async () => {
    const email = 'alice@example.com';
    const id = (await rt.api('POST', '/v1/requests', { body: { type: 'erasure', email } })).body.requestId as string;
    expect((await rt.api('POST', `/v1/requests/${id}/verify`, { body: { code: await rt.codeFor(id, email) } })).status).toBe(200);
    await rt.waitForStatus(id, 'awaiting_review');
    expect((await rt.api('POST', `/v1/admin/requests/${id}/approve`, { token: rt.staffToken, body: { confirmRequestId: id } })).status).toBe(200);
    const done = await rt.waitForStatus(id, 'completed', 30_000);
    const accounts = done.connectors.find((c: any) => c.connectorId === 'accounts');
    expect(accounts.erasure.some((i: any) => i.action === 'retained' && i.count > 0)).toBe(true);

    const staff = await staffPage();
    await staff.goto(`${rt.apiUrl}/console/requests/${id}`);
    await staff.getByRole('columnheader', { name: 'Erased, anonymized or kept' }).waitFor();
    const kept = staff.locator('tr[data-connector="accounts"] li[data-erasure-action="retained"]').first();
    await kept.waitFor();
    expect(await kept.textContent()).toMatch(/: kept \d+ \(legal basis: Bookkeeping Act § 13; how long: 5 years after the financial year\)$/);
    for (const c of done.connectors as Array<{ connectorId: string; erasure?: Array<{ object: string; action: string }> }>) {
      for (const item of c.erasure ?? []) {
        await staff.locator(`tr[data-connector="${c.connectorId}"] li[data-object="${item.object}"][data-erasure-action="${item.action}"]`).waitFor();
      }
    }
    await screenshot(staff, 'erasure-1-detail');
    await staff.close();
  }, 45_000);
});
