/**
 * The subject's public pages in Chromium against the real embedded runtime, in English and Norwegian
 * Bokmål: the form in the browser's language and through the language switch, and the request filed in
 * the language the reader chose; the way from the code mail's link (or the status link) to a confirmed
 * request; and the pages a download or status link answers when it cannot be used. Screenshots go to
 * test-results/pages/<page>.<lang>.png.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { hashToken } from '#commons/tokens';
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

/** Moves the last code's sending back in time, as waiting the minute between codes would. */
async function codeSentLongAgo(requestId: string): Promise<void> {
  const db = DynamoDBDocumentClient.from(new DynamoDBClient({}));
  try {
    await db.send(
      new UpdateCommand({
        TableName: rt.tables.requests,
        Key: { pk: `REQ#${requestId}`, sk: 'META' },
        UpdateExpression: 'SET verification.sentAt = :past',
        ExpressionAttributeValues: { ':past': '2020-01-01T00:00:00.000Z' },
      }),
    );
  } finally {
    db.destroy();
  }
}

/** The first link in the newest mail to `email` whose subject starts with `subject`. */
async function linkIn(email: string, subject: string, path: string): Promise<string> {
  const mail = await rt.waitForMail(email, subject);
  const url = new RegExp(`(http://\\S+${path.replace('/', '\\/')}\\?\\S+)`).exec(mail.body.text ?? '')?.[1];
  if (!url) throw new Error(`no ${path} link in "${subject}"`);
  return url;
}

/** Files a request through the API in `locale`, as the form does. */
async function file(email: string, locale: string): Promise<string> {
  const filed = await rt.api('POST', '/v1/requests', { body: { type: 'access', email, locale } });
  expect(filed.status).toBe(202);
  return (filed.body as { requestId: string }).requestId;
}

async function codeMails(email: string): Promise<number> {
  return (await rt.mails(email)).filter((m) => m.subject.startsWith('Your verification code')).length;
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

  it('takes the subject from the code mail’s link to a confirmed request: a new code, a wrong code, the right one', async () => {
    const email = 'olivia@example.com';
    const id = await file(email, 'en-GB');
    const link = await linkIn(email, 'Your verification code', '/request/verify');
    expect(new URL(link).searchParams.get('id')).toBe(id);
    expect(link).not.toMatch(/code=|\b\d{6}\b/);

    const { page, errors } = await tab('en-GB');
    await page.goto(link);
    await page.getByRole('heading', { name: 'Check your email' }).waitFor();
    await page.getByText(`Request number: ${id}`).waitFor();
    await shot(page, 'verify.en');
    const { page: status } = await tab('en-GB');
    await status.goto(await linkIn(email, 'We received your request', '/request/status'));
    await status.getByRole('heading', { name: 'Confirm your email address' }).waitFor();
    await shot(status, 'status-unverified.en');

    // The first code got lost: after the minute between codes, the page sends a new one.
    await codeSentLongAgo(id);
    await page.getByRole('button', { name: 'Send me a new code' }).click();
    await page.getByText('If the address can receive mail, a new code is on its way.').waitFor();
    await expect.poll(() => codeMails(email)).toBe(2);
    const code = await rt.codeFor(id, email);

    await page.getByLabel('6-digit code').fill(code === '000000' ? '111111' : '000000');
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.getByText('That code is not right. You have 4 tries left.').waitFor();
    await page.getByLabel('6-digit code').fill(code);
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.getByRole('heading', { name: 'Thank you, your request is confirmed' }).waitFor();
    await rt.waitForStatus(id, 'awaiting_review');

    await page.goto(await linkIn(email, 'We received your request', '/request/status'));
    await page.locator('.status[data-status="in_review"]').waitFor();
    expect(await page.getByLabel('6-digit code').count()).toBe(0);
    await shot(page, 'status-verified.en');
    expect(errors).toEqual([]);
  }, 40_000);

  it('offers the code field and a new code on the status page of an unverified request, in Norwegian', async () => {
    const email = 'nils@example.com';
    const id = await file(email, 'nb-NO');
    const status = await linkIn(email, 'Vi har mottatt forespørselen din', '/request/status');
    const { page, errors } = await tab('nb-NO');
    await page.goto(status);
    await page.locator('.status[data-status="awaiting_verification"]').waitFor();
    await page.getByRole('heading', { name: 'Bekreft e-postadressen din' }).waitFor();
    await shot(page, 'status-unverified.nb');

    // Within the minute between codes, the page says to wait rather than failing.
    await page.getByRole('button', { name: 'Send meg en ny kode' }).click();
    await page.getByText('Vi sendte en kode for mindre enn ett minutt siden.', { exact: false }).waitFor();

    await page.getByLabel('Sekssifret kode').fill(await rt.codeFor(id, email));
    await page.getByRole('button', { name: 'Bekreft' }).click();
    await page.getByText('Takk, forespørselen din er bekreftet').waitFor();
    await page.locator('.status[data-status="in_review"]').waitFor();
    expect(await page.getByLabel('Sekssifret kode').count()).toBe(0);
    await shot(page, 'status-verified.nb');

    // The mail's link carries the request's language: in an English browser it still reads as the mail
    // did, Norwegian; the switch, or the link without `lang`, gives the browser's language.
    expect(new URL(status).searchParams.get('lang')).toBe('nb');
    const { page: english } = await tab('en-GB');
    await english.goto(status);
    await english.getByText('Mottatt og bekreftet. Personvernteamet vårt går gjennom den.').waitFor();
    const plain = new URL(status);
    plain.searchParams.delete('lang');
    await english.goto(plain.toString());
    await english.getByText('Received and verified. Our privacy team is reviewing it.').waitFor();
    expect(errors).toEqual([]);
  }, 40_000);

  it('answers a download or status link that cannot be used with a page that says what happened and what to do', async () => {
    const email = 'petter@example.com';
    const id = await file(email, 'nb-NO');
    const link = `${rt.apiUrl}/v1/downloads/${id}?token=the-token`;
    /** The package's download record as the delivery step writes it, then as time or an erasure leave it. */
    const packageLink = async (extra: Record<string, string>) => {
      const db = DynamoDBDocumentClient.from(new DynamoDBClient({}));
      try {
        await db.send(
          new PutCommand({
            TableName: rt.tables.requests,
            Item: { pk: `REQ#${id}`, sk: 'DL', requestId: id, tokenHash: hashToken('the-token'), key: `exports/${id}/access.zip`, ...extra },
          }),
        );
      } finally {
        db.destroy();
      }
    };

    const { page: en, errors: enErrors } = await tab('en-GB');
    await en.goto(`${rt.apiUrl}/v1/downloads/${id}?token=not-the-token`);
    await en.getByRole('heading', { name: 'This download link is not valid' }).waitFor();
    await shot(en, 'download-invalid.en');
    await en.goto(`${rt.apiUrl}/v1/requests/${id}?token=not-the-token`);
    await en.getByRole('heading', { name: 'This link is not valid' }).waitFor();
    await shot(en, 'status-invalid.en');

    // Past its time: the page speaks the request's language (Norwegian), not the browser's.
    await packageLink({ expiresAt: '2020-01-01T00:00:00.000Z' });
    await en.goto(link);
    await en.getByRole('heading', { name: 'Nedlastingslenken er utløpt' }).waitFor();
    await shot(en, 'download-expired.nb');
    await en.getByRole('link', { name: 'Send en ny forespørsel' }).click();
    await en.getByRole('heading', { name: /^Spør .* om personopplysningene dine$/ }).waitFor();
    await en.goto(`${rt.apiUrl}/request/download?id=${id}&token=the-token`);
    await en.getByRole('heading', { name: 'This download link has expired' }).waitFor();
    await shot(en, 'download-expired.en');

    await packageLink({ expiresAt: '2020-01-01T00:00:00.000Z', deletedFor: 'erasure' });
    const { page: nb, errors: nbErrors } = await tab('nb-NO');
    await nb.goto(link);
    await nb.getByRole('heading', { name: 'Pakken ble slettet fordi du ba oss slette opplysningene dine' }).waitFor();
    // Styled by the site's stylesheet, which the page's CSP lets in (and nothing else).
    expect(await nb.locator('body').evaluate((b) => getComputedStyle(b).fontFamily)).toContain('system-ui');
    await shot(nb, 'download-erased.nb');
    await nb.goto(`${rt.apiUrl}/request/download?id=${id}&token=the-token&lang=en`);
    await nb.getByRole('heading', { name: 'This package was deleted because you asked us to erase your data' }).waitFor();
    await shot(nb, 'download-erased.en');
    await nb.goto(`${rt.apiUrl}/v1/requests/${id}?token=not-the-token`);
    await nb.getByRole('heading', { name: 'Lenken er ikke gyldig' }).waitFor();
    await shot(nb, 'status-invalid.nb');
    await nb.goto(`${rt.apiUrl}/v1/downloads/${id}?token=not-the-token`);
    await nb.getByRole('heading', { name: 'Nedlastingslenken er ikke gyldig' }).waitFor();
    await shot(nb, 'download-invalid.nb');
    expect([...enErrors, ...nbErrors]).toEqual([]);
  }, 40_000);
});
