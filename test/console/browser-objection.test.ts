/**
 * The public form offers the marketing opt-out in plain words, in English and Norwegian Bokmål, with
 * the details field every type has; filing through it stores the type and the subject's words. In
 * Chromium against the real embedded runtime. Screenshots go to test-results/console/objection-*.png.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { TestRuntime } from '../support/runtime.ts';
import { screenshot, startConsoleRig, stopConsoleRig, watchErrors } from './browser.ts';

let rt: TestRuntime;
let browser: Browser;

beforeAll(async () => {
  [rt, browser] = await startConsoleRig({ crowd: 0, warm: 'request.js' });
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
    await page.getByText('At most 2000 characters').waitFor();

    await choice.check();
    await page.getByLabel('Email address').fill('mia@example.com');
    await details.fill('I keep getting the webinar invitations.\nPlease stop them all.');
    await screenshot(page, 'objection-form.en');
    await page.getByRole('button', { name: 'Send request' }).click();
    await page.waitForURL(/\/request\/verify\?id=/);
    await page.getByRole('heading', { name: 'Check your email' }).waitFor();
    await screenshot(page, 'objection-verify.en');

    const id = new URL(page.url()).searchParams.get('id')!;
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
});
