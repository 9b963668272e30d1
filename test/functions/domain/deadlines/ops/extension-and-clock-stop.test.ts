import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { computeDeadlines, shiftDueDates } from '../../../../../functions/domain/deadlines/compute.ts';
import { extendDeadline } from '../../../../../functions/domain/deadlines/ops/extension.ts';
import { staffActions } from '../../../../../functions/domain/requests/staff.ts';
import {
  pauseDeadline,
  resumeDeadline,
  subjectReplied,
} from '../../../../../functions/domain/deadlines/ops/clock-stop.ts';
import { putRequest, startHarness, testConfig, type Harness } from '../../../../support/dynalite-harness.ts';

let h: Harness;

beforeAll(async () => {
  h = await startHarness(testConfig({ deadlines: { gdprClockStop: false } }));
});
afterAll(async () => h?.close());
beforeEach(() => {
  h.mailer.sent = [];
  h.ctx.config = testConfig({ deadlines: { gdprClockStop: false } });
});

const at = (iso: string) => {
  h.clock.at = new Date(iso);
};

describe('extending a deadline', () => {
  it('moves the due date and the queue key to the extended date, mails the subject the reason and the new date, and audits it', async () => {
    // GDPR, Norway: received 5 March 2026 -> due 5 April is Easter Sunday, so 7 April after Easter Monday;
    // the extended period ends 5 June (Friday).
    const r = await putRequest(h, { receivedAt: '2026-03-05T10:00:00Z' });
    expect(r.dueDate).toBe('2026-04-07');
    at('2026-03-20T09:00:00Z');
    const out = await extendDeadline(h.ctx, r.requestId, 'alice@staff', 'Eleven systems to search');
    expect(out.previousDueDate).toBe('2026-04-07');
    expect(out.request.dueDate).toBe(r.extendedDueDate);
    expect(out.request.dueDate).toBe('2026-06-05');
    expect(out.request.openSk).toBe(`2026-06-05#${r.requestId}`);
    expect(out.request.extension).toMatchObject({ by: 'alice@staff', reason: 'Eleven systems to search', previousDueDate: '2026-04-07' });
    expect(h.mailer.sent).toHaveLength(1);
    expect(h.mailer.sent[0]!.to).toEqual(['subject@example.test']);
    expect(h.mailer.sent[0]!.email.text).toContain('Reason: Eleven systems to search');
    expect(h.mailer.sent[0]!.email.text).toContain('We will answer by 5 June 2026 instead of 7 April 2026');
    const trail = await h.ctx.repo.auditTrail(r.requestId);
    expect(trail.find((e) => e.action === 'deadline.extended')).toMatchObject({
      actor: 'alice@staff',
      detail: { reason: 'Eleven systems to search', previousDueDate: '2026-04-07', dueDate: '2026-06-05' },
    });
    const queue = await h.ctx.repo.listOpen({ dueBefore: '2026-06-05' });
    expect(queue.items.map((i) => i.requestId)).toContain(r.requestId);
  });

  it('refuses a second extension with 409 already_extended', async () => {
    const r = await putRequest(h, { receivedAt: '2026-03-05T10:00:00Z' });
    at('2026-03-10T09:00:00Z');
    await extendDeadline(h.ctx, r.requestId, 'alice@staff', 'complex');
    await expect(extendDeadline(h.ctx, r.requestId, 'bob@staff', 'again')).rejects.toMatchObject({
      status: 409,
      code: 'already_extended',
    });
  });

  it('lets only one of two simultaneous extensions through, and mails the subject once', async () => {
    const r = await putRequest(h, { receivedAt: '2026-03-05T10:00:00Z' });
    at('2026-03-10T09:00:00Z');
    const results = await Promise.allSettled([
      extendDeadline(h.ctx, r.requestId, 'alice@staff', 'complex'),
      extendDeadline(h.ctx, r.requestId, 'bob@staff', 'numerous'),
    ]);
    expect(results.filter((x) => x.status === 'fulfilled')).toHaveLength(1);
    expect(results.find((x) => x.status === 'rejected')).toMatchObject({ reason: { status: 409 } });
    expect(h.mailer.sent).toHaveLength(1);
    const trail = await h.ctx.repo.auditTrail(r.requestId);
    expect(trail.filter((e) => e.action === 'deadline.extended')).toHaveLength(1);
  });

  it('allows an extension on the due date itself, since the period ends at the end of that day', async () => {
    const r = await putRequest(h, { receivedAt: '2026-03-05T10:00:00Z' });
    at('2026-04-07T21:00:00Z'); // 23:00 in Oslo, still 7 April
    await expect(extendDeadline(h.ctx, r.requestId, 'alice@staff', 'complex')).resolves.toBeDefined();
  });

  it('refuses an extension after the original due date with 422 past_due_date', async () => {
    const r = await putRequest(h, { receivedAt: '2026-03-05T10:00:00Z' });
    at('2026-04-07T22:30:00Z'); // 00:30 on 8 April in Oslo
    await expect(extendDeadline(h.ctx, r.requestId, 'alice@staff', 'complex')).rejects.toMatchObject({
      status: 422,
      code: 'past_due_date',
    });
    expect(h.mailer.sent).toHaveLength(0);
  });

  it('refuses an extension where the law allows none (LGPD) with 422 extension_not_allowed', async () => {
    const r = await putRequest(h, { jurisdiction: 'LGPD', receivedAt: '2026-03-05T10:00:00Z' });
    at('2026-03-06T10:00:00Z');
    await expect(extendDeadline(h.ctx, r.requestId, 'alice@staff', 'complex')).rejects.toMatchObject({
      status: 422,
      code: 'extension_not_allowed',
      message: expect.stringContaining('LGPD Art. 19'),
    });
  });

  it('refuses to extend a closed request with 409 request_closed', async () => {
    const r = await putRequest(h, { status: 'completed', receivedAt: '2026-03-05T10:00:00Z', closedAt: '2026-03-09T10:00:00Z' });
    at('2026-03-10T10:00:00Z');
    await expect(extendDeadline(h.ctx, r.requestId, 'alice@staff', 'complex')).rejects.toMatchObject({
      status: 409,
      code: 'request_closed',
    });
  });

  it('refuses to extend a request nobody has verified yet with 409 not_verified, and mails nothing', async () => {
    const r = await putRequest(h, { status: 'awaiting_verification', receivedAt: '2026-03-05T10:00:00Z' });
    at('2026-03-06T10:00:00Z');
    await expect(extendDeadline(h.ctx, r.requestId, 'alice@staff', 'complex')).rejects.toMatchObject({ status: 409, code: 'not_verified' });
    expect(h.mailer.sent).toEqual([]);
    expect(staffActions(h.ctx, r, ['approver'], new Date('2026-03-06T10:00:00Z'))).not.toContain('extend');
  });

  it('does not extend when the notice cannot be sent: the claim is rolled back, on record, and a retry extends and notifies', async () => {
    const r = await putRequest(h, { receivedAt: '2026-03-05T10:00:00Z' });
    at('2026-03-20T09:00:00Z');
    h.mailer.failFor.add('subject@example.test');

    await expect(extendDeadline(h.ctx, r.requestId, 'alice@staff', 'Eleven systems')).rejects.toThrow('mail server said no');

    const after = await h.ctx.repo.get(r.requestId);
    expect(after.extension).toBeUndefined();
    expect(after.dueDate).toBe('2026-04-07');
    expect(after.openSk).toBe(`2026-04-07#${r.requestId}`);
    const trail = (await h.ctx.repo.auditTrail(r.requestId)).map((e) => e.action);
    expect(trail).toContain('deadline.extension_rolled_back');
    expect(trail).not.toContain('deadline.extended');

    h.mailer.failFor.clear();
    const retry = await extendDeadline(h.ctx, r.requestId, 'alice@staff', 'Eleven systems');
    expect(retry.request.dueDate).toBe('2026-06-05');
    expect(h.mailer.sent).toHaveLength(1);
    expect((await h.ctx.repo.auditTrail(r.requestId)).map((e) => e.action)).toEqual(
      expect.arrayContaining(['deadline.extended', 'deadline.extension_notified']),
    );
  });

  it('leaves a request that changed while the notice failed as it is, and records that the notice is owed', async () => {
    const r = await putRequest(h, { receivedAt: '2026-03-05T10:00:00Z' });
    at('2026-03-20T09:00:00Z');
    // The mail fails after the request was closed by someone else: the rollback must not reopen it.
    h.ctx.mailer = {
      send: async () => {
        await h.ctx.repo.update(r.requestId, { status: 'cancelled', closedAt: '2026-03-20T09:00:01Z' });
        throw new Error('mail server said no');
      },
    };
    try {
      await expect(extendDeadline(h.ctx, r.requestId, 'alice@staff', 'complex')).rejects.toThrow('mail server said no');
    } finally {
      h.ctx.mailer = h.mailer;
    }

    const after = await h.ctx.repo.get(r.requestId);
    expect(after.status).toBe('cancelled');
    expect(after.openPk).toBeUndefined();
    expect(after.extension).toBeDefined();
    const trail = (await h.ctx.repo.auditTrail(r.requestId)).map((e) => e.action);
    expect(trail).toContain('deadline.extension_notice_failed');
    expect(trail).not.toContain('deadline.extension_rolled_back');
  });

  it('extends a CCPA request from 45 to 90 days after receipt', async () => {
    const r = await putRequest(h, { jurisdiction: 'CCPA', receivedAt: '2026-02-02T18:00:00Z' });
    at('2026-02-20T18:00:00Z');
    const out = await extendDeadline(h.ctx, r.requestId, 'alice@staff', 'numerous');
    expect(r.dueDate).toBe('2026-03-19');
    expect(out.request.dueDate).toBe('2026-05-03');
  });
});

describe('pausing and resuming the clock', () => {
  it('moves a UK request by the paused days, recomputed from receipt, and updates the queue key', async () => {
    // Received Mon 12 Jan 2026 -> due Thu 12 Feb. Paused 20 Jan, resumed 30 Jan: 10 days.
    const r = await putRequest(h, { jurisdiction: 'UK_GDPR', receivedAt: '2026-01-12T10:00:00Z' });
    expect(r.dueDate).toBe('2026-02-12');
    at('2026-01-20T10:00:00Z');
    const paused = await pauseDeadline(h.ctx, r.requestId, 'alice@staff', 'asked which account');
    expect(paused.pause).toMatchObject({ since: '2026-01-20', by: 'alice@staff', reason: 'asked which account' });
    expect(paused.dueDate).toBe('2026-02-12');
    at('2026-01-30T15:00:00Z');
    const out = await resumeDeadline(h.ctx, r.requestId, 'bob@staff', 'staff');
    const expected = shiftDueDates(computeDeadlines({ jurisdiction: 'UK_GDPR', receivedAt: '2026-01-12T10:00:00Z' }), 10);
    expect(out.pausedDays).toBe(10);
    expect(out.totalPausedDays).toBe(10);
    expect(out.request.dueDate).toBe(expected.dueDate);
    expect(out.request.dueDate).toBe('2026-02-23'); // 22 Feb is a Sunday
    expect(out.request.extendedDueDate).toBe(expected.extendedDueDate);
    expect(out.request.openSk).toBe(`2026-02-23#${r.requestId}`);
    expect(out.request.pause).toBeUndefined();
    const actions = (await h.ctx.repo.auditTrail(r.requestId)).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['deadline.paused', 'deadline.resumed']));
  });

  it('adds up several pauses and passes the total to the engine', async () => {
    const r = await putRequest(h, { jurisdiction: 'UK_GDPR', receivedAt: '2026-01-12T10:00:00Z' });
    at('2026-01-13T10:00:00Z');
    await pauseDeadline(h.ctx, r.requestId, 'alice@staff', 'id proof');
    at('2026-01-16T10:00:00Z');
    await resumeDeadline(h.ctx, r.requestId, 'alice@staff', 'staff');
    at('2026-01-20T10:00:00Z');
    await pauseDeadline(h.ctx, r.requestId, 'alice@staff', 'clarification');
    at('2026-01-24T10:00:00Z');
    const out = await resumeDeadline(h.ctx, r.requestId, 'alice@staff', 'staff');
    expect(out.totalPausedDays).toBe(7);
    const expected = shiftDueDates(computeDeadlines({ jurisdiction: 'UK_GDPR', receivedAt: '2026-01-12T10:00:00Z' }), 7);
    expect(out.request.dueDate).toBe(expected.dueDate);
  });

  it('keeps an extended request on its extended date, moved by the pause', async () => {
    const r = await putRequest(h, { jurisdiction: 'UK_GDPR', receivedAt: '2026-01-12T10:00:00Z' });
    at('2026-01-13T10:00:00Z');
    await extendDeadline(h.ctx, r.requestId, 'alice@staff', 'complex');
    await pauseDeadline(h.ctx, r.requestId, 'alice@staff', 'clarification');
    at('2026-01-18T10:00:00Z');
    const out = await resumeDeadline(h.ctx, r.requestId, 'alice@staff', 'staff');
    const expected = shiftDueDates(computeDeadlines({ jurisdiction: 'UK_GDPR', receivedAt: '2026-01-12T10:00:00Z' }), 5);
    expect(out.request.dueDate).toBe(expected.extendedDueDate);
  });

  it('refuses to stop the clock of a GDPR request unless the installation enables it', async () => {
    const r = await putRequest(h, { receivedAt: '2026-01-12T10:00:00Z' });
    at('2026-01-13T10:00:00Z');
    await expect(pauseDeadline(h.ctx, r.requestId, 'alice@staff', 'clarification')).rejects.toMatchObject({
      status: 422,
      code: 'clock_stop_not_allowed',
      message: expect.stringContaining('deadlines.gdprClockStop'),
    });
    h.ctx.config = testConfig({ deadlines: { gdprClockStop: true } });
    await expect(pauseDeadline(h.ctx, r.requestId, 'alice@staff', 'clarification')).resolves.toMatchObject({
      pause: { since: '2026-01-13' },
    });
  });

  it('refuses to stop the clock where the law counts from receipt regardless (CCPA), with the statute', async () => {
    const r = await putRequest(h, { jurisdiction: 'CCPA', receivedAt: '2026-01-12T18:00:00Z' });
    at('2026-01-13T18:00:00Z');
    await expect(pauseDeadline(h.ctx, r.requestId, 'alice@staff', 'clarification')).rejects.toMatchObject({
      status: 422,
      code: 'clock_stop_not_allowed',
      message: expect.stringContaining('§ 7021'),
    });
  });

  it('refuses a second pause, a resume of a running clock, and a pause after the due date', async () => {
    const r = await putRequest(h, { jurisdiction: 'UK_GDPR', receivedAt: '2026-01-12T10:00:00Z' });
    at('2026-01-13T10:00:00Z');
    await expect(resumeDeadline(h.ctx, r.requestId, 'alice@staff', 'staff')).rejects.toMatchObject({ status: 409, code: 'not_paused' });
    await pauseDeadline(h.ctx, r.requestId, 'alice@staff', 'clarification');
    await expect(pauseDeadline(h.ctx, r.requestId, 'alice@staff', 'again')).rejects.toMatchObject({ status: 409, code: 'already_paused' });
    const late = await putRequest(h, { jurisdiction: 'UK_GDPR', receivedAt: '2026-01-12T10:00:00Z' });
    at('2026-02-13T10:00:00Z');
    await expect(pauseDeadline(h.ctx, late.requestId, 'alice@staff', 'late')).rejects.toMatchObject({ status: 422, code: 'past_due_date' });
  });

  it('refuses to pause a closed request', async () => {
    const r = await putRequest(h, { jurisdiction: 'UK_GDPR', status: 'cancelled', receivedAt: '2026-01-12T10:00:00Z', closedAt: '2026-01-13T10:00:00Z' });
    await expect(pauseDeadline(h.ctx, r.requestId, 'alice@staff', 'x')).rejects.toMatchObject({ status: 409, code: 'request_closed' });
  });

  it('resumes by itself when the subject replies with what was asked, attributed to the subject', async () => {
    const r = await putRequest(h, { jurisdiction: 'UK_GDPR', receivedAt: '2026-01-12T10:00:00Z' });
    at('2026-01-14T10:00:00Z');
    await pauseDeadline(h.ctx, r.requestId, 'alice@staff', 'which account?');
    at('2026-01-17T08:00:00Z');
    const out = await subjectReplied(h.ctx, r.requestId);
    expect(out.resumed).toBe(true);
    expect(out.request.pausedDays).toBe(3);
    const resumed = (await h.ctx.repo.auditTrail(r.requestId)).find((e) => e.action === 'deadline.resumed');
    expect(resumed).toMatchObject({ actor: 'subject', detail: { trigger: 'subject_reply', pausedDays: 3 } });
    const again = await subjectReplied(h.ctx, r.requestId);
    expect(again.resumed).toBe(false);
    expect(again.request.dueDate).toBe(out.request.dueDate);
  });
});

describe('the actions offered to staff agree with the actions themselves', () => {
  // For every law, with the EU clock stop on and off, before and after the due date: staffActions lists
  // extend and pause exactly when extendDeadline and pauseDeadline accept them.
  const cases = (['GDPR', 'UK_GDPR', 'CCPA', 'VCDPA', 'CPA', 'LGPD', 'PIPEDA'] as const).flatMap((jurisdiction) =>
    [false, true].flatMap((gdprClockStop) =>
      (['2026-03-10T10:00:00Z', '2026-06-30T10:00:00Z'] as const).map((now) => ({ jurisdiction, gdprClockStop, now })),
    ),
  );

  it.each(cases)('$jurisdiction, gdprClockStop $gdprClockStop, at $now', async ({ jurisdiction, gdprClockStop, now }) => {
    h.ctx.config = testConfig({ deadlines: { gdprClockStop } });
    at(now);
    const forExtend = await putRequest(h, { jurisdiction, receivedAt: '2026-03-05T10:00:00Z' });
    const forPause = await putRequest(h, { jurisdiction, receivedAt: '2026-03-05T10:00:00Z' });
    const offered = staffActions(h.ctx, forExtend, ['approver']);

    const extended = await extendDeadline(h.ctx, forExtend.requestId, 'alice@staff', 'complex').then(() => true, () => false);
    const paused = await pauseDeadline(h.ctx, forPause.requestId, 'alice@staff', 'which account?').then(() => true, () => false);

    expect({ extend: offered.includes('extend'), pause: offered.includes('pause') }).toEqual({ extend: extended, pause: paused });
  });
});
