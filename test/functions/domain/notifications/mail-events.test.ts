/** SES bounces and complaints put on the audit trail of the request their mail was about, on a real dynalite table. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { subjectHash } from '#commons/tokens';
import { recordMailEvent, type SesMailEvent } from '#domain/notifications/mail-events';
import { requestRecord, startHarness, type Harness } from '../../../support/dynalite-harness.ts';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => h?.close());

async function request() {
  const r = { ...requestRecord({ receivedAt: '2026-11-20T10:00:00Z' }), subjectHash: subjectHash('subject@example.test') };
  await h.ctx.repo.create(r);
  return r;
}

const bounce = (requestId: string | undefined, to = 'Sam Subject <Subject@Example.test>', messageId = 'ses-msg-1'): SesMailEvent => ({
  eventType: 'Bounce',
  mail: { messageId, timestamp: '2026-11-20T10:00:01Z', ...(requestId ? { tags: { requestId: [requestId], 'ses:configuration-set': ['dsar'] } } : {}) },
  bounce: { bounceType: 'Permanent', bounceSubType: 'NoEmail', timestamp: '2026-11-20T10:00:05Z', bouncedRecipients: [{ emailAddress: to }] },
});

const eventsOf = async (requestId: string, action: string) => (await h.ctx.repo.auditTrail(requestId)).filter((e) => e.action === action);

describe('recording a mail event', () => {
  it('files a bounce of the subject\'s mail as email.bounced by the system, at the time SES reports, without the address', async () => {
    const r = await request();

    const outcome = await recordMailEvent(h.ctx, bounce(r.requestId));

    expect(outcome).toEqual({ recorded: true, requestId: r.requestId, action: 'email.bounced' });
    const [event, ...more] = await eventsOf(r.requestId, 'email.bounced');
    expect(more).toHaveLength(0);
    expect(event).toMatchObject({
      actor: 'system',
      at: '2026-11-20T10:00:05.000Z',
      detail: { messageId: 'ses-msg-1', recipient: 'subject', bounceType: 'Permanent', bounceSubType: 'NoEmail', sentAt: '2026-11-20T10:00:01Z' },
    });
    expect(JSON.stringify(event)).not.toMatch(/@|Sam Subject/i);
  });

  it('files a complaint as email.complained, and tells a recipient other than the subject apart', async () => {
    const r = await request();
    const complaint: SesMailEvent = {
      eventType: 'Complaint',
      mail: { messageId: 'ses-msg-2', tags: { requestId: [r.requestId] } },
      complaint: { complaintFeedbackType: 'abuse', timestamp: '2026-11-21T08:00:00Z', complainedRecipients: [{ emailAddress: 'dpo@processor.test' }] },
    };

    await recordMailEvent(h.ctx, complaint);

    const [event] = await eventsOf(r.requestId, 'email.complained');
    expect(event).toMatchObject({ actor: 'system', detail: { messageId: 'ses-msg-2', recipient: 'other', feedbackType: 'abuse' } });
  });

  it('records the same message once when SNS delivers it twice', async () => {
    const r = await request();

    await recordMailEvent(h.ctx, bounce(r.requestId));
    const again = await recordMailEvent(h.ctx, bounce(r.requestId));
    await recordMailEvent(h.ctx, bounce(r.requestId, undefined, 'ses-msg-3'));

    expect(again).toEqual({ recorded: false, reason: 'already_recorded', requestId: r.requestId });
    expect((await eventsOf(r.requestId, 'email.bounced')).map((e) => e.detail?.messageId).sort()).toEqual(['ses-msg-1', 'ses-msg-3']); // same SES timestamp: trail order between them is arbitrary
  });

  it('records nothing for an untagged mail, an unknown request, or an event that is not a bounce or complaint', async () => {
    const r = await request();

    expect(await recordMailEvent(h.ctx, bounce(undefined))).toEqual({ recorded: false, reason: 'untagged' });
    expect(await recordMailEvent(h.ctx, bounce('dsar_unknown'))).toEqual({ recorded: false, reason: 'unknown_request', requestId: 'dsar_unknown' });
    expect(await recordMailEvent(h.ctx, { eventType: 'Reject', mail: { messageId: 'm', tags: { requestId: [r.requestId] } } })).toEqual({ recorded: false, reason: 'not_bounce_or_complaint' });
    expect((await h.ctx.repo.auditTrail(r.requestId)).filter((e) => e.action.startsWith('email.'))).toHaveLength(0);
  });
});
