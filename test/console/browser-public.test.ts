/**
 * The subject's public pages in Chromium against the real embedded runtime, in English and Norwegian
 * Bokmål: the form in the browser's language and through the language switch, and the request filed in
 * the language the reader chose. Screenshots go to test-results/pages/<page>.<lang>.png.
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

/** A tab whose browser reports `locale` as its language (navigator.language and Accept-Language). */
async function tab(locale: string): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({ locale });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  return { page, errors: watchErrors(page) };
}

const shot = (page: Page, name: string) => screenshot(page, name, 'pages');

async function storedLocale(requestId: string): Promise<string | undefined> {
  const db = DynamoDBDocumentClient.from(new DynamoDBClient({}));
  try {
    const out = await db.send(new GetCommand({ TableName: rt.tables.requests, Key: { pk: `REQ#${requestId}`, sk: 'META' } }));
    return (out.Item as { locale?: string } | undefined)?.locale;
  } finally {
    db.destroy();
  }
}

describe('the public pages in the subject’s language', () => {
  it('shows the form in Norwegian to a Norwegian browser, and in English after the switch, without a reload', async () => {
    const { page, errors } = await tab('nb-NO');
    await page.goto(`${rt.apiUrl}/request/`);
    await page.getByRole('heading', { name: /^Spør .* om personopplysningene dine$/ }).waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe('nb-NO');
    expect(await page.title()).toBe('Personopplysningene dine');
    await page.getByLabel('E-postadresse').waitFor();
    await page.getByLabel(/^Innsyn/).waitFor();
    await shot(page, 'form.nb');

    // The switch is a plain link to the same page in the other language; a click changes it in place.
    const english = page.getByRole('link', { name: 'English' });
    expect(await english.getAttribute('href')).toBe('/request/?lang=en');
    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 1));
    await english.click();
    await page.getByRole('heading', { name: /^Ask .* about your personal data$/ }).waitFor();
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(1);
    expect(await page.locator('html').getAttribute('lang')).toBe('en-GB');
    expect(new URL(page.url()).searchParams.get('lang')).toBe('en');
    await page.getByLabel('Email address').waitFor();
    await shot(page, 'form.en');
    expect(errors).toEqual([]);
  }, 30_000);

  it('files the request in the language chosen on the page, and keeps that language on the code page', async () => {
    const { page, errors } = await tab('en-US');
    await page.goto(`${rt.apiUrl}/request/?lang=nb`);
    await page.getByLabel(/^Innsyn/).check();
    await page.getByLabel('E-postadresse').fill('nora@example.com');
    await page.getByRole('button', { name: 'Send forespørselen' }).click();
    await page.waitForURL(/\/request\/verify\?id=.*lang=nb/);
    await page.getByRole('heading', { name: 'Sjekk e-posten din' }).waitFor();
    const id = new URL(page.url()).searchParams.get('id')!;
    expect(await storedLocale(id)).toBe('nb');
    expect(errors).toEqual([]);
  }, 30_000);
});
