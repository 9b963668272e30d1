import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { yearMetrics } from '../../../../functions/domain/metrics/index.ts';
import { DeleteCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { backfillLedger, ledgerKey, readLedger, recordFact } from '../../../../functions/domain/metrics/ledger.ts';
import { putRequest, startHarness, type Harness } from '../../../support/dynalite-harness.ts';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => h?.close());

const access = async (year = 2025) => (await yearMetrics(h.ctx, year, h.access)).types.find((t) => t.type === 'access')!;

describe('the yearly metrics ledger', () => {
  it('follows a request from filing to its close, and counts it once when the closing step is retried', async () => {
    const r = await putRequest(h, { receivedAt: '2025-01-10T10:00:00Z' });
    h.clock.at = new Date('2025-01-15T10:00:00Z');
    expect(await access()).toMatchObject({ received: 1, open: 1, compliedInWhole: 0 });

    const close = { status: 'completed' as const, closedAt: '2025-01-20T10:00:00Z', updatedAt: '2025-01-20T10:00:00Z' };
    await h.ctx.repo.update(r.requestId, close);
    await h.ctx.repo.update(r.requestId, close);
    expect(await access()).toMatchObject({ received: 1, open: 0, compliedInWhole: 1, answered: 1, answeredOnTime: 1, medianDaysToRespond: 10 });
  });

  it('counts an overdue open request as overdue and late, and not once an extension moves its due date past today', async () => {
    await putRequest(h, { status: 'completed', receivedAt: '2025-01-06T10:00:00Z', closedAt: '2025-01-08T10:00:00Z' });
    const open = await putRequest(h, { receivedAt: '2025-01-10T10:00:00Z' });
    h.clock.at = new Date('2025-02-20T10:00:00Z');
    // One answered on time and one open past its due date: not "100% on time".
    expect(open.dueDate < '2025-02-20').toBe(true);
    expect(await access()).toMatchObject({ open: 1, openOverdue: 1, answeredOnTime: 1, shareAnsweredOnTime: 0.5 });

    await h.ctx.repo.update(open.requestId, { dueDate: '2025-04-10', updatedAt: '2025-02-01T10:00:00Z' });
    expect(await access()).toMatchObject({ open: 1, openOverdue: 0, shareAnsweredOnTime: 1 });
  });

  it('keeps the newer fact when an older write arrives after it', async () => {
    const r = await putRequest(h, { receivedAt: '2025-01-10T10:00:00Z' });
    const closed = await h.ctx.repo.update(r.requestId, { status: 'denied', closedAt: '2025-01-12T10:00:00Z', decision: { outcome: 'denied', by: 's', at: '2025-01-12T10:00:00Z', reason: 'excessive' }, updatedAt: '2025-01-12T10:00:00Z' });
    await recordFact(h.access.db, h.access.table, { ...closed, status: 'in_progress', updatedAt: '2025-01-11T10:00:00Z' });

    const { rows } = await readLedger(2025, h.access);
    expect(rows).toEqual([expect.objectContaining({ requestId: r.requestId, status: 'denied', reason: 'excessive', closedAt: '2025-01-12T10:00:00Z' })]);
  });

  it('keeps one small item per request, without the subject, apart from the request items', async () => {
    for (let i = 0; i < 3; i++) await putRequest(h, { receivedAt: '2025-03-03T10:00:00Z' });
    await putRequest(h, { type: 'erasure', receivedAt: '2025-03-04T10:00:00Z' });

    const out = await h.access.db.send(new QueryCommand({ TableName: h.access.table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': 'METRICS#2025' } }));
    expect(out.Items).toHaveLength(4);
    for (const item of out.Items!) {
      expect(JSON.stringify(item)).not.toMatch(/subject@example\.test|Sam Subject/);
      expect(JSON.stringify(item).length).toBeLessThan(300);
    }
    expect((await readLedger(2025, h.access)).rows.map((r) => r.type).sort()).toEqual(['access', 'access', 'access', 'erasure']);
  });
});

describe('upgrading', () => {
  it('writes the facts of requests filed before the ledger from the by-year index, once', async () => {
    const r = await putRequest(h, { status: 'completed', receivedAt: '2025-05-05T10:00:00Z', closedAt: '2025-05-08T10:00:00Z' });
    // As a request stored by a version without the ledger: no fact.
    await h.access.db.send(new DeleteCommand({ TableName: h.access.table, Key: ledgerKey(r) }));
    expect((await readLedger(2025, h.access)).rows).toHaveLength(0);

    expect(await backfillLedger(2025, h.access)).toBe(1);
    expect(await backfillLedger(2025, h.access)).toBe(1);
    expect(await access()).toMatchObject({ received: 1, compliedInWhole: 1 });
  });
});
