/**
 * Debian's Chromium driven by playwright-core (no browser download: `npx playwright install` cannot
 * reach its CDN here). Playwright gives every launch a fresh temporary profile (its own
 * --user-data-dir), so runs never share cookies or storage. Screenshots go to test-results/console/.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? ['/usr/bin/chromium', '/usr/lib/chromium/chromium'].find((p) => existsSync(p));

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export async function launchChromium(): Promise<Browser> {
  if (!CHROMIUM) throw new Error('Chromium is missing: apt-get install -y chromium (or set CHROMIUM_PATH)');
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
}

const SHOTS = join(process.cwd(), 'test-results', 'console');

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

/** Collects what the page logs as errors (CSP violations among them), so a test can assert there were none. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && !/status of 4\d\d/.test(m.text())) errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  return errors;
}
