/**
 * Every mail the subject receives, in English and Norwegian Bokmål, rendered in headless Chromium from
 * the HTML we send: a screenshot of each goes to test-results/mails/<mail>.<lang>.png, and each must fit
 * a 390 px phone screen without scrolling sideways (the erasure report used to be a 723 px table).
 * `SUBJECT_MAILS` lists every mail the subject can get; a test checks this file shows each of them.
 * A Norwegian mail carries no English text from configuration (system names, reasons, the authority).
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { build } from 'esbuild';
import { translator, type Translator } from '#domain/i18n/index';
import {
  acknowledgement,
  cancelled,
  completion,
  denial,
  duplicateRequest,
  erasureReport,
  extensionNotice,
  unverifiedClosed,
  verificationCode,
  type ErasureReportFacts,
} from '#domain/notifications/templates';
import { nothingHeld } from '#domain/notifications/nothing-held';
import { staffMessageMail } from '#domain/notifications/staff-message';
import { erasureReportIn } from '#domain/workflow/erasure-report-language';
import type { ErasureReport } from '#domain/requests/model';
import { appliedPolicy, connectorName } from '#commons/config';
import { type Email } from '#domain/notifications/compose';
import { exampleConfig } from '../support/in-memory-context.ts';
import { launchChromium } from './browser.ts';

const SHOTS = join(process.cwd(), 'test-results', 'mails');
const PHONE = { width: 390, height: 844 };
const config = exampleConfig();
const facts = { requestId: 'dsar_mxbj3ftn5037d8c76118a0ef1d41', type: 'access', receivedDate: '2026-12-06', dueDate: '2027-01-06', name: 'Bob Berg' };
const STATUS = `https://privacy.example-video.test/request/status?id=${facts.requestId}&token=fdxOXChkx9COfHH621-Eo1_9X3wuZOQPPLjuiPSzQVA`;
const DOWNLOAD = `https://privacy.example-video.test/v1/downloads/${facts.requestId}?token=fdxOXChkx9COfHH621-Eo1_9X3wuZOQPPLjuiPSzQVA`;
/** The reasons Stripe's configured `retain` policy gives for an object, as the erasure records them (English). */
function kept(object: string): { legalBasis: string; retentionPeriod: string } {
  const policy = appliedPolicy(config.connectors.find((c) => c.id === 'stripe')!.objects[object]!.erasure!);
  if (policy.action !== 'retain') throw new Error(`${object} is not retained`);
  return { legalBasis: policy.legalBasis, retentionPeriod: policy.retentionPeriod };
}
const BOOKKEEPING = kept('charges');

/**
 * An erasure like bob's (Stripe and HubSpot) with a system staff accepted as not erased, to show every
 * part of the report; stored as the workflow stores it (English names), read in the subject's language.
 */
const stored: ErasureReport = {
  completedAt: '2026-12-06T09:32:00.000Z',
  systems: [
    {
      connectorId: 'stripe',
      displayName: 'Stripe (payments)',
      items: [
        { object: 'payment_methods', action: 'deleted', count: 1 },
        { object: 'subscriptions', action: 'retained', count: 1, ...BOOKKEEPING },
        { object: 'charges', action: 'retained', count: 2, ...BOOKKEEPING },
        { object: 'payment_intents', action: 'retained', count: 2, ...BOOKKEEPING },
        { object: 'invoices', action: 'retained', count: 1, ...BOOKKEEPING },
        { object: 'customers', action: 'anonymized', count: 1, alsoRetained: true },
        {
          object: 'customers',
          action: 'retained',
          count: 1,
          ...kept('customers'),
        },
      ],
      confirmed: true,
    },
    {
      connectorId: 'hubspot',
      displayName: 'HubSpot (communication and marketing)',
      items: [
        { object: 'contacts', action: 'deleted', count: 1, completion: { vendor: 'HubSpot', withinDays: 30 } },
        { object: 'companies', action: 'retained', count: 1, reason: 'erasure.why.shared_record', legalBasis: 'Shared', retentionPeriod: 'In use' },
      ],
      confirmed: true,
    },
  ],
  notErased: [{ connectorId: 'calls', displayName: 'Example Video call history', reason: 'The call archive is offline until April; we erase it then.' }],
  recipientsNotified: [
    { name: 'Stripe (payments)', how: 'erasure_api', at: '2026-12-06T09:30:00.000Z' },
    { name: 'HubSpot (communication and marketing)', how: 'erasure_api', at: '2026-12-06T09:31:00.000Z' },
  ],
  recipientsNotTold: [{ name: 'Microsoft', reason: 'staff' }],
  earlierPackagesDeleted: 1,
};
const reportIn = (t: Translator): ErasureReportFacts => erasureReportIn(config, stored, t.locale);
const report = reportIn(translator('en'));

/** Every mail a subject can receive (functions/domain: templates.ts, nothing-held.ts, staff-message.ts). */
const SUBJECT_MAILS = [
  'acknowledgement', 'verification-code', 'duplicate', 'denial', 'unverified-closed', 'cancelled', 'completion', 'extension',
  'erasure-report', 'nothing-held', 'nothing-portable', 'staff-message', 'staff-question',
];
const systemsSearched = (t: Translator) => config.connectors.map((c) => connectorName(config, c.id, t.locale));

const mails = (t: Translator): Record<string, Email> => ({
  acknowledgement: acknowledgement(config, facts, STATUS, t),
  'verification-code': verificationCode(config, facts, '482913', 15, t, 'https://privacy.example.test/request/verify?id=dsar_abc12345'),
  duplicate: duplicateRequest(config, facts, STATUS, t),
  denial: denial(config, facts, 'excessive', 'You asked for the same data three times this month.', t),
  'unverified-closed': unverifiedClosed(config, facts, t),
  cancelled: cancelled(config, facts, undefined, t),
  completion: completion(config, facts, DOWNLOAD, '2026-12-13T10:00:00.000Z', [connectorName(config, 'calls', t.locale)], t, 'Europe/Oslo'),
  extension: extensionNotice(config, { ...facts, dueDate: '2027-03-06' }, 'Your data is spread over eleven systems.', '2027-01-06', 'GDPR Art. 12(3)', t),
  'erasure-report': erasureReport(config, { ...facts, type: 'erasure' }, reportIn(t), STATUS, t, 'Europe/Oslo'),
  'nothing-held': nothingHeld(config, { ...facts, systems: systemsSearched(t) }, t),
  'nothing-portable': nothingHeld(config, { ...facts, type: 'portability', systems: systemsSearched(t), onlyInferred: true }, t),
  'staff-message': staffMessageMail(config, { requestId: facts.requestId, type: 'access', locale: t.tag }, 'We found a second account under your work address. Should we include it?', false),
  'staff-question': staffMessageMail(config, { requestId: facts.requestId, type: 'access', locale: t.tag }, 'Which of your two addresses should we search?', true),
});

/** Text from configuration that must not appear in English in a Norwegian mail. */
const ENGLISH_CONFIG = /Stripe \(payments\)|HubSpot \(communication|Example Video call history|Norwegian Bookkeeping Act|PO Box 8177|Public authorities/;

it('shows every mail the subject can receive', () => {
  expect(Object.keys(mails(translator('en'))).sort()).toEqual([...SUBJECT_MAILS].sort());
});

let browser: Browser;
let page: Page;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: PHONE });
}, 60_000);
afterAll(async () => {
  await browser?.close();
});

/** Shows a mail's HTML as a mail client would, and answers how wide its content is. */
async function show(email: Email): Promise<number> {
  await page.setContent(email.html, { waitUntil: 'load' });
  return page.evaluate(() => document.scrollingElement!.scrollWidth);
}

describe.each([
  ['en', 'Hello,'],
  ['nb', 'Hei,'],
] as const)('every mail to the subject in %s', (lang, hello) => {
  for (const [name, email] of Object.entries(mails(translator(lang)))) {
    it(`${name} reads in its language and fits a 390 px phone`, async () => {
      const width = await show(email);
      await page.screenshot({ path: join(SHOTS, `${name}.${lang}.png`), fullPage: true });

      expect(await page.locator('html').getAttribute('lang')).toBe(translator(lang).tag);
      expect(await page.locator('body p').first().innerText()).toBe(hello);
      expect(width).toBeLessThanOrEqual(PHONE.width);
      if (lang === 'nb') expect(await page.locator('body').innerText()).not.toMatch(ENGLISH_CONFIG);
    });
  }
});

describe('the erasure report on a phone', () => {
  it.each(['en', 'nb'] as const)('in %s is lists, one line per object, and nothing overflows 390 px', async (lang) => {
    const t = translator(lang);
    const width = await show(erasureReport(config, { ...facts, type: 'erasure' }, reportIn(t), STATUS, t));

    expect(width).toBeLessThanOrEqual(PHONE.width);
    expect(await page.locator('table').count()).toBe(0);
    const stripe = page.locator('ul').first().locator('li');
    expect(await stripe.count()).toBe(6);
    expect(await stripe.nth(3).innerText()).toBe(lang === 'en' ? 'Payments: 2 records kept (reason 1).' : 'Betalinger: 2 oppføringer beholdt (grunn 1).');
    expect(await page.getByText('Microsoft').count()).toBe(0);
  });
});

/**
 * The status page's erasure report (console/src/public/erasure-report.ts) with the site's stylesheet, in
 * the page built around it: bundled as the site bundles it, fed the report the API answers.
 */
async function showStatusReport(lang: string, statusReport: unknown): Promise<number> {
  const bundle = await build({
    stdin: {
      contents: `import { erasureReportView } from './console/src/public/erasure-report.ts';
        import { translator } from './functions/domain/i18n/index.ts';
        document.getElementById('main').append(erasureReportView(window.REPORT, translator(document.documentElement.lang)));`,
      resolveDir: process.cwd(),
      loader: 'ts',
    },
    bundle: true,
    format: 'iife',
    platform: 'browser',
    write: false,
    logLevel: 'silent',
  });
  const css = readFileSync(join(process.cwd(), 'console', 'static', 'style.css'), 'utf8');
  await page.setContent(
    `<!doctype html><html lang="${lang}"><head><meta name="viewport" content="width=device-width, initial-scale=1"><style>${css}</style></head><body><main id="main"></main></body></html>`,
  );
  await page.evaluate((r) => Object.assign(window, { REPORT: r }), statusReport);
  await page.addScriptTag({ content: bundle.outputFiles[0]!.text });
  return page.evaluate(() => document.scrollingElement!.scrollWidth);
}

describe('the erasure report on the status page, on a phone', () => {
  /** What GET /v1/requests/{id} answers for the report above, in the request's language: systems carry their connector's kind. */
  const statusReport = (t: Translator) => {
    const r = erasureReportIn(config, stored, t.locale);
    return {
      completedAt: r.completedAt,
      systems: r.systems.map(({ connectorId, ...s }) => ({ ...s, kind: connectorId })),
      recipientsNotified: r.recipientsNotified,
      notErased: r.notErased.map(({ displayName, reason }) => ({ displayName, reason })),
      recipientsNotTold: r.recipientsNotTold,
      earlierPackagesDeleted: 1,
    };
  };

  it.each(['en', 'nb'] as const)('in %s says per object what happened, in lists that fit 390 px', async (lang) => {
    const width = await showStatusReport(lang, statusReport(translator(lang)));
    await page.screenshot({ path: join(SHOTS, `status-page-erasure-report.${lang}.png`), fullPage: true });

    expect(width).toBeLessThanOrEqual(PHONE.width);
    expect(await page.locator('table').count()).toBe(0);
    expect(await page.locator('h2').innerText()).toBe(lang === 'en' ? 'What we erased' : 'Dette har vi slettet');
    expect(await page.locator('h3').first().innerText()).toBe(lang === 'en' ? 'Stripe (payments)' : 'Stripe (betalinger)');
    if (lang === 'nb') expect(await page.locator('main').innerText()).not.toMatch(ENGLISH_CONFIG);
    expect(await page.locator('ul').first().locator('li').nth(3).innerText()).toBe(lang === 'en' ? 'Payments: 2 records kept (reason 1).' : 'Betalinger: 2 oppføringer beholdt (grunn 1).');
    expect(await page.getByText('Microsoft').count()).toBe(0);
  });
});
