/**
 * The public form offers the marketing opt-out in plain words, in English and Norwegian Bokmål, with
 * the details field every type has; filing through it stores the type and the subject's words; staff see
 * those words and, per system, what the opt-out did. In Chromium against the real embedded runtime (the
 * console rig connects the internal stores only). Screenshots go to test-results/console/objection-*.png.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { TestRuntime } from '../support/runtime.ts';
import { screenshot, signedInPage, startConsoleRig, stopConsoleRig, watchErrors } from './browser.ts';

let rt: TestRuntime;
let browser: Browser;

beforeAll(async () => {
  [rt, browser] = await startConsoleRig({ crowd: 5, warm: 'request.js' });
  await fetch(`${rt.apiUrl}/assets/console.js`);
});
afterAll(() => stopConsoleRig(rt, browser));

async function tab(locale: string): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({ locale });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  return { page, errors: watchErrors(page) };
}

async function stored(requestId: string): Promise<Record<string, any> | undefined> {
  const db = DynamoDBDocumentClient.from(new DynamoDBClient({}));
  try {
    return (await db.send(new GetCommand({ TableName: rt.tables.requests, Key: { pk: `REQ#${requestId}`, sk: 'META' } }))).Item;
  } finally {
    db.destroy();
  }
}

describe('the public form and the marketing opt-out', () => {
  it('offers stopping marketing in plain English, and files it with what the subject wrote', async () => {
    const { page, errors } = await tab('en-GB');
    await page.goto(`${rt.apiUrl}/request/`);
    await page.getByText('You can also tell us to stop marketing to you').waitFor();
    const choice = page.getByLabel(/^Stop marketing \(no more marketing emails/);
    await choice.waitFor();
    const details = page.getByLabel('Anything we should know? (optional)');
    expect(await details.getAttribute('maxlength')).toBe('2000');
    await page.getByText('At most 2,000 characters').waitFor();

    await choice.check();
    await page.getByLabel('Email address').fill('mia@example.com');
    await details.fill('I keep getting the webinar invitations.\nPlease stop them all.');
    await screenshot(page, 'objection-form.en');
    await page.getByRole('button', { name: 'Send request' }).click();
    // No code to enter (verification.marketing_opt_out: none): the page says it is under way and gives the reference.
    await page.getByRole('heading', { name: 'We are stopping marketing to you' }).waitFor();
    const sent = (await page.getByText('No code is needed for this.').textContent())!;
    await screenshot(page, 'objection-sent.en');
    expect(page.url()).not.toMatch(/\/request\/verify/);

    const id = /Your reference is (dsar_\w+)/.exec(sent)![1]!;
    expect(await stored(id)).toMatchObject({
      type: 'marketing_opt_out',
      subject: { normalizedEmail: 'mia@example.com', details: 'I keep getting the webinar invitations.\nPlease stop them all.' },
    });
    expect(errors).toEqual([]);
  }, 30_000);

  it('offers it in Norwegian Bokmål too, with the details field', async () => {
    const { page, errors } = await tab('nb-NO');
    await page.goto(`${rt.apiUrl}/request/`);
    await page.getByText('Du kan også be oss slutte å sende deg markedsføring').waitFor();
    await page.getByLabel(/^Stopp markedsføring \(ingen flere reklame-e-poster/).waitFor();
    await page.getByLabel('Er det noe vi bør vite? (valgfritt)').waitFor();
    await screenshot(page, 'objection-form.nb');
    expect(errors).toEqual([]);
  }, 30_000);

  it('files an access request with details as well: every type has the field', async () => {
    const { page } = await tab('en-GB');
    await page.goto(`${rt.apiUrl}/request/`);
    await page.getByLabel(/^Access/).check();
    await page.getByLabel('Email address').fill('noah@example.com');
    await page.getByLabel('Anything we should know? (optional)').fill('Mainly my call history, please.');
    await page.getByRole('button', { name: 'Send request' }).click();
    await page.waitForURL(/\/request\/verify\?id=/);

    const id = new URL(page.url()).searchParams.get('id')!;
    expect(await stored(id)).toMatchObject({ type: 'access', subject: { details: 'Mainly my call history, please.' } });
  }, 30_000);

  it('shows staff what the subject wrote and, per system, where marketing stopped', async () => {
    const filed = await rt.api('POST', '/v1/requests', { body: { type: 'marketing_opt_out', email: 'alice@example.com', details: 'No more <b>newsletters</b>, please.\nThanks.' } });
    const id = filed.body.requestId as string;
    // No code: the example configuration waives it for an opt-out (verification.marketing_opt_out: none).
    await rt.waitForStatus(id, 'completed', 60_000);

    const { page, errors } = await signedInPage(browser, rt, { path: `requests/${id}`, viewport: { width: 1280, height: 900 } });
    await page.getByRole('heading', { name: `Request ${id}` }).waitFor();

    const wrote = page.locator('section.subject-details');
    expect(await wrote.locator('.subject-details-text').textContent()).toBe('No more <b>newsletters</b>, please.\nThanks.');
    const panel = page.locator('section.suppression-panel');
    await panel.getByRole('heading', { name: 'Marketing opt-out' }).waitFor();
    expect(await panel.locator('tr[data-connector="accounts"] td').nth(1).textContent()).toMatch(/^Opted out \(account 1\), confirmed /);
    expect(await panel.locator('tr[data-connector="calls"] td').nth(1).textContent()).toBe('Does not market: nothing to change');
    // The trail says no code was asked, and why.
    await page.getByText('The workflow went ahead without the code: waived by configuration (verification.marketing_opt_out)').waitFor();
    await screenshot(page, 'objection-detail');
    expect(errors).toEqual([]);
  }, 90_000);

  it('tells staff an open opt-out that needed no code has no confirmed address to write to', async () => {
    // The act step fails for good, so the opt-out waits for staff, open.
    rt.functionFaults.set('act', { error: 'ConnectorAuthFailed', count: Infinity });
    try {
      const filed = await rt.api('POST', '/v1/requests', { body: { type: 'marketing_opt_out', email: 'mia.open@example.com' } });
      const id = filed.body.requestId as string;
      await rt.waitForStatus(id, 'awaiting_staff', 60_000);

      const { page } = await signedInPage(browser, rt, { path: `requests/${id}` });
      await page.getByText('this opt-out needed no code, so the address was never confirmed').waitFor();
      expect(await page.getByRole('button', { name: 'Send to the subject' }).count()).toBe(0);
    } finally {
      rt.functionFaults.clear();
    }
  }, 90_000);
});
