/** The staff queue filtered by status, on dynalite: what it reads grows with what matches, not with the queue. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listQueue } from '#domain/requests/queries';
import { putRequest, startHarness, type Harness } from '../../../support/dynalite-harness.ts';

let h: Harness;
let itemsRead = 0;
beforeEach(async () => {
  h = await startHarness();
  const send = h.access.db.send.bind(h.access.db);
  // Items read from the indexes; the rows of a page are then read one by one from the table.
  h.access.db.send = ((command: { constructor: { name: string }; input: { IndexName?: string } }, ...rest: unknown[]) => {
    const out = (send as (...a: unknown[]) => Promise<Record<string, unknown>>)(command, ...rest);
    if (command.constructor.name !== 'QueryCommand' || !command.input.IndexName) return out;
    return out.then((o) => {
      itemsRead += Number(o.ScannedCount ?? 0);
      return o;
    });
  }) as typeof h.access.db.send;
  itemsRead = 0;
});
afterEach(async () => h?.close());

describe('the staff queue filtered by status', () => {
  it('reads only the requests in that status, however many others are open, in due order and in full', async () => {
    for (let i = 0; i < 40; i++) await putRequest(h, { status: 'in_progress', receivedAt: '2026-01-05T10:00:00Z', dueDate: `2026-02-${String(1 + (i % 27)).padStart(2, '0')}` });
    const review = [];
    for (const day of ['2026-02-20', '2026-02-03', '2026-02-11']) review.push(await putRequest(h, { status: 'awaiting_review', receivedAt: '2026-01-05T10:00:00Z', dueDate: day }));
    itemsRead = 0;

    const page = await listQueue(h.ctx, { status: 'awaiting_review', limit: 50 });

    expect(itemsRead).toBe(3);
    expect(page.items.map((r) => r.dueDate)).toEqual(['2026-02-03', '2026-02-11', '2026-02-20']);
    expect(page.items[0]).toMatchObject({ status: 'awaiting_review', subject: { email: 'subject@example.test' } });
    expect(page.items[0]).not.toHaveProperty('queueStatus');
  });

  it('follows a status change, and drops a request from every status once it closes', async () => {
    const r = await putRequest(h, { status: 'awaiting_review', receivedAt: '2026-01-05T10:00:00Z' });
    await h.ctx.repo.update(r.requestId, { status: 'in_progress' });
    expect((await listQueue(h.ctx, { status: 'awaiting_review' })).items).toHaveLength(0);
    expect((await listQueue(h.ctx, { status: 'in_progress' })).items.map((x) => x.requestId)).toEqual([r.requestId]);

    await h.ctx.repo.update(r.requestId, { status: 'completed', closedAt: '2026-01-20T10:00:00Z' });
    expect((await listQueue(h.ctx, { status: 'in_progress' })).items).toHaveLength(0);
    expect(await h.ctx.repo.get(r.requestId)).not.toHaveProperty('queueStatus');
  });

  it('pages through one status with the cursor, combined with a type filter', async () => {
    for (let i = 1; i <= 5; i++) await putRequest(h, { status: 'awaiting_review', type: i % 2 ? 'erasure' : 'access', receivedAt: '2026-01-05T10:00:00Z', dueDate: `2026-02-0${i}` });
    await putRequest(h, { status: 'in_progress', type: 'erasure', receivedAt: '2026-01-05T10:00:00Z', dueDate: '2026-02-01' });

    const first = await listQueue(h.ctx, { status: 'awaiting_review', type: 'erasure', limit: 2 });
    const second = await listQueue(h.ctx, { status: 'awaiting_review', type: 'erasure', limit: 2, cursor: first.cursor! });

    expect(first.items.map((r) => r.dueDate)).toEqual(['2026-02-01', '2026-02-03']);
    expect(second.items.map((r) => r.dueDate)).toEqual(['2026-02-05']);
    expect(second.cursor).toBeNull();
  });
});
