import { describe, expect, it } from 'vitest';
import { FIRST_POLL_MS, MAX_POLL_MS, fingerprint, keepsPolling, nextDelay } from '../../console/src/console/views/detail-refresh.ts';
import type { Detail } from '../../console/src/console/views/detail-panel.ts';

function detail(request: Partial<Detail['request']>, audit = 1): Detail {
  return {
    request: { status: 'in_progress', updatedAt: '2026-12-06T08:00:00.000Z', ...request } as Detail['request'],
    actions: [],
    connectors: [],
    audit: Array.from({ length: audit }, () => ({ at: '2026-12-06T08:00:00.000Z', actor: 'system', action: 'x.y' })),
    notes: [],
    thread: [],
    timeZone: 'Europe/Oslo',
    connectorNames: {},
  };
}

describe('when the detail page reads the request again by itself', () => {
  it('keeps reading while the workflow works on the request', () => {
    expect(keepsPolling(detail({ status: 'in_progress' }))).toBe(true);
    expect(keepsPolling(detail({ status: 'assembling' }))).toBe(true);
    // A decision on record is being handed to the workflow.
    expect(keepsPolling(detail({ status: 'awaiting_review', decision: { outcome: 'approved', by: 'a', at: '2026-12-06T08:00:00Z' } }))).toBe(true);
  });

  it('stops while the request waits on staff, and once it is closed', () => {
    expect(keepsPolling(detail({ status: 'awaiting_review' }))).toBe(false);
    expect(keepsPolling(detail({ status: 'awaiting_staff' }))).toBe(false);
    expect(keepsPolling(detail({ status: 'completed', closedAt: '2026-12-06T08:00:00Z' }))).toBe(false);
    expect(keepsPolling(detail({ status: 'cancelled' }))).toBe(false);
    // A package waiting for staff to release it, and a request forwarded to a resale partner.
    expect(keepsPolling(detail({ status: 'awaiting_release' }))).toBe(false);
    expect(keepsPolling(detail({ status: 'forwarded' }))).toBe(false);
  });

  it("keeps reading while staff wait for the subject's answer, even on a request that otherwise waits on staff", () => {
    expect(keepsPolling(detail({ status: 'awaiting_review', awaitingSubject: { since: '2026-12-06', at: '2026-12-06T08:00:00Z', by: 'a' } }))).toBe(true);
    expect(keepsPolling(detail({ status: 'awaiting_review', pause: { since: '2026-12-06', at: '2026-12-06T08:00:00Z', by: 'a', reason: 'r' } }))).toBe(true);
  });

  it('keeps reading while the preview is still counting, and stops once approve and deny are offered', () => {
    const counting = { ...detail({ status: 'awaiting_review' }), preview: { counting: true, systems: [] } };
    const counted = { ...detail({ status: 'awaiting_review' }), preview: { counting: false, at: '2026-12-06T08:00:00Z', systems: [] } };
    expect(keepsPolling(counting)).toBe(true);
    expect(keepsPolling(counted)).toBe(false);
  });

  it('waits longer after each read that found nothing new, up to a cap, and short again after a change', () => {
    const delays = [FIRST_POLL_MS];
    for (let i = 0; i < 12; i++) delays.push(nextDelay(delays.at(-1)!, false));
    expect(delays.every((d, i) => i === 0 || d >= delays[i - 1]!)).toBe(true);
    expect(delays.at(-1)).toBe(MAX_POLL_MS);
    // An hour with nothing new costs a few dozen reads, not thousands.
    let total = 0;
    let reads = 0;
    for (let d = FIRST_POLL_MS; total < 3_600_000; d = nextDelay(d, false)) {
      total += d;
      reads++;
    }
    expect(reads).toBeLessThan(140);
    expect(nextDelay(MAX_POLL_MS, true)).toBe(FIRST_POLL_MS);
  });

  it('sees a change in the status, the record or the trail', () => {
    const a = detail({});
    expect(fingerprint(a)).toBe(fingerprint(detail({})));
    expect(fingerprint(a)).not.toBe(fingerprint(detail({ status: 'assembling' })));
    expect(fingerprint(a)).not.toBe(fingerprint(detail({}, 2)));
    expect(fingerprint(a)).not.toBe(fingerprint(detail({ updatedAt: '2026-12-06T08:00:01.000Z' })));
  });
});
