/**
 * The detail page with every panel present, and the queue with long names and addresses, in real
 * Chromium on the real embedded runtime (issue 17, item 6 and the axe-core check): nothing scrolls
 * sideways at 1280 px or on a phone, every instant on the page (panels too) is in the company's zone with
 * UTC on hover, and axe-core finds no violation. The panels: the preview, the release contents with a page
 * of records open, the subject's history, notes and messages (on alice's access request awaiting release),
 * the follow-up tasks (an erasure of someone in every system), the partner panel (nora, a resale partner's end user) and the agent
 * panel (carol's request filed by an agent, power of attorney accepted). Screenshots:
 * test-results/console/panels-*.png.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { demoPeople, NORA } from '../../infra/local/demo/people.ts';
import { agentInput } from '../support/agent-documents.ts';
import type { TestRuntime } from '../support/runtime.ts';
import { axeViolations, screenshot, signedInPage, startConsoleRig, stopConsoleRig } from './browser.ts';

let rt: TestRuntime;
let browser: Browser;
/** A subject whose name and address have long unbroken parts, as real ones sometimes do. */
const LONG = { name: `Maximiliana ${'Wolfeschlegelsteinhausen'.repeat(3)} Bergersdorff-Tollemache`, email: `${'firstname.middlename.lastname'.repeat(2)}@${'subsidiary-department'.repeat(2)}.example.com` };
const UNBROKEN = `https://example.com/${'x'.repeat(400)}`;
const ids = { release: '', erasure: '', partner: '', agent: '', long: '' };

async function until(what: string, probe: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (await probe()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const auditHas = (id: string, action: string) => async () =>
  (await rt.api('GET', `/v1/admin/requests/${id}`, { token: rt.staffToken })).body.audit.some((e: { action: string }) => e.action === action);

beforeAll(async () => {
  [rt, browser] = await startConsoleRig({
    crowd: 5,
    warm: 'console.js',
    configOverrides: (c) => ({ ...c, release: { ...c.release, access: 'staff' }, agents: { ...c.agents, acceptPowerOfAttorney: true } }),
  });
  const staff = { token: rt.staffToken };

  // Alice: an earlier request denied (her history), then an access request approved to awaiting release,
  // with a note and a message carrying a long unbroken line.
  const earlier = await rt.fileAndVerify('alice@example.com', 'access');
  expect((await rt.api('POST', `/v1/admin/requests/${earlier}/deny`, { ...staff, body: { reason: 'excessive' } })).status).toBe(200);
  ids.release = await rt.fileAndVerify('alice@example.com', 'access');
  expect((await rt.api('POST', `/v1/admin/requests/${ids.release}/notes`, { ...staff, body: { text: UNBROKEN } })).status).toBe(200);
  expect((await rt.api('POST', `/v1/admin/requests/${ids.release}/messages`, { ...staff, body: { text: UNBROKEN, question: false } })).status).toBe(200);
  await rt.approve(ids.release, 'access');

  // Someone of the crowd, in every system: an erasure that leaves Art. 19 tasks; one is closed with a
  // reason, so a resolution time shows.
  ids.erasure = await rt.fileAndVerify(demoPeople(5).at(-2)!.email, 'erasure');
  await rt.approve(ids.erasure, 'erasure');

  // Nora: a resale partner's end user, held for staff with the partner panel.
  ids.partner = await rt.fileAndVerify(NORA.email, 'access');

  // Carol: filed by an agent; staff accept the power of attorney in place of her code.
  const filed = await rt.api('POST', '/v1/requests', { body: { type: 'access', email: 'carol@example.com', agent: agentInput({ locale: 'en' }) } });
  expect(filed.status).toBe(202);
  ids.agent = filed.body.requestId;
  // Accepted once the workflow waits for the code (until then the API answers 409 not_waiting).
  await until('the power of attorney accepted', async () => (await rt.api('POST', `/v1/admin/requests/${ids.agent}/accept-power-of-attorney`, { ...staff, body: {} })).status === 200);

  // The long subject: only in the queue and on their own page.
  const long = await rt.api('POST', '/v1/requests', { body: { type: 'access', ...LONG } });
  expect(long.status).toBe(202);
  ids.long = long.body.requestId;

  await rt.waitForStatus(ids.release, 'awaiting_release', 60_000);
  await rt.waitForStatus(ids.erasure, 'completed', 60_000);
  const tasks = (await rt.api('GET', `/v1/admin/requests/${ids.erasure}/tasks`, staff)).body.items;
  expect(tasks.length).toBeGreaterThan(0);
  expect((await rt.api('POST', `/v1/admin/requests/${ids.erasure}/tasks/${tasks[0].n}/close`, { ...staff, body: { reason: UNBROKEN } })).status).toBe(200);
  await until('nora held for staff as the partner’s', auditHas(ids.partner, 'review.requested'));
  await rt.waitForStatus(ids.agent, 'awaiting_review', 30_000);
}, 240_000);
afterAll(() => stopConsoleRig(rt, browser));

async function signedIn(width: number, height: number): Promise<{ page: Page; errors: string[] }> {
  const { page, errors } = await signedInPage(browser, rt, { viewport: { width, height } });
  await page.getByRole('heading', { name: 'Request queue' }).waitFor();
  return { page, errors };
}

/** Opens a request in the console and waits for the panels it should show to be drawn and filled. */
async function openDetail(page: Page, id: string, panels: string[]): Promise<void> {
  await page.goto(`${rt.apiUrl}/console/requests/${id}`);
  await page.getByRole('heading', { name: `Request ${id}` }).waitFor();
  for (const selector of panels) await page.locator(selector).first().waitFor();
}

/** Single words in the detail page's table cells that the browser broke across lines ("Ope" / "n"): columns squeezed. */
const brokenWords = (page: Page) =>
  page.locator('article.request-detail').evaluate((article) =>
    [...article.querySelectorAll('th, td')]
      .filter((cell) => /^[A-Za-z]{2,12}$/.test(cell.textContent?.trim() ?? '') && cell.children.length === 0)
      .filter((cell) => {
        const range = document.createRange();
        range.selectNodeContents(cell);
        return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size > 1;
      })
      .map((cell) => cell.textContent?.trim()),
  );

const sideways = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

/** Every instant on the page shown in the company's zone with UTC on hover; no bare UTC time and no "[object …]" in the text. */
async function expectZonedTimes(page: Page): Promise<number> {
  const zone = rt.config.organisation.timezone;
  const times = await page.locator('article.request-detail time').evaluateAll((ts) => ts.map((t) => ({ at: t.getAttribute('datetime') ?? '', text: t.textContent ?? '', title: t.getAttribute('title') })));
  const instants = times.filter((t) => !/^\d{4}-\d{2}-\d{2}$/.test(t.at));
  for (const t of instants) {
    expect(t.text, t.at).toContain(`(${zone})`);
    expect(t.title, t.at).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC$/);
  }
  const text = (await page.locator('article.request-detail').textContent()) ?? '';
  expect(text).not.toMatch(/\d{2}:\d{2} UTC/);
  expect(text).not.toContain('[object');
  return instants.length;
}

const DETAILS: Array<{ name: string; id: () => string; panels: string[]; shows: string[] }> = [
  {
    name: 'release',
    id: () => ids.release,
    panels: ['section.preview tbody tr', 'section.release tr[data-object="calls/call"]', 'section.subject-history table.history', 'section.notes-panel li.note', 'section.messages-panel li[data-from="staff"]'],
    shows: ['section.preview', 'section.subject-history', 'section.notes-panel', 'section.messages-panel'],
  },
  { name: 'tasks', id: () => ids.erasure, panels: ['section.tasks tr[data-task-status="closed"]', 'section.preview tbody tr'], shows: ['section.tasks', 'section.preview'] },
  { name: 'partner', id: () => ids.partner, panels: ['section.partner-panel dd'], shows: ['section.partner-panel'] },
  { name: 'agent', id: () => ids.agent, panels: ['section.agent-panel dd time', 'section.preview tbody tr'], shows: ['section.agent-panel', 'section.preview'] },
];

describe('the detail page with every panel present', () => {
  for (const d of DETAILS) {
    it(`keeps the ${d.name} page within 1280 px and a phone's width, with times in the company's zone and no axe-core violation`, async () => {
      for (const [width, height] of [
        [1280, 900],
        [390, 844],
      ] as const) {
        const { page, errors } = await signedIn(width, height);
        await openDetail(page, d.id(), d.panels);
        if (d.name === 'release') {
          // The release contents with a page of records open: the widest thing the page can show.
          await page.locator('section.release tr[data-object="calls/call"]').getByRole('button', { name: 'Show records' }).click();
          await page.locator('section.release .release-preview tr[data-record]').first().waitFor();
        }
        expect(await sideways(page), `sideways scroll at ${width} px`).toBe(0);
        expect(await brokenWords(page), `words broken inside table cells at ${width} px`).toEqual([]);
        // At 1280 px the tasks fit whole, even with a long unbroken reason in one of them.
        if (width === 1280 && d.name === 'tasks') expect(await page.locator('section.tasks .table-scroll').evaluate((el) => el.scrollWidth - el.clientWidth)).toBe(0);
        // Times in the panels too: each panel this page shows has at least one, or the page has some.
        expect(await expectZonedTimes(page)).toBeGreaterThan(0);
        for (const s of d.shows) expect(await page.locator(`${s} time[title]`).count(), `${s} shows a time`).toBeGreaterThan(0);
        await screenshot(page, `panels-${d.name}-${width}`);
        if (width === 1280) expect(await axeViolations(page, ['color-contrast'])).toEqual([]);
        expect(errors).toEqual([]);
        await page.context().close();
      }
    }, 60_000);
  }
});

describe('the queue with long names and addresses', () => {
  it('never scrolls sideways at 1280 px or on a phone, and the long subject is shown whole', async () => {
    for (const [width, height] of [
      [1280, 900],
      [390, 844],
    ] as const) {
      const { page, errors } = await signedIn(width, height);
      const row = page.locator(`tr[data-request-id="${ids.long}"]`);
      await row.waitFor();
      expect(await row.locator('td.subject').textContent()).toBe(`${LONG.name}${LONG.email}`);
      expect(await sideways(page), `sideways scroll at ${width} px`).toBe(0);
      // At 1280 px the table fits whole; on a phone it scrolls in its own box.
      if (width === 1280) expect(await page.locator('.table-scroll:has(table.queue)').evaluate((el) => el.scrollWidth - el.clientWidth)).toBe(0);
      await screenshot(page, `panels-queue-${width}`);
      // The closed list (answered requests, one with tasks open) too.
      await page.getByRole('navigation', { name: 'Saved views' }).getByRole('link', { name: 'Closed' }).click();
      await page.locator(`tr[data-request-id="${ids.erasure}"] .tasks-open-badge`).waitFor();
      expect(await sideways(page), `sideways scroll on the closed list at ${width} px`).toBe(0);
      expect(errors).toEqual([]);
      await page.context().close();
    }
  }, 60_000);
});
