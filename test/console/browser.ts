/**
 * The browser for the console tests, driven by playwright-core (`npx playwright install` cannot reach its
 * CDN here, and may need root). The first choice is a system Chromium (CHROMIUM_PATH, then Debian's);
 * without one, the Chromium that ships inside the `@sparticuz/chromium` npm package, so that `npm install`
 * alone is enough and no root is needed. DSAR_TEST_BROWSER=bundled forces the npm one (to prove it works on
 * a machine that has Debian's). Playwright gives every launch a fresh temporary profile (its own
 * --user-data-dir), so runs never share cookies or storage. Screenshots go to test-results/console/.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';
import { expect } from 'vitest';
import type { DsarConfig } from '#commons/config';
import { startTestRuntime, type TestRuntime } from '../support/runtime.ts';

const SYSTEM_CANDIDATES = ['/usr/bin/chromium', '/usr/lib/chromium/chromium'];

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

/** The system Chromium to use, if any: CHROMIUM_PATH wins, then Debian's two locations. */
export function systemChromium(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.DSAR_TEST_BROWSER === 'bundled') return undefined;
  return env.CHROMIUM_PATH || SYSTEM_CANDIDATES.find((p) => existsSync(p));
}

interface Bundled {
  executablePath: string;
  env: Record<string, string>;
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Unpacks the npm package's brotli-compressed Chromium once per package version into
 * node_modules/.cache (owned by whoever ran `npm install`, unlike a shared /tmp/chromium). The package
 * unpacks into os.tmpdir(), so a child process does it with TMPDIR pointing at a private staging folder,
 * which is then renamed into place: test files launching at the same time never see a half-written binary.
 */
async function bundledChromium(): Promise<Bundled> {
  // The package exports no package.json: find it next to its entry point (build/index.js).
  const pkgDir = dirname(dirname(createRequire(import.meta.url).resolve('@sparticuz/chromium')));
  const { version } = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as { version: string };
  const cache = join(ROOT, 'node_modules', '.cache', 'dsar-chromium');
  const dir = join(cache, version);
  if (!existsSync(join(dir, 'chromium'))) {
    mkdirSync(cache, { recursive: true });
    const staging = mkdtempSync(join(cache, `.unpack-${version}-`));
    try {
      // The binary and its fonts and GL libraries, then the NSS and expat libraries it links against (the
      // package unpacks those only on Amazon Linux): a fresh Debian has none of them.
      await promisify(execFile)(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          "const m = await import('@sparticuz/chromium'); await m.default.executablePath(); await m.inflate(process.argv[1]);",
          join(pkgDir, 'bin', 'al2023.tar.br'),
        ],
        { cwd: pkgDir, env: { ...process.env, TMPDIR: staging } },
      );
      // The package's fonts.conf names /tmp/fonts; this one names where the fonts really are.
      writeFileSync(
        join(staging, 'fonts.conf'),
        `<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n  <dir>${join(dir, 'fonts')}</dir>\n  <dir>/usr/share/fonts</dir>\n  <cachedir>${join(dir, 'fonts-cache')}</cachedir>\n</fontconfig>\n`,
      );
      renameSync(staging, dir);
    } catch (e) {
      rmSync(staging, { recursive: true, force: true });
      // Another test file unpacked the same version first: use its copy.
      if (!existsSync(join(dir, 'chromium'))) throw e;
    }
  }
  return {
    executablePath: join(dir, 'chromium'),
    // The libraries built with the binary, as on Lambda: the same build, whatever the machine has installed.
    env: { FONTCONFIG_FILE: join(dir, 'fonts.conf'), LD_LIBRARY_PATH: join(dir, 'al2023', 'lib') },
  };
}

/** Launches the system Chromium, else the npm one; fails with one clear message when neither starts. */
export async function launchChromium(): Promise<Browser> {
  const system = systemChromium();
  const errors: string[] = [];
  if (system) {
    try {
      return await chromium.launch({ executablePath: system, args: ARGS, headless: true });
    } catch (e) {
      errors.push(`${system}: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  try {
    const bundled = await bundledChromium();
    return await chromium.launch({
      executablePath: bundled.executablePath,
      args: ARGS,
      headless: true,
      env: { ...process.env, ...bundled.env },
    });
  } catch (e) {
    errors.push(`@sparticuz/chromium: ${(e as Error).message.split('\n')[0]}`);
  }
  throw new Error(
    `No browser starts for the console tests (${errors.join('; ')}). Run \`npm install\` (it brings ` +
      'Chromium in @sparticuz/chromium), or install Debian\'s (`apt-get install -y chromium`) or set CHROMIUM_PATH.',
  );
}

/** Screenshots go to test-results/<folder>/ (`console` unless a suite names its own). */
export async function screenshot(page: Page, name: string, folder = 'console'): Promise<void> {
  const dir = join(process.cwd(), 'test-results', folder);
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
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

/**
 * A page in a fresh browser context, signed in to the console with `token` (the approver's by default)
 * at `path` under /console/ (the queue by default); the caller waits for what the page should show.
 */
export async function signedInPage(
  browser: Browser,
  rt: TestRuntime,
  options: { path?: string; token?: string; viewport?: { width: number; height: number }; timeoutMs?: number } = {},
): Promise<{ page: Page; errors: string[] }> {
  const page = await (await browser.newContext(options.viewport ? { viewport: options.viewport } : {})).newPage();
  page.setDefaultTimeout(options.timeoutMs ?? 15_000);
  const errors = watchErrors(page);
  await page.goto(`${rt.apiUrl}/console/${options.path ?? ''}`);
  await page.getByLabel('Staff token').fill(options.token ?? rt.staffToken);
  await page.getByRole('button', { name: 'Sign in' }).click();
  return { page, errors };
}

export interface ConsoleRigOptions {
  crowd: number;
  /** Applied after the connectors were cut down to the internal stores. */
  configOverrides?: (config: DsarConfig) => DsarConfig;
  /** The site bundle to build before the first page asks for it, e.g. `console.js`. */
  warm: string;
}

/**
 * The real embedded runtime and Chromium, started side by side, for a browser test's beforeAll. Only the
 * internal stores are connected: the SaaS connectors have their own suites, and these must stay quick.
 * The bundle is built while nothing else is waiting on it.
 */
export async function startConsoleRig(options: ConsoleRigOptions): Promise<[TestRuntime, Browser]> {
  const { crowd, configOverrides = (c) => c, warm } = options;
  const runtime = startTestRuntime({
    crowd,
    configOverrides: (c) => configOverrides({ ...c, connectors: c.connectors.filter((x) => x.kind === 'dynamodb' || x.kind === 's3') }),
  });
  const [rt, browser] = await Promise.all([runtime, launchChromium()]);
  await fetch(`${rt.apiUrl}/assets/${warm}`);
  return [rt, browser];
}

/** For afterAll: closes what startConsoleRig started, whichever of the two did start. */
export async function stopConsoleRig(rt: TestRuntime | undefined, browser: Browser | undefined): Promise<void> {
  await browser?.close();
  await rt?.cleanup();
}

/**
 * axe-core in the page (evaluated through the DevTools protocol, which the page's CSP does not govern).
 * `mustPass` names rules that must have checked something, so an empty or half-drawn page cannot pass.
 */
export async function axeViolations(page: Page, mustPass = ['color-contrast', 'select-name']): Promise<Array<{ id: string; nodes: unknown[] }>> {
  const source = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  await page.evaluate(source);
  const result = await page.evaluate(async () => {
    type Rule = { id: string; nodes: Array<{ target: unknown }> };
    const axe = (window as unknown as { axe: { run(ctx: Document, opts: unknown): Promise<{ violations: Rule[]; passes: Rule[] }> } }).axe;
    const out = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return { passes: out.passes.map((p) => p.id), violations: out.violations.map((v) => ({ id: v.id, nodes: v.nodes.map((n) => n.target) })) };
  });
  // axe really checked the page (contrast and control names among what passed), not an empty document.
  expect(result.passes).toEqual(expect.arrayContaining(mustPass));
  return result.violations;
}
