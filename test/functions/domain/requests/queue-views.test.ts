/**
 * The console's queue views on dynalite: filtered by assignee and by overdue, closed requests paged by
 * closing date, a subject found by exact address, their history, and the subject masked for viewers.
 * What each read costs is counted (items DynamoDB read), so a filter that starts reading the whole table
 * fails here.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RequestError } from '#commons/errors';
import { subjectHash } from '#commons/tokens';
import { listQueue, requestDetail, subjectHistory } from '#domain/requests/queries';
import { retentionFields } from '../../../../functions/domain/retention/subjects.ts';
import type { RequestRecord } from '../../../../functions/domain/requests/model.ts';
import { putRequest, requestRecord, startHarness, testConfig, type Harness, type RequestSeed } from '../../../support/dynalite-harness.ts';

let h: Harness;
let itemsRead = 0;

async function start(config = testConfig()) {
  h = await startHarness(config);
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
}
afterEach(async () => h?.close());

/** A request filed by `email` (hashed into the by-subject key as intake does). */
async function putFor(email: string, seed: RequestSeed, name = 'Anna Berg'): Promise<RequestRecord> {
  const r = requestRecord(seed);
  const closed = seed.closedAt ? retentionFields(h.ctx.config, seed.closedAt) : {};
  const record: RequestRecord = { ...r, subject: { email, normalizedEmail: email.toLowerCase(), name }, subjectHash: subjectHash(email.toLowerCase()), ...closed };
  await h.ctx.repo.create(record);
  return record;
}

describe('the queue filtered by assignee and by overdue', () => {
  beforeEach(() => start());

  it('lists only the requests assigned to one staff member (the "mine" view), across statuses', async () => {
    const mine = await putRequest(h, { status: 'awaiting_review', receivedAt: '2026-01-05T10:00:00Z', dueDate: '2026-02-10', assignee: 'dana@example-video.test' });
    const mineToo = await putRequest(h, { status: 'in_progress', receivedAt: '2026-01-05T10:00:00Z', dueDate: '2026-02-03', assignee: 'dana@example-video.test' });
    await putRequest(h, { status: 'awaiting_review', receivedAt: '2026-01-05T10:00:00Z', dueDate: '2026-02-01', assignee: 'erik@example-video.test' });
    await putRequest(h, { status: 'awaiting_review', receivedAt: '2026-01-05T10:00:00Z', dueDate: '2026-02-02' });

    const page = await listQueue(h.ctx, { assignee: 'dana@example-video.test' });
    const reviewOnly = await listQueue(h.ctx, { assignee: 'dana@example-video.test', status: 'awaiting_review' });

    expect(page.items.map((r) => r.requestId)).toEqual([mineToo.requestId, mine.requestId]);
    expect(page.items.every((r) => r.assignee === 'dana@example-video.test')).toBe(true);
    // The status index carries no assignee: with both filters the open index is read, status filtered there.
    expect(reviewOnly.items.map((r) => r.requestId)).toEqual([mine.requestId]);
  });

  it('lists only open requests past their due date, reading only the due-date range before today', async () => {
    h.clock.at = new Date('2026-03-01T12:00:00Z');
    const late = await putRequest(h, { status: 'in_progress', receivedAt: '2026-01-05T10:00:00Z', dueDate: '2026-02-05' });
    const later = await putRequest(h, { status: 'awaiting_review', receivedAt: '2026-01-05T10:00:00Z', dueDate: '2026-02-27' });
    // Due today in Oslo: not overdue yet.
    await putRequest(h, { status: 'in_progress', receivedAt: '2026-01-05T10:00:00Z', dueDate: '2026-03-01' });
    for (let i = 0; i < 20; i++) await putRequest(h, { status: 'in_progress', receivedAt: '2026-01-05T10:00:00Z', dueDate: `2026-04-${String(1 + i).padStart(2, '0')}` });
    itemsRead = 0;

    const page = await listQueue(h.ctx, { overdue: true });
    const reviewLate = await listQueue(h.ctx, { overdue: true, status: 'awaiting_review' });

    expect(page.items.map((r) => r.requestId)).toEqual([late.requestId, later.requestId]);
    expect(page.items.map((r) => r.daysLeft)).toEqual([-24, -2]);
    expect(reviewLate.items.map((r) => r.requestId)).toEqual([later.requestId]);
    // Both reads stay within the range up to today (3 requests, then 1): never the 20 due later.
    expect(itemsRead).toBeLessThanOrEqual(4);
  });
});

describe('closed requests', () => {
  beforeEach(() => start());

  it('are listed most recently closed first, paged with a cursor, and filtered by type', async () => {
    const closed: RequestRecord[] = [];
    for (let day = 10; day <= 14; day++) {
      closed.push(
        await putFor('anna@example.com', { status: day % 2 ? 'completed' : 'denied', type: day === 12 ? 'erasure' : 'access', receivedAt: '2026-01-05T10:00:00Z', closedAt: `2026-02-${day}T09:00:00.000Z` }),
      );
    }
    await putRequest(h, { status: 'in_progress', receivedAt: '2026-01-05T10:00:00Z' });

    const first = await listQueue(h.ctx, { state: 'closed', limit: 2 });
    const second = await listQueue(h.ctx, { state: 'closed', limit: 2, cursor: first.cursor! });
    const third = await listQueue(h.ctx, { state: 'closed', limit: 2, cursor: second.cursor! });
    const access = await listQueue(h.ctx, { state: 'closed', type: 'access' });
    const denied = await listQueue(h.ctx, { status: 'denied' });

    const ids = (p: { items: Array<{ requestId: string }> }) => p.items.map((r) => r.requestId);
    const newestFirst = [...closed].reverse().map((r) => r.requestId);
    expect([...ids(first), ...ids(second), ...ids(third)]).toEqual(newestFirst);
    expect(third.cursor).toBeNull();
    expect(ids(access)).toEqual(newestFirst.filter((id) => id !== closed[2]!.requestId));
    expect(denied.items.map((r) => r.status)).toEqual(['denied', 'denied', 'denied']);
  });

  it('refuses an open status with state=closed, and a cursor it did not give out, with 400', async () => {
    const wrong = await listQueue(h.ctx, { state: 'closed', status: 'in_progress' }).catch((e: unknown) => e);
    const forged = await listQueue(h.ctx, { state: 'closed', cursor: Buffer.from('2026-02-10#x').toString('base64url') }).catch((e: unknown) => e);

    expect((wrong as RequestError).status).toBe(400);
    expect((forged as RequestError).code).toBe('invalid_cursor');
  });
});

describe('a subject found by email, and their history', () => {
  beforeEach(() => start());

  it('finds every request filed in an exact address, open and closed, with one query of their partition', async () => {
    const old = await putFor('Anna@Example.com', { status: 'completed', receivedAt: '2025-06-01T10:00:00Z', closedAt: '2025-06-20T10:00:00.000Z' });
    const open = await putFor('anna@example.com', { status: 'awaiting_review', type: 'erasure', receivedAt: '2026-01-05T10:00:00Z' });
    for (let i = 0; i < 10; i++) await putRequest(h, { status: 'awaiting_review', receivedAt: '2026-01-05T10:00:00Z' });
    itemsRead = 0;

    const found = await listQueue(h.ctx, { email: '  ANNA@example.com ' });
    const onlyOpen = await listQueue(h.ctx, { email: 'anna@example.com', state: 'open' });
    const nobody = await listQueue(h.ctx, { email: 'nobody@example.com' });

    expect(found.items.map((r) => r.requestId)).toEqual([open.requestId, old.requestId]);
    expect(found.cursor).toBeNull();
    expect(onlyOpen.items.map((r) => r.requestId)).toEqual([open.requestId]);
    expect(nobody.items).toEqual([]);
    expect(itemsRead).toBe(4);
  });

  it("lists every request in the subject's name with its outcome, newest first, the asked one marked", async () => {
    const denied = await putFor('anna@example.com', {
      status: 'denied',
      receivedAt: '2025-03-01T10:00:00Z',
      closedAt: '2025-03-05T10:00:00.000Z',
      decision: { outcome: 'denied', by: 'dana@example-video.test', at: '2025-03-05T10:00:00.000Z', reason: 'excessive' },
    });
    const done = await putFor('anna@example.com', { status: 'completed', receivedAt: '2025-09-01T10:00:00Z', closedAt: '2025-09-10T10:00:00.000Z' });
    const now = await putFor('anna@example.com', { status: 'awaiting_review', receivedAt: '2026-01-05T10:00:00Z' });
    await putFor('someone@example.com', { status: 'awaiting_review', receivedAt: '2026-01-06T10:00:00Z' });

    const history = await subjectHistory(h.ctx, now.requestId, ['viewer']);

    expect(history.items.map((i) => [i.requestId, i.status, i.current])).toEqual([
      [now.requestId, 'awaiting_review', true],
      [done.requestId, 'completed', false],
      [denied.requestId, 'denied', false],
    ]);
    expect(history.items[2]).toMatchObject({ closedAt: '2025-03-05T10:00:00.000Z', decision: { outcome: 'denied', reason: 'excessive' } });
    expect(history.subject.email).toBe('anna@example.com');
  });
});

describe('the subject masked for viewers', () => {
  beforeEach(() => start(testConfig({ console: { maskSubjectForViewers: true } })));

  it('masks address and name for a viewer in the queue, the request and the history, never for an approver', async () => {
    const r = await putFor('anna.berg@example.com', { status: 'awaiting_review', receivedAt: '2026-01-05T10:00:00Z' }, 'Anna Marie Berg');
    await h.ctx.repo.update(r.requestId, { identifiers: { accounts: { email: ['anna.berg@example.com'] } } });

    const viewerQueue = await listQueue(h.ctx, {}, ['viewer']);
    const approverQueue = await listQueue(h.ctx, {}, ['approver']);
    const viewerDetail = await requestDetail(h.ctx, r.requestId, ['viewer']);
    const viewerHistory = await subjectHistory(h.ctx, r.requestId, ['viewer']);

    expect(viewerQueue.items[0]!.subject).toEqual({ email: 'a•••@example.com', normalizedEmail: 'a•••@example.com', name: 'A. M. B.' });
    expect(viewerDetail.request.subject.email).toBe('a•••@example.com');
    expect(viewerHistory.subject.email).toBe('a•••@example.com');
    expect(JSON.stringify([viewerQueue, viewerDetail.request, viewerHistory])).not.toMatch(/anna\.berg|Marie/);
    expect(viewerDetail.request).not.toHaveProperty('identifiers');
    expect(approverQueue.items[0]!.subject).toMatchObject({ email: 'anna.berg@example.com', name: 'Anna Marie Berg' });
    expect(approverQueue.items[0]!.identifiers).toEqual({ accounts: { email: ['anna.berg@example.com'] } });
  });

  it('gives a viewer none of what the subject wrote in the form, and an approver all of it', async () => {
    const r = await putFor('anna.berg@example.com', { status: 'awaiting_review', receivedAt: '2026-01-05T10:00:00Z' }, 'Anna Berg');
    await h.ctx.repo.update(r.requestId, { subject: { ...r.subject, details: 'My old address is Storgata 1' } });

    const viewer = await requestDetail(h.ctx, r.requestId, ['viewer']);
    const approver = await requestDetail(h.ctx, r.requestId, ['approver']);

    expect(viewer.request.subject).not.toHaveProperty('details');
    expect(JSON.stringify(viewer)).not.toContain('Storgata');
    expect(approver.request.subject.details).toBe('My old address is Storgata 1');
  });
});
