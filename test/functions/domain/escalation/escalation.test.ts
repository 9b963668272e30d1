import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addCalendarDays, daysBetween } from '../../../../functions/domain/deadlines/calendar.ts';
import { computeDeadlines } from '../../../../functions/domain/deadlines/compute.ts';
import { escalate, recipientKey } from '../../../../functions/domain/escalation/index.ts';
import { todaySpan, zonesInUse } from '../../../../functions/domain/escalation/horizon.ts';
import { pauseDeadline } from '../../../../functions/domain/deadlines/ops/clock-stop.ts';
import { putRequest, startHarness, testConfig, type Harness } from '../../../support/dynalite-harness.ts';

const STAFF = ['privacy-team@example-video.test', 'second@example-video.test'];
const DPO = 'dpo@example-video.test';

let h: Harness;
beforeEach(async () => {
  h = await startHarness(testConfig({ deadlines: { gdprClockStop: true } }));
});
afterEach(async () => h?.close());

/** Noon in Oslo on `date`, `days` later. */
const noon = (date: string, days = 0) => new Date(`${addCalendarDays(date, days)}T11:00:00Z`);

async function run(now: Date) {
  h.mailer.sent = [];
  const summary = await escalate(h.ctx, { now, access: h.access });
  return { summary, sent: h.mailer.sent };
}

describe('escalation thresholds', () => {
  it('fires exactly 7, 3 and 1 days before the due date, then every day while overdue, also to the DPO', async () => {
    const due = '2026-02-20';
    const r = await putRequest(h, { receivedAt: '2026-01-20T10:00:00Z', dueDate: due });
    const firedOn: Record<number, string[][]> = {};
    for (const offset of [-9, -8, -7, -6, -5, -4, -3, -2, -1, 0, 1, 2]) {
      const { sent } = await run(noon(due, offset));
      firedOn[offset] = sent.map((m) => m.to);
      for (const m of sent) expect(m.email.text).toContain(r.requestId);
    }
    expect(Object.entries(firedOn).filter(([, to]) => to.length > 0).map(([d]) => Number(d)).sort((a, b) => a - b)).toEqual([
      -7, -3, -1, 1, 2,
    ]);
    expect(firedOn[-7]!.flat().sort()).toEqual(STAFF);
    expect(firedOn[1]!.flat().sort()).toEqual([DPO, ...STAFF].sort());
    const { sent: again } = await run(noon(due, 2));
    expect(again).toHaveLength(0);
  });

  it('says how many days are left and links the request in the console', async () => {
    const r = await putRequest(h, { receivedAt: '2026-01-20T10:00:00Z', dueDate: '2026-02-20' });
    const { sent } = await run(noon('2026-02-20', -3));
    expect(sent[0]!.email.text).toContain(`${r.requestId} (access, GDPR, in_progress): due in 3 days, on 2026-02-20.`);
    expect(sent[0]!.email.text).toContain(`https://console.example-video.test/requests/${r.requestId}`);
    expect(sent[0]!.email.text).not.toContain('Sam Subject');
    expect(sent[0]!.email.text).not.toContain('subject@example.test');
    const late = await run(noon('2026-02-20', 2));
    expect(late.sent[0]!.email.text).toContain('OVERDUE, due 2026-02-20 (2 days overdue)');
  });

  it('sends the nearest threshold only when the job missed earlier ones', async () => {
    await putRequest(h, { receivedAt: '2026-01-20T10:00:00Z', dueDate: '2026-02-20' });
    const { summary } = await run(noon('2026-02-20', -2));
    expect(summary.fired).toBe(1);
    expect((await run(noon('2026-02-20', -1))).summary.fired).toBe(1);
  });

  it('chases a moved due date afresh after an extension', async () => {
    const r = await putRequest(h, { receivedAt: '2026-01-20T10:00:00Z', dueDate: '2026-02-20' });
    await run(noon('2026-02-20', -7));
    await h.ctx.repo.update(r.requestId, { dueDate: '2026-02-27', openSk: `2026-02-27#${r.requestId}` });
    const { summary } = await run(noon('2026-02-27', -7));
    expect(summary.fired).toBe(1);
  });

  it('does not chase a request whose clock is stopped', async () => {
    const r = await putRequest(h, { jurisdiction: 'UK_GDPR', receivedAt: '2026-01-20T10:00:00Z' });
    h.clock.at = noon(r.dueDate, -10);
    await pauseDeadline(h.ctx, r.requestId, 'alice@staff', 'clarification');
    const { sent } = await run(noon(r.dueDate, -3));
    expect(sent).toHaveLength(0);
  });
});

describe('a restriction in force', () => {
  it('is not chased as overdue: its answer was given when every system confirmed it', async () => {
    const chased = await putRequest(h, { receivedAt: '2026-01-20T10:00:00Z', dueDate: '2026-02-20' });
    const restricted = await putRequest(h, { type: 'restriction', status: 'restricted', receivedAt: '2026-01-20T10:00:00Z', dueDate: '2026-02-20' });

    const { summary, sent } = await run(noon('2026-02-20', 3));

    expect(summary.overdue).toBe(1);
    const text = sent.map((m) => m.email.text).join('\n');
    expect(text).toContain(chased.requestId);
    expect(text).not.toContain(restricted.requestId);
  });
});

describe('digests', () => {
  it('sends one digest per recipient per run, to the assignee instead of the team when there is one', async () => {
    const due = '2026-02-20';
    const a = await putRequest(h, { receivedAt: '2026-01-20T10:00:00Z', dueDate: due });
    const b = await putRequest(h, { receivedAt: '2026-01-18T10:00:00Z', dueDate: '2026-02-18' });
    const c = await putRequest(h, { receivedAt: '2026-01-19T10:00:00Z', dueDate: '2026-02-19', assignee: 'owner@example-video.test' });
    const late = await putRequest(h, { receivedAt: '2026-01-10T10:00:00Z', dueDate: '2026-02-12' });
    const { sent, summary } = await run(noon(due, -3));
    const byRecipient = new Map(sent.map((m) => [m.to.join(','), m.email.text]));
    expect(sent.every((m) => m.to.length === 1)).toBe(true);
    expect([...byRecipient.keys()].sort()).toEqual([DPO, 'owner@example-video.test', ...STAFF].sort());
    for (const staff of STAFF) {
      const text = byRecipient.get(staff)!;
      for (const id of [a.requestId, b.requestId, late.requestId]) expect(text).toContain(id);
      expect(text).not.toContain(c.requestId);
    }
    expect(byRecipient.get('owner@example-video.test')).toContain(c.requestId);
    expect(byRecipient.get(DPO)).toContain(late.requestId);
    expect(byRecipient.get(DPO)).not.toContain(a.requestId);
    expect(summary).toMatchObject({ overdue: 1, fired: 4 });
  });

  it('fires each threshold once when the job runs twice in a row', async () => {
    await putRequest(h, { receivedAt: '2026-01-20T10:00:00Z', dueDate: '2026-02-20' });
    await putRequest(h, { receivedAt: '2026-01-20T10:00:00Z', dueDate: '2026-02-10' });
    const first = await run(noon('2026-02-17'));
    expect(first.sent).toHaveLength(3);
    const second = await run(new Date(noon('2026-02-17').getTime() + 3_600_000));
    expect(second.sent).toHaveLength(0);
    expect(second.summary).toMatchObject({ fired: 0, alreadyFired: 2 });
  });

  it('fires each threshold once when two runs overlap', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) ids.push((await putRequest(h, { receivedAt: '2026-01-20T10:00:00Z', dueDate: addCalendarDays('2026-02-14', i % 4) })).requestId);
    h.mailer.sent = [];
    const now = noon('2026-02-13');
    const [one, two] = await Promise.all([
      escalate(h.ctx, { now, access: h.access, concurrency: 3 }),
      escalate(h.ctx, { now, access: h.access, concurrency: 3 }),
    ]);
    expect(one.fired + two.fired).toBe(12);
    for (const staff of STAFF) {
      const text = h.mailer.sent.filter((m) => m.to.includes(staff)).map((m) => m.email.text).join('\n');
      for (const id of ids) expect(text.split(id).length - 1).toBe(2); // once in the line, once in its link
    }
  });

  it('gives a threshold back when its digest could not be sent, so the next run sends it', async () => {
    await putRequest(h, { receivedAt: '2026-01-20T10:00:00Z', dueDate: '2026-02-20', assignee: 'owner@example-video.test' });
    h.mailer.failFor.add('owner@example-video.test');
    const failed = await run(noon('2026-02-20', -3));
    expect(failed.summary).toMatchObject({ fired: 1, failedDigests: 1 });
    h.mailer.failFor.clear();
    const retried = await run(noon('2026-02-20', -3));
    expect(retried.sent.map((m) => m.to)).toEqual([['owner@example-video.test']]);
  });
});

describe('escalation to several recipients', () => {
  it('sends a recipient whose digest failed the line on the next run, and the one who got it nothing more', async () => {
    // No assignee: the privacy team's two addresses each get a digest.
    const r = await putRequest(h, { receivedAt: '2026-01-20T10:00:00Z', dueDate: '2026-02-20' });
    h.mailer.failFor.add(STAFF[1]!);

    const first = await run(noon('2026-02-20', -3));

    expect(first.sent.map((m) => m.to)).toEqual([[STAFF[0]]]);
    expect(first.summary).toMatchObject({ fired: 1, failedDigests: 1 });
    const claims = Object.keys((await h.ctx.repo.get(r.requestId)).escalations ?? {});
    expect(claims).toEqual([recipientKey('due:2026-02-20:3', STAFF[0]!)]);

    h.mailer.failFor.clear();
    const second = await run(new Date(noon('2026-02-20', -3).getTime() + 3_600_000));

    expect(second.sent.map((m) => m.to)).toEqual([[STAFF[1]]]);
    expect(second.sent[0]!.email.text).toContain(r.requestId);
    expect(second.summary).toMatchObject({ fired: 1, failedDigests: 0 });
    const third = await run(new Date(noon('2026-02-20', -3).getTime() + 7_200_000));
    expect(third.sent).toHaveLength(0);
    expect(third.summary).toMatchObject({ fired: 0, alreadyFired: 1 });
  });

  it('gives each recipient each threshold once when two runs overlap after a failure', async () => {
    const r = await putRequest(h, { receivedAt: '2026-01-20T10:00:00Z', dueDate: '2026-02-20' });
    h.mailer.failFor.add(STAFF[1]!);
    await run(noon('2026-02-20', -3));
    h.mailer.failFor.clear();
    h.mailer.sent = [];

    const now = new Date(noon('2026-02-20', -3).getTime() + 3_600_000);
    await Promise.all([escalate(h.ctx, { now, access: h.access }), escalate(h.ctx, { now, access: h.access })]);

    expect(h.mailer.sent.map((m) => m.to)).toEqual([[STAFF[1]]]);
    expect(h.mailer.sent[0]!.email.text).toContain(r.requestId);
  });

  it('treats a threshold claimed for everyone (before claims were per recipient) as sent to all', async () => {
    const r = await putRequest(h, { receivedAt: '2026-01-20T10:00:00Z', dueDate: '2026-02-20' });
    await h.ctx.repo.update(r.requestId, { escalations: { 'due:2026-02-20:3': '2026-02-17T08:00:00.000Z' } });

    const { sent, summary } = await run(noon('2026-02-20', -3));

    expect(sent).toHaveLength(0);
    expect(summary).toMatchObject({ fired: 0, alreadyFired: 1 });
  });
});

describe('acknowledgement escalation', () => {
  it('chases a CCPA request whose receipt was not acknowledged, two days before the acknowledgement date, once', async () => {
    const r = await putRequest(h, { jurisdiction: 'CCPA', receivedAt: '2026-03-02T18:00:00Z' }, false);
    const ok = await putRequest(h, { jurisdiction: 'CCPA', receivedAt: '2026-03-02T18:00:00Z' }, true);
    expect(r.acknowledgeBy).toBe('2026-03-16');
    const early = await run(new Date('2026-03-13T19:00:00Z'));
    expect(early.sent).toHaveLength(0);
    const { sent, summary } = await run(new Date('2026-03-14T19:00:00Z'));
    expect(sent.map((m) => m.to[0]).sort()).toEqual(STAFF);
    expect(sent[0]!.email.text).toContain(`${r.requestId} (access, CCPA, in_progress): receipt not yet acknowledged; acknowledgement due in 2 days, on 2026-03-16.`);
    expect(sent[0]!.email.text).not.toContain(ok.requestId);
    // Found by the bounded second query: the due date is a month away, far beyond the 7-day window.
    expect(daysBetween('2026-03-14', r.dueDate)).toBeGreaterThan(8);
    // The due window, the acknowledgements owed, and the follow-up tasks' due partition (empty here).
    expect(summary.queries).toBe(3);
    expect((await run(new Date('2026-03-15T19:00:00Z'))).sent).toHaveLength(0);
  });

  it('reads only acknowledgements still owed: acknowledged, closed and far-off ones are not in the index it reads', async () => {
    const owed = await putRequest(h, { jurisdiction: 'CCPA', receivedAt: '2026-03-02T18:00:00Z' }, false);
    for (let i = 0; i < 5; i++) await putRequest(h, { jurisdiction: 'CCPA', receivedAt: '2026-03-02T18:00:00Z' }, true);
    const later = await putRequest(h, { jurisdiction: 'CCPA', receivedAt: '2026-03-20T18:00:00Z' }, false);
    const closed = await putRequest(h, { jurisdiction: 'CCPA', receivedAt: '2026-03-02T18:00:00Z' }, false);
    await h.ctx.repo.update(closed.requestId, { status: 'cancelled', closedAt: '2026-03-03T10:00:00Z' });

    const { summary, sent } = await run(new Date('2026-03-14T19:00:00Z'));
    expect(summary.reads[1]).toMatchObject({ itemsRead: 1, itemsReturned: 1 });
    expect(sent[0]!.email.text).toContain(owed.requestId);
    expect(sent[0]!.email.text).not.toContain(later.requestId);
  });

  it('takes a request out of the ack-pending index when the receipt mail went out', async () => {
    const r = await putRequest(h, { jurisdiction: 'CCPA', receivedAt: '2026-03-02T18:00:00Z' }, false);
    await h.ctx.repo.update(r.requestId, { acknowledgedAt: '2026-03-03T10:00:00Z' });

    const { summary, sent } = await run(new Date('2026-03-14T19:00:00Z'));
    expect(summary.reads[1]).toMatchObject({ itemsRead: 0 });
    expect(sent).toHaveLength(0);
    expect(await h.ctx.repo.get(r.requestId)).not.toHaveProperty('ackPk');
  });
});

describe('reading the open index only', () => {
  it('reads the requests inside the windows and none of those due later or closed', async () => {
    for (let i = 0; i < 15; i++) await putRequest(h, { receivedAt: '2026-01-20T10:00:00Z', dueDate: addCalendarDays('2026-05-01', i) });
    for (let i = 0; i < 5; i++) await putRequest(h, { status: 'completed', receivedAt: '2026-01-20T10:00:00Z', dueDate: '2026-02-18', closedAt: '2026-02-01T10:00:00Z' });
    await putRequest(h, { receivedAt: '2026-01-20T10:00:00Z', dueDate: '2026-02-18' });
    await putRequest(h, { receivedAt: '2026-01-20T10:00:00Z', dueDate: '2026-02-22' });
    const { summary } = await run(noon('2026-02-16'));
    expect(summary.itemsRead).toBe(2);
    expect(summary.fired).toBe(2);
  });

  it('reads no due date past the largest threshold in the zones in use, not a day of margin for every zone', async () => {
    const inside = await putRequest(h, { receivedAt: '2026-01-20T10:00:00Z', dueDate: '2026-02-23' });
    await putRequest(h, { receivedAt: '2026-01-20T10:00:00Z', dueDate: '2026-02-24' });
    const { summary, sent } = await run(noon('2026-02-16'));
    expect(summary.reads[0]).toMatchObject({ itemsRead: 1 });
    expect(sent[0]!.email.text).toContain(inside.requestId);
  });

  it('reads the next day too once it is the next day in one of the zones in use', async () => {
    await putRequest(h, { receivedAt: '2026-01-20T10:00:00Z', dueDate: '2026-02-23' });
    await putRequest(h, { receivedAt: '2026-01-20T10:00:00Z', dueDate: '2026-02-24' });
    // 23:30 UTC on the 16th is the 17th in Oslo and Athens (and still the 16th in Dublin).
    const { summary } = await run(new Date('2026-02-16T23:30:00Z'));
    expect(summary.reads[0]).toMatchObject({ itemsRead: 2 });
  });
});

describe('the time zones in use', () => {
  it('are the zones of the default law\'s countries when subjects do not choose the law', () => {
    const zones = zonesInUse(testConfig(), new Date('2026-02-16T12:00:00Z'));
    expect(zones).toContain('Europe/Oslo');
    expect(zones).toContain('Europe/Athens');
    expect(zones).not.toContain('America/Los_Angeles');
  });

  it('include every law\'s zones when subjects choose the law', () => {
    const config = testConfig({ jurisdictions: { default: 'GDPR', defaultCountry: 'NO', askSubject: true } });
    expect(zonesInUse(config, new Date('2026-02-16T12:00:00Z'))).toEqual(expect.arrayContaining(['Europe/Oslo', 'Europe/London', 'America/Los_Angeles', 'America/New_York']));
  });

  it('span the earliest and the latest date it is in them', () => {
    expect(todaySpan(['Europe/Dublin', 'Europe/Oslo', 'Europe/Athens'], new Date('2026-02-16T23:30:00Z'))).toEqual({ earliest: '2026-02-16', latest: '2026-02-17' });
  });
});
