import { beforeEach, describe, expect, it } from 'vitest';
import { RequestError } from '#commons/errors';
import { daysLeft, listQueue, requestDetail, staffView } from '#domain/requests/queries';
import { OTHER_ID, REQUEST_ID, requestRecord, testContext, verificationFor, type TestContext } from './support.ts';

let ctx: TestContext;

beforeEach(async () => {
  ctx = testContext();
  await ctx.memory.create(requestRecord({ statusTokenHash: 'deadbeef', verification: verificationFor(REQUEST_ID, '123456') }));
  await ctx.memory.create(requestRecord({ requestId: OTHER_ID, status: 'awaiting_review', dueDate: '2026-03-20', openSk: `2026-03-20#${OTHER_ID}` }));
});

describe('staff queries', () => {
  it('shows staff a request without any hash or verification secret', () => {
    const view = staffView(ctx.memory.stored());
    const text = JSON.stringify(view);

    expect(text).not.toContain('codeHash');
    expect(text).not.toContain('salt');
    expect(text).not.toContain('deadbeef');
    expect(text).not.toContain('subjectHash');
    expect(view.verification).toMatchObject({ attempts: 0, codesSent: 1 });
  });

  it('lists open requests by due date and filters by status', async () => {
    const all = await listQueue(ctx, {});
    const reviewing = await listQueue(ctx, { status: 'awaiting_review' });

    expect(all.items.map((r) => r.requestId)).toEqual([OTHER_ID, REQUEST_ID]);
    expect(reviewing.items.map((r) => r.requestId)).toEqual([OTHER_ID]);
    expect(all.cursor).toBeNull();
  });

  it('rejects a cursor it did not give out (400)', async () => {
    const err = await listQueue(ctx, { cursor: 'not-base64-json' }).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(RequestError);
    expect((err as RequestError).code).toBe('invalid_cursor');
  });

  it('gives one request with its audit trail', async () => {
    await ctx.memory.audit(REQUEST_ID, 'dana', 'review.approved', { type: 'access' });

    const detail = await requestDetail(ctx, REQUEST_ID);

    expect(detail.audit).toEqual([{ at: expect.any(String), actor: 'dana', action: 'review.approved', detail: { type: 'access' } }]);
    expect(detail.request.requestId).toBe(REQUEST_ID);
  });

  it('counts whole days to the due date, negative when overdue', () => {
    expect(daysLeft('2026-03-05', new Date('2026-03-02T23:59:00Z'))).toBe(3);
    expect(daysLeft('2026-03-01', new Date('2026-03-02T00:00:00Z'))).toBe(-1);
  });
});
