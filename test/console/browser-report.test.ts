/**
 * What alice, bob and carol receive for an access request, opened in Chromium on a phone's width, in
 * English and Norwegian Bokmål: alice's and bob's report.html from the downloaded package, carol's mail
 * that says we hold nothing. The summary must be on the first screen, nothing may be wider than the
 * screen (every record opened), and printing must show every record. Screenshots go to
 * test-results/reports/<who>.<lang>.png.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startTestRuntime, type TestRuntime } from '../support/runtime.ts';
import { accessAnswer, type AccessAnswer } from '../support/answers.ts';
import { ALICE, BOB, CAROL } from '../../infra/local/demo/people.ts';
import { launchChromium, signedInPage, watchErrors } from './browser.ts';

const PHONE = { width: 390, height: 844 };
const SHOTS = join(process.cwd(), 'test-results', 'reports');
const PEOPLE = { alice: ALICE.email, bob: BOB.email, carol: CAROL.email } as const;
const LANGS = { en: 'en-GB', nb: 'nb-NO' } as const;

/** Text from configuration that must not appear in English in a Norwegian report or mail. */
const ENGLISH_CONFIG = /Stripe \(payments\)|HubSpot \(communication|Salesforce \(customer|Example Video (account store|call history|product database)|Norwegian Bookkeeping Act|PO Box 8177|Public authorities|Authorised resale partners/;

let rt: TestRuntime;
let browser: Browser;
const answers = new Map<string, AccessAnswer>();

beforeAll(async () => {
  [rt, browser] = await Promise.all([startTestRuntime({ crowd: 20 }), launchChromium()]);
  for (const [who, email] of Object.entries(PEOPLE)) {
    for (const [lang, tag] of Object.entries(LANGS)) answers.set(`${who}.${lang}`, await accessAnswer(rt, email, tag));
  }
}, 300_000);
afterAll(async () => {
  await browser?.close();
  await rt?.cleanup();
});

/** The page a person opens: the report from the package, or carol's mail (she gets no package). */
async function open(who: string, lang: string): Promise<{ page: Page; errors: string[] }> {
  const answer = answers.get(`${who}.${lang}`)!;
  const html = answer.files ? answer.files.get('report.html')! : answer.mail.body.html!;
  mkdirSync(SHOTS, { recursive: true });
  writeFileSync(join(SHOTS, `${who}.${lang}.html`), html);
  const page = await (await browser.newContext({ viewport: PHONE, deviceScaleFactor: 1 })).newPage();
  const errors = watchErrors(page);
  await page.setContent(html, { waitUntil: 'load' });
  return { page, errors };
}

/** Elements whose right edge lies beyond the screen, and the document's own width. */
async function overflow(page: Page): Promise<{ width: number; wide: string[] }> {
  return page.evaluate(() => {
    const limit = document.documentElement.clientWidth;
    const wide = [...document.querySelectorAll('body *')]
      .filter((e) => e.getBoundingClientRect().right > limit + 0.5)
      .map((e) => `${e.tagName.toLowerCase()}.${e.className}: ${(e.textContent ?? '').slice(0, 40)}`);
    return { width: document.documentElement.scrollWidth, wide };
  });
}

for (const who of ['alice', 'bob'] as const) {
  for (const lang of ['en', 'nb'] as const) {
    describe(`${who}'s report in ${lang === 'en' ? 'English' : 'Norwegian Bokmål'} on a 390 px phone`, () => {
      it('shows the summary on the first screen, then fits the screen with every record opened, and prints every record', async () => {
        const { page, errors } = await open(who, lang);
        expect(await page.getAttribute('html', 'lang')).toBe(LANGS[lang]);
        const summary = await page.locator('#summary h2').boundingBox();
        const firstLine = await page.locator('#summary > p').first().boundingBox();
        expect(summary!.y).toBeLessThan(PHONE.height);
        expect(firstLine!.y + firstLine!.height).toBeLessThanOrEqual(PHONE.height);
        expect(await page.locator('#summary > p').first().textContent()).toMatch(lang === 'en' ? /^We found \d+ records about you in \d+ of the \d+ systems we searched\.$/ : /^Vi fant \d+ oppføringer om deg i \d+ av de \d+ systemene vi søkte i\.$/);
        // Systems, recipients and the authority's address come from configuration, in the reader's language.
        if (lang === 'nb') expect(await page.locator('body').textContent()).not.toMatch(ENGLISH_CONFIG);
        await page.screenshot({ path: join(SHOTS, `${who}.${lang}.first-screen.png`) });
        await page.screenshot({ path: join(SHOTS, `${who}.${lang}.png`), fullPage: true });
        // Records are folded: alice's report was 146,594 px of open tables with the Art. 15 information
        // at the bottom. The contents lead to each system and to how we use the data.
        expect(await page.evaluate(() => document.documentElement.scrollHeight)).toBeLessThan(40_000);
        const contents = await page.locator('#contents a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
        expect(contents).toContain('#processing');
        for (const system of JSON.parse(answers.get(`${who}.${lang}`)!.files!.get('data.json')!).systems as Array<{ connectorId: string; objects: unknown[] }>) {
          if (system.objects.length) expect(contents, system.connectorId).toContain(`#system-${system.connectorId}`);
        }

        expect(await overflow(page)).toEqual({ width: PHONE.width, wide: [] });
        await page.evaluate(() => document.querySelectorAll('details').forEach((d) => (d.open = true)));
        expect(await overflow(page)).toEqual({ width: PHONE.width, wide: [] });

        await page.evaluate(() => document.querySelectorAll('details').forEach((d) => (d.open = false)));
        await page.emulateMedia({ media: 'print' });
        const record = page.locator('details.record dl').first();
        expect(await record.isVisible()).toBe(true);
        expect(errors).toEqual([]);
      }, 60_000);
    });
  }
}

for (const lang of ['en', 'nb'] as const) {
  describe(`carol's answer in ${lang === 'en' ? 'English' : 'Norwegian Bokmål'}: the mail that we hold nothing`, () => {
    it('says so on the first screen, has no download link, and fits a 390 px phone', async () => {
      const answer = answers.get(`carol.${lang}`)!;
      expect(answer.files).toBeUndefined();
      const { page, errors } = await open('carol', lang);
      expect(await page.getAttribute('html', 'lang')).toBe(LANGS[lang]);
      const said = page.getByText(lang === 'en' ? 'We found no personal data about you in any of them.' : 'Vi fant ingen personopplysninger om deg i noen av dem.', { exact: false });
      const box = await said.boundingBox();
      expect(box!.y + box!.height).toBeLessThanOrEqual(PHONE.height);
      expect(await page.locator('a[href*="/v1/downloads/"]').count()).toBe(0);
      if (lang === 'nb') expect(await page.locator('body').textContent()).not.toMatch(ENGLISH_CONFIG);
      await page.screenshot({ path: join(SHOTS, `carol.${lang}.png`), fullPage: true });
      expect(await overflow(page)).toEqual({ width: PHONE.width, wide: [] });
      expect(errors).toEqual([]);
    }, 30_000);
  });
}

describe("carol's request in the staff console", () => {
  it('says no personal data was found and no package was built, and offers no package download', async () => {
    const { requestId } = answers.get('carol.en')!;
    const { page, errors } = await signedInPage(browser, rt);
    await page.getByRole('heading', { name: 'Request queue' }).waitFor();
    await page.goto(`${rt.apiUrl}/console/requests/${requestId}`);
    const section = page.locator('section.nothing-held');
    await section.getByRole('heading', { name: 'No personal data found' }).waitFor();
    expect(await section.textContent()).toContain('None of the 7 systems searched returned a record');
    expect(await page.getByRole('button', { name: 'Download package for review' }).count()).toBe(0);
    await page.screenshot({ path: join(SHOTS, 'carol.console.png'), fullPage: true });
    expect(errors).toEqual([]);
  }, 60_000);
});
