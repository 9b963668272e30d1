import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeMetrics, metricsCsv, monthsCsv, yearMetrics, type YearMetrics } from '../../../../functions/domain/metrics/index.ts';
import type { LedgerRow } from '../../../../functions/domain/metrics/ledger.ts';
import { putRequest, startHarness, testConfig, type Harness } from '../../../support/dynalite-harness.ts';

let h: Harness;
let metrics: YearMetrics;

const denied = (reason: string) => ({ outcome: 'denied' as const, by: 'alice@staff', at: '2025-03-07T10:00:00Z', reason });

beforeAll(async () => {
  h = await startHarness();
  // Access, 2025 (GDPR, Norway): answers after 10, 35 (late: due 3 March), 4 and 8 days; one still open
  // and overdue; one duplicate of an open request.
  await putRequest(h, { status: 'completed', receivedAt: '2025-01-10T10:00:00Z', closedAt: '2025-01-20T10:00:00Z' });
  await putRequest(h, { status: 'completed_partial', receivedAt: '2025-02-03T10:00:00Z', closedAt: '2025-03-10T10:00:00Z' });
  await putRequest(h, { status: 'denied', receivedAt: '2025-03-03T10:00:00Z', closedAt: '2025-03-07T10:00:00Z', decision: denied('excessive') });
  await putRequest(h, { status: 'unverified_closed', receivedAt: '2025-04-01T10:00:00Z', closedAt: '2025-04-09T10:00:00Z' });
  await putRequest(h, { status: 'in_progress', receivedAt: '2025-05-05T10:00:00Z' });
  await putRequest(h, { status: 'duplicate', receivedAt: '2025-05-06T10:00:00Z', closedAt: '2025-05-06T10:00:00Z' });
  // Erasure, 2025: one answered in 3 days, one cancelled. The request at 23:30 UTC on 31 December is
  // received on 1 January 2026 in Oslo, so it belongs to 2026.
  await putRequest(h, { type: 'erasure', status: 'completed', receivedAt: '2025-06-02T10:00:00Z', closedAt: '2025-06-05T10:00:00Z' });
  await putRequest(h, { type: 'erasure', status: 'cancelled', receivedAt: '2025-07-01T10:00:00Z', closedAt: '2025-07-02T10:00:00Z' });
  await putRequest(h, { type: 'erasure', status: 'completed', receivedAt: '2025-12-31T23:30:00Z', closedAt: '2026-01-05T10:00:00Z' });
  // Marketing opt-out (§7102's "opt-out"), 2025: answered in 2 days.
  await putRequest(h, { type: 'marketing_opt_out', status: 'completed', receivedAt: '2025-08-04T10:00:00Z', closedAt: '2025-08-06T10:00:00Z' });
  // Other years.
  await putRequest(h, { type: 'portability', status: 'completed', receivedAt: '2024-12-30T10:00:00Z', closedAt: '2025-01-03T10:00:00Z' });
  h.clock.at = new Date('2026-01-15T10:00:00Z');
  // Record what the metrics read: one year of the ledger, never the requests, never a Scan.
  const send = h.access.db.send.bind(h.access.db);
  h.access.db.send = ((command: { constructor: { name: string }; input: Record<string, unknown> }, ...rest: unknown[]) => {
    commands.push({ name: command.constructor.name, input: command.input });
    return (send as (...a: unknown[]) => unknown)(command, ...rest);
  }) as typeof h.access.db.send;
  metrics = await yearMetrics(h.ctx, 2025, h.access);
});
const commands: Array<{ name: string; input: Record<string, unknown> }> = [];
afterAll(async () => h?.close());

describe('yearly metrics', () => {
  it('reads only the year asked for, from its ledger, not the requests', () => {
    expect(commands.map((c) => c.name)).not.toContain('ScanCommand');
    expect(commands.filter((c) => c.name === 'QueryCommand').map((c) => [c.input.IndexName, (c.input.ExpressionAttributeValues as Record<string, unknown>)[':pk']])).toEqual([[undefined, 'METRICS#2025']]);
    expect(commands.map((c) => c.name)).not.toContain('GetCommand');
  });

  it('counts access requests received, complied with in whole or in part, and denied by reason', () => {
    const access = metrics.types.find((t) => t.type === 'access')!;
    expect(access).toMatchObject({
      received: 5,
      duplicates: 1,
      compliedInWhole: 1,
      compliedInPart: 1,
      denied: 2,
      deniedByReason: { excessive: 1, unverified: 1, manifestly_unfounded: 0, identity_not_verified: 0, exemption: 0, agent_permission_insufficient: 0, other: 0 },
      cancelled: 0,
      open: 1,
      openOverdue: 1,
    });
  });

  it('computes median and mean days to respond, and the share on time counting the overdue open request as late', () => {
    const access = metrics.types.find((t) => t.type === 'access')!;
    // Days 4, 8, 10, 35: median (8 + 10) / 2, mean 57 / 4; 3 of 4 answered on time, and the open
    // request of 5 May is past its due date: 3 of 5 on time, not 3 of 4.
    expect(access).toMatchObject({ answered: 4, medianDaysToRespond: 9, meanDaysToRespond: 14.25, answeredOnTime: 3, openOverdue: 1, shareAnsweredOnTime: 0.6 });
  });

  it('assigns a request to the year of its receipt date in the controller zone', () => {
    const erasure = metrics.types.find((t) => t.type === 'erasure')!;
    expect(erasure).toMatchObject({ received: 2, compliedInWhole: 1, cancelled: 1, answered: 1, medianDaysToRespond: 3, meanDaysToRespond: 3, shareAnsweredOnTime: 1 });
  });

  it('counts marketing opt-outs as a type of their own', () => {
    const optOut = metrics.types.find((t) => t.type === 'marketing_opt_out')!;
    expect(optOut).toMatchObject({ received: 1, compliedInWhole: 1, denied: 0, answered: 1, medianDaysToRespond: 2, shareAnsweredOnTime: 1 });
  });

  it('reports every request type, with no figures where there were no requests', () => {
    expect(metrics.types.map((t) => t.type)).toEqual(['access', 'erasure', 'portability', 'marketing_opt_out', 'rectification', 'restriction']);
    expect(metrics.types.find((t) => t.type === 'portability')).toMatchObject({
      received: 0,
      medianDaysToRespond: null,
      meanDaysToRespond: null,
      shareAnsweredOnTime: null,
    });
  });

  it('reports the twelve months of the year with the requests received per type, duplicates excluded', () => {
    expect(metrics.months.map((m) => m.month)).toEqual(['01', '02', '03', '04', '05', '06', '07', '08', '09', '10', '11', '12'].map((mm) => `2025-${mm}`));
    const received = Object.fromEntries(metrics.months.map((m) => [m.month, m.received]));
    expect(received['2025-01']).toEqual({ access: 1, erasure: 0, portability: 0, marketing_opt_out: 0, rectification: 0, restriction: 0 });
    expect(received['2025-02']).toEqual({ access: 1, erasure: 0, portability: 0, marketing_opt_out: 0, rectification: 0, restriction: 0 });
    // The duplicate of 6 May is answered by the open request and is not counted again.
    expect(received['2025-05']).toEqual({ access: 1, erasure: 0, portability: 0, marketing_opt_out: 0, rectification: 0, restriction: 0 });
    expect(received['2025-06']).toEqual({ access: 0, erasure: 1, portability: 0, marketing_opt_out: 0, rectification: 0, restriction: 0 });
    expect(received['2025-07']).toEqual({ access: 0, erasure: 1, portability: 0, marketing_opt_out: 0, rectification: 0, restriction: 0 });
    expect(received['2025-08']).toEqual({ access: 0, erasure: 0, portability: 0, marketing_opt_out: 1, rectification: 0, restriction: 0 });
    // Received on 1 January 2026 in Oslo: not in December 2025.
    expect(received['2025-12']).toEqual({ access: 0, erasure: 0, portability: 0, marketing_opt_out: 0, rectification: 0, restriction: 0 });
    const total = (t: keyof (typeof metrics.months)[number]['received']) => metrics.months.reduce((s, m) => s + m.received[t], 0);
    expect(metrics.types.map((t) => total(t.type))).toEqual(metrics.types.map((t) => t.received));
  });

  it('reports per month the share answered on time over the month\'s answered and overdue requests, null where there is none', () => {
    const onTime = Object.fromEntries(metrics.months.map((m) => [m.month, m.answeredOnTime]));
    expect(onTime['2025-01']).toEqual({ access: 1, erasure: null, portability: null, marketing_opt_out: null, rectification: null, restriction: null });
    // Received 3 February, answered 10 March after a due date of 3 March: late.
    expect(onTime['2025-02']).toEqual({ access: 0, erasure: null, portability: null, marketing_opt_out: null, rectification: null, restriction: null });
    expect(onTime['2025-03']!.access).toBe(1);
    // The open request of May is past its due date: late already. Cancelled (July) ones are not answered.
    expect(onTime['2025-05']!.access).toBe(0);
    expect(onTime['2025-06']).toEqual({ access: null, erasure: 1, portability: null, marketing_opt_out: null, rectification: null, restriction: null });
    expect(onTime['2025-07']!.erasure).toBeNull();
  });

  it('writes the monthly figures as CSV, one row per month', () => {
    const [header, ...lines] = monthsCsv(metrics).trimEnd().split('\n').map((l) => l.split(','));
    const rows = lines.map((cells) => Object.fromEntries(header!.map((name, i) => [name, cells[i]])));
    expect(rows).toHaveLength(12);
    expect(rows[1]).toEqual({
      month: '2025-02',
      received_access: '1',
      received_erasure: '0',
      received_portability: '0',
      share_answered_on_time_access: '0',
      share_answered_on_time_erasure: '',
      received_marketing_opt_out: '0',
      share_answered_on_time_portability: '',
      share_answered_on_time_marketing_opt_out: '',
      received_restriction: '0',
      share_answered_on_time_restriction: '',
      received_rectification: '0',
      share_answered_on_time_rectification: '',
    });
    expect(rows[5]).toMatchObject({ month: '2025-06', received_erasure: '1', share_answered_on_time_erasure: '1' });
  });

  it('writes the same figures as CSV, one row per type', () => {
    // No value here contains a comma or a quote, so splitting is parsing.
    const [header, ...lines] = metricsCsv(metrics).trimEnd().split('\n').map((l) => l.split(','));
    const rows = lines.map((cells) => Object.fromEntries(header!.map((name, i) => [name, cells[i]])));
    expect(rows).toHaveLength(6);
    expect(rows[0]).toMatchObject({
      year: '2025',
      type: 'access',
      received: '5',
      complied_in_whole: '1',
      complied_in_part: '1',
      denied: '2',
      denied_excessive: '1',
      denied_unverified: '1',
      median_days_to_respond: '9',
      mean_days_to_respond: '14.25',
      share_answered_on_time: '0.6',
    });
    expect(rows[2]).toMatchObject({ type: 'portability', received: '0', median_days_to_respond: '' });
    expect(rows[3]).toMatchObject({ type: 'marketing_opt_out', received: '1', median_days_to_respond: '2' });
    expect(rows[4]).toMatchObject({ type: 'rectification', received: '0', median_days_to_respond: '' });
    expect(rows[5]).toMatchObject({ type: 'restriction', received: '0', median_days_to_respond: '' });
  });
});

describe('a restriction in the yearly metrics', () => {
  const row = (over: Partial<LedgerRow>): LedgerRow => ({
    requestId: 'dsar_restrict0001',
    type: 'restriction',
    status: 'restricted',
    jurisdiction: 'GDPR',
    country: 'NO',
    receivedAt: '2025-03-02T10:00:00Z',
    receivedDate: '2025-03-02',
    dueDate: '2025-04-02',
    ...over,
  });

  it('counts a restriction in force as complied with on the day it was confirmed, not as open or overdue', () => {
    const m = computeMetrics(testConfig(), 2025, [row({ answeredAt: '2025-03-04T10:00:00Z' })], new Date('2025-12-31T12:00:00Z'));
    const restriction = m.types.find((t) => t.type === 'restriction')!;

    expect(restriction).toMatchObject({ received: 1, compliedInWhole: 1, open: 0, openOverdue: 0, answered: 1, medianDaysToRespond: 2, shareAnsweredOnTime: 1 });
  });

  it('keeps the confirmation day as the answer after the restriction was lifted months later', () => {
    const m = computeMetrics(testConfig(), 2025, [row({ status: 'completed', answeredAt: '2025-03-04T10:00:00Z', closedAt: '2025-09-01T10:00:00Z' })], new Date('2025-12-31T12:00:00Z'));

    expect(m.types.find((t) => t.type === 'restriction')).toMatchObject({ compliedInWhole: 1, medianDaysToRespond: 2, shareAnsweredOnTime: 1 });
  });
});
