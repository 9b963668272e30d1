import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RequestError } from '#commons/errors';
import { daysLeft, listQueue, requestDetail, staffView } from '#domain/requests/queries';
import { OTHER_ID, REQUEST_ID, requestRecord, testContext, verificationFor, type TestContext } from '../../../support/in-memory-context.ts';

let ctx: TestContext;

beforeEach(async () => {
  ctx = testContext();
  await ctx.memory.create(requestRecord({ statusTokenHash: 'deadbeef', verification: verificationFor(REQUEST_ID, '123456') }));
  await ctx.memory.create(requestRecord({ requestId: OTHER_ID, status: 'awaiting_review', dueDate: '2026-03-20', openSk: `2026-03-20#${OTHER_ID}` }));
});
afterEach(() => vi.restoreAllMocks());

describe('staff queries', () => {
  it('shows staff a request without any hash or verification secret', () => {
    const view = staffView(ctx, ctx.memory.stored());
    const text = JSON.stringify(view);

    expect(text).not.toContain('codeHash');
    expect(text).not.toContain('salt');
    expect(text).not.toContain('deadbeef');
    expect(text).not.toContain('subjectHash');
    expect(view.verification).toMatchObject({ attempts: 0, codesSent: 1 });
  });

  it('lists open requests by due date', async () => {
    const all = await listQueue(ctx, {});

    expect(all.items.map((r) => r.requestId)).toEqual([OTHER_ID, REQUEST_ID]);
    expect(all.cursor).toBeNull();
  });

  it('has the repository filter status, type and jurisdiction, and turns its position into the cursor and back', async () => {
    const listOpen = vi.spyOn(ctx.memory, 'listOpen').mockResolvedValue({ items: [ctx.memory.stored(OTHER_ID)], after: `2026-03-20#${OTHER_ID}` } as never);

    const first = await listQueue(ctx, { status: 'awaiting_review', type: 'erasure', jurisdiction: 'CCPA', limit: 1 });
    await listQueue(ctx, { status: 'awaiting_review', cursor: first.cursor! });

    expect(listOpen.mock.calls[0]![0]).toEqual({
      dueBefore: undefined,
      limit: 1,
      after: undefined,
      filter: { status: 'awaiting_review', type: 'erasure', jurisdiction: 'CCPA' },
    });
    expect(first.cursor).toBe(Buffer.from(`2026-03-20#${OTHER_ID}`).toString('base64url'));
    expect(listOpen.mock.calls[1]![0]).toMatchObject({ after: `2026-03-20#${OTHER_ID}` });
  });

  // `e30` is {} and `eyJhIjoiYiJ9` is {"a":"b"}: valid base64 JSON that DynamoDB would refuse as a start key.
  it.each([
    ['not base64 JSON', 'not-base64-json!'],
    ['an empty object', 'e30'],
    ['an object of another shape', 'eyJhIjoiYiJ9'],
    ['a position without a request id', Buffer.from('2026-03-20#').toString('base64url')],
    ['a position with an impossible date', Buffer.from(`2026-13-45#${OTHER_ID}`).toString('base64url')],
    ['an empty string', ''],
  ])('rejects a cursor that is %s with 400 invalid_cursor, before reading', async (_what, cursor) => {
    const listOpen = vi.spyOn(ctx.memory, 'listOpen');

    const err = await listQueue(ctx, { cursor }).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(RequestError);
    expect((err as RequestError).status).toBe(400);
    expect((err as RequestError).code).toBe('invalid_cursor');
    expect(listOpen).not.toHaveBeenCalled();
  });

  it('rejects a cursor past the dueBefore bound, which lies outside the query and DynamoDB would refuse', async () => {
    const cursor = Buffer.from(`2026-05-01#${OTHER_ID}`).toString('base64url');

    const err = await listQueue(ctx, { cursor, dueBefore: '2026-04-30' }).catch((e: unknown) => e);

    expect((err as RequestError).code).toBe('invalid_cursor');
  });

  it('gives one request with its audit trail', async () => {
    await ctx.memory.audit(REQUEST_ID, 'dana', 'review.approved', { type: 'access' });

    const detail = await requestDetail(ctx, REQUEST_ID, ['approver']);

    expect(detail.audit).toEqual([{ at: expect.any(String), actor: 'dana', action: 'review.approved', detail: { type: 'access' } }]);
    expect(detail.request.requestId).toBe(REQUEST_ID);
    // Awaiting verification, GDPR without gdprClockStop: no approve yet, no pause, and no extension before verification.
    expect(detail.actions).toEqual(['assign', 'cancel']);
    expect((await requestDetail(ctx, REQUEST_ID, ['viewer'])).actions).toEqual([]);
  });

  it('gives the preview one row per system, in configuration order, named as configured, and keeps it off the queue rows', async () => {
    await ctx.memory.putPreview(REQUEST_ID, {
      at: '2026-03-02T10:06:00.000Z',
      connectors: {
        hubspot: { status: 'counted', records: 12, objects: { contacts: 1, notes: 11 } },
        stripe: { status: 'failed', error: 'States.Timeout' },
        accounts: { status: 'counted', records: 0, objects: {} },
      },
    });

    const detail = await requestDetail(ctx, REQUEST_ID, ['viewer']);

    expect(detail.preview).toEqual({
      at: '2026-03-02T10:06:00.000Z',
      counting: false,
      systems: [
        { connectorId: 'accounts', displayName: 'Example Video account store', status: 'counted', records: 0, objects: {} },
        { connectorId: 'stripe', displayName: 'Stripe (payments)', status: 'failed', error: 'States.Timeout' },
        { connectorId: 'hubspot', displayName: 'HubSpot (communication and marketing)', status: 'counted', records: 12, objects: { contacts: 1, notes: 11 } },
      ],
    });
    expect(detail.request).not.toHaveProperty('preview');
    expect((await listQueue(ctx, {})).items.every((r) => !('preview' in r))).toBe(true);
  });

  it('says the preview is being counted while it is', async () => {
    await ctx.memory.update(REQUEST_ID, { previewPending: true, status: 'awaiting_review' });
    const detail = await requestDetail(ctx, REQUEST_ID, ['viewer']);
    expect(detail.preview).toEqual({ counting: true, systems: [] });
    expect(detail.request).not.toHaveProperty('previewPending');
  });

  it('does not say counting for a request cancelled while it counted', async () => {
    await ctx.memory.update(REQUEST_ID, { previewPending: true, status: 'cancelled' });
    expect((await requestDetail(ctx, REQUEST_ID, ['viewer'])).preview).toEqual({ counting: false, systems: [] });
  });

  it('shows staff a rectification\'s current values per system, in configuration order, and masks the values where viewers see the subject masked', async () => {
    await ctx.memory.update(REQUEST_ID, { type: 'rectification', status: 'awaiting_review', subject: { email: 'bob@example.com', normalizedEmail: 'bob@example.com', rectification: { fields: { phone: '+47 912 34 567' } } } });
    await ctx.memory.putPreview(REQUEST_ID, { at: '2026-03-02T10:06:00.000Z', connectors: { hubspot: { status: 'current', values: 1 }, 'google-analytics': { status: 'nothing_to_correct' }, stripe: { status: 'current', values: 1 } } });
    const phone = (recordId: string, object: string) => ({ object, recordId, field: 'phone' as const, systemField: 'phone', value: '+47 400 00 001' });
    await ctx.memory.rectifications.putCurrent(REQUEST_ID, 'hubspot', [phone('101', 'contacts')]);
    await ctx.memory.rectifications.putCurrent(REQUEST_ID, 'stripe', [phone('cus_1', 'customers')]);

    const detail = await requestDetail(ctx, REQUEST_ID, ['approver']);

    expect(detail.rectification).toEqual({
      fieldsAsked: ['phone'],
      systems: [
        { connectorId: 'stripe', displayName: 'Stripe (payments)', status: 'current', values: [phone('cus_1', 'customers')] },
        { connectorId: 'hubspot', displayName: 'HubSpot (communication and marketing)', status: 'current', values: [phone('101', 'contacts')] },
        { connectorId: 'google-analytics', displayName: expect.any(String), status: 'nothing_to_correct', values: [] },
      ],
    });
    ctx.config.console.maskSubjectForViewers = true;
    expect(JSON.stringify((await requestDetail(ctx, REQUEST_ID, ['viewer'])).rectification)).not.toContain('+47');
  });

  it('gives no preview where none was counted', async () => {
    expect(await requestDetail(ctx, REQUEST_ID, ['viewer'])).not.toHaveProperty('preview');
  });

  it('counts whole days from a date to the due date, negative when overdue', () => {
    expect(daysLeft('2026-03-05', '2026-03-02')).toBe(3);
    expect(daysLeft('2026-03-01', '2026-03-02')).toBe(-1);
  });

  it('counts days left from today in the controller\'s zone on the context clock: just after midnight in Oslo it is already the next day', async () => {
    // Due 2 April (Oslo). 22:30 UTC on 1 April is 00:30 on 2 April in Oslo (summer time): due today, 0
    // days left, as escalation counts it; in UTC it would still be 1 April and show 1.
    ctx.fixedClock.current = new Date('2026-04-01T22:30:00Z');

    const queue = await listQueue(ctx, {});
    const detail = await requestDetail(ctx, REQUEST_ID, ['viewer']);

    expect(queue.items.find((r) => r.requestId === REQUEST_ID)!.daysLeft).toBe(0);
    expect(detail.request.daysLeft).toBe(0);
    ctx.fixedClock.current = new Date('2026-04-02T22:30:00Z');
    expect((await requestDetail(ctx, REQUEST_ID, ['viewer'])).request.daysLeft).toBe(-1);
  });

  it('counts a CCPA request\'s days in Los Angeles, where it is still the day before', async () => {
    await ctx.memory.create(requestRecord({ requestId: 'dsar_testccpa000001', jurisdiction: 'CCPA', country: 'US', dueDate: '2026-04-16', openSk: '2026-04-16#dsar_testccpa000001' }));
    // 05:00 UTC on 16 April is 22:00 on 15 April in Los Angeles: one day left, not zero.
    ctx.fixedClock.current = new Date('2026-04-16T05:00:00Z');

    expect((await requestDetail(ctx, 'dsar_testccpa000001', ['viewer'])).request.daysLeft).toBe(1);
  });
});
