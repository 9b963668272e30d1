/**
 * The preview before approval as staff meet it in the console (Chromium, real embedded runtime): the
 * detail page says what approval will touch, per system and object, before anyone approves; a system
 * that could not be counted says so with the error type; an erasure says what its policy will do.
 * Screenshots: test-results/console/preview-*.png.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ConnectorRegistry } from '../../functions/connectors/registry.ts';
import { ConnectorUnavailable } from '../../functions/connectors/errors.ts';
import type { Connector } from '../../functions/connectors/types.ts';
import type { Browser, Page } from 'playwright-core';
import type { TestRuntime } from '../support/runtime.ts';
import { screenshot, startConsoleRig, stopConsoleRig, watchErrors } from './browser.ts';

let rt: TestRuntime;
let browser: Browser;
let staff: Page;
let errors: string[];

beforeAll(async () => {
  [rt, browser] = await startConsoleRig({ crowd: 5, warm: 'console.js' });
  staff = await (await browser.newContext()).newPage();
  staff.setDefaultTimeout(10_000);
  errors = watchErrors(staff);
  await staff.goto(`${rt.apiUrl}/console/`);
  await staff.getByLabel('Staff token').fill(rt.staffToken);
  await staff.getByRole('button', { name: 'Sign in' }).click();
  await staff.getByRole('heading', { name: 'Request queue' }).waitFor();
}, 120_000);
afterAll(() => stopConsoleRig(rt, browser));

async function openDetail(id: string): Promise<void> {
  await staff.goto(`${rt.apiUrl}/console/`);
  await staff.locator(`tr[data-request-id="${id}"]`).getByRole('link', { name: id }).click();
  await staff.getByRole('heading', { name: `Request ${id}` }).waitFor();
}

const panel = () => staff.locator('section.preview');
const rowOf = (connectorId: string) => panel().locator(`tr[data-preview-system="${connectorId}"]`);

describe('the detail page before approval', () => {
  it("shows alice's records per system and object, the same numbers the API holds, next to the Approve button", async () => {
    const id = await rt.fileAndVerify('alice@example.com', 'access');
    const preview = (await rt.api('GET', `/v1/admin/requests/${id}`, { token: rt.staffToken })).body.preview;

    await openDetail(id);
    await panel().getByRole('heading', { name: 'What approval will touch' }).waitFor();
    await staff.getByRole('button', { name: 'Approve', exact: true }).waitFor();

    expect(await panel().locator('tbody tr').count()).toBe(preview.systems.length);
    for (const s of preview.systems) {
      const row = rowOf(s.connectorId);
      expect(await row.locator('th').textContent()).toBe(s.displayName);
      expect(await row.locator('td').first().textContent()).toBe(`${s.records} record${s.records === 1 ? '' : 's'}`);
      const objects = await row.locator('li[data-object]').allTextContents();
      expect(objects).toEqual(Object.entries(s.objects).map(([o, n]) => `${o}: ${n}`));
    }
    expect(await panel().textContent()).toContain('nothing was exported');
    // The trail says it in a sentence (the machine name stays in data-action only).
    expect(await staff.locator('.timeline li[data-action="preview.counted"] .sentence').textContent()).toMatch(/^Preview: .+/);
    await screenshot(staff, 'preview-1-access');
    expect(errors).toEqual([]);
  }, 60_000);

  it('shows carol, who is in no system, with zero records and none found everywhere', async () => {
    const id = await rt.fileAndVerify('carol@example.com', 'access');
    await openDetail(id);
    await panel().waitFor();

    const counts = await panel().locator('tbody tr td:first-of-type').allTextContents();
    expect(counts.length).toBeGreaterThan(1);
    expect(counts.every((c) => c === '0 records')).toBe(true);
    await screenshot(staff, 'preview-2-carol');
  }, 60_000);

  it('says could not count, with the error type, for a system that failed, and still offers the decision', async () => {
    // The console rig runs the company's own stores only: the call history fails every count for a while.
    // The preview counts every connector inside one step, so the fault sits at the connector, not the function.
    const built = ConnectorRegistry.prototype.get;
    const unavailable = vi.spyOn(ConnectorRegistry.prototype, 'get').mockImplementation(function (this: ConnectorRegistry, connectorId: string) {
      const connector = built.call(this, connectorId);
      if (connectorId !== 'calls') return connector;
      return Object.assign(Object.create(connector) as Connector, {
        countOnly: undefined,
        access: () => {
          throw new ConnectorUnavailable('calls', 'the call history store is down');
        },
      });
    });
    let id = '';
    try {
      id = await rt.fileAndVerify('alice@example.com', 'portability');
    } finally {
      unavailable.mockRestore();
    }
    await openDetail(id);

    expect(await rowOf('calls').getAttribute('data-preview-status')).toBe('failed');
    expect(await rowOf('calls').locator('td').textContent()).toBe('could not count (ConnectorUnavailable)');
    expect(await rowOf('accounts').getAttribute('data-preview-status')).toBe('counted');
    expect(await panel().locator('p').first().textContent()).toContain('1 could not be counted');
    await staff.getByRole('button', { name: 'Approve', exact: true }).waitFor();
    await screenshot(staff, 'preview-3-could-not-count');
  }, 60_000);

  it('says for an erasure what the configured policy will do to each object', async () => {
    const id = await rt.fileAndVerify('alice@example.com', 'erasure');
    const preview = (await rt.api('GET', `/v1/admin/requests/${id}`, { token: rt.staffToken })).body.preview;
    await openDetail(id);

    await panel().getByRole('columnheader', { name: 'On approval (configured policy)' }).waitFor();
    const label: Record<string, string> = { delete: 'deleted', anonymize: 'anonymized', retain: 'kept' };
    const policies = preview.systems.flatMap((s: any) => Object.entries(s.erasure ?? {}).map(([o, a]) => `${o}: ${label[a as string]}`));
    expect(policies.length).toBeGreaterThan(0);
    expect(await panel().locator('li[data-policy]').allTextContents()).toEqual(policies);
    await screenshot(staff, 'preview-4-erasure');
    expect(errors).toEqual([]);
  }, 60_000);
});
