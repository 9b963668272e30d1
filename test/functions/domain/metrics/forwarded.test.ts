import { describe, expect, it } from 'vitest';
import { computeMetrics, metricsCsv } from '#domain/metrics/index';
import type { LedgerRow } from '#domain/metrics/ledger';
import { exampleConfig } from '../../../support/in-memory-context.ts';

const row = (requestId: string, status: LedgerRow['status'], closedAt?: string): LedgerRow => ({
  requestId,
  type: 'access',
  status,
  jurisdiction: 'GDPR',
  country: 'NO',
  receivedAt: '2026-03-02T10:00:00.000Z',
  receivedDate: '2026-03-02',
  dueDate: '2026-04-02',
  ...(closedAt ? { closedAt } : {}),
});

describe('requests forwarded to a resale partner in the yearly metrics', () => {
  const rows = [row('a', 'completed', '2026-03-10T10:00:00.000Z'), row('b', 'forwarded', '2026-03-03T10:00:00.000Z'), row('c', 'forwarded', '2026-03-04T10:00:00.000Z')];
  const metrics = computeMetrics(exampleConfig(), 2026, rows, new Date('2026-06-01T00:00:00.000Z'));
  const access = metrics.types.find((t) => t.type === 'access')!;

  it('are received and counted apart: neither complied with, denied, cancelled nor open', () => {
    expect(access).toMatchObject({ received: 3, forwarded: 2, compliedInWhole: 1, compliedInPart: 0, denied: 0, cancelled: 0, open: 0 });
  });

  it('are not answered by us, so they are not in the days to respond or the on-time share', () => {
    expect(access).toMatchObject({ answered: 1, medianDaysToRespond: 8, answeredOnTime: 1, shareAnsweredOnTime: 1 });
  });

  it('have their own column in the §7102 CSV', () => {
    const [header, accessLine] = metricsCsv(metrics).trim().split('\n');
    const columns = header!.split(',');
    expect(accessLine!.split(',')[columns.indexOf('forwarded_to_controller')]).toBe('2');
  });
});
