/**
 * Bounces and complaints that SES reports through the configuration set, put on the audit trail of the
 * request the mail was about (the mailer tags every mail with its request id). Staff then see in the
 * console that a message, perhaps a statutory one, did not reach its recipient. The trail says whether
 * that recipient was the data subject by comparing hashes, so no address is written or logged.
 */
import { logger } from '#commons/observability';
import { subjectHash } from '#commons/tokens';
import type { AppContext } from '../context.ts';
import { normalizeEmail } from '../requests/model.ts';
import { REQUEST_ID_TAG } from './mailer.ts';

/** The parts of an SES event-publishing record (https://docs.aws.amazon.com/ses/latest/dg/event-publishing-retrieving-sns-contents.html) this reads. */
export interface SesMailEvent {
  eventType: string;
  mail: { messageId: string; timestamp?: string; tags?: Record<string, string[]> };
  bounce?: { bounceType?: string; bounceSubType?: string; timestamp?: string; bouncedRecipients?: Array<{ emailAddress: string }> };
  complaint?: { complaintFeedbackType?: string; timestamp?: string; complainedRecipients?: Array<{ emailAddress: string }> };
}

export type MailEventOutcome =
  | { recorded: true; requestId: string; action: MailEventAction }
  | { recorded: false; reason: 'not_bounce_or_complaint' | 'untagged' | 'unknown_request' | 'already_recorded'; requestId?: string };

export type MailEventAction = 'email.bounced' | 'email.complained';

const ACTIONS: Record<string, MailEventAction> = { Bounce: 'email.bounced', Complaint: 'email.complained' };

/** Records one SES bounce or complaint on its request's audit trail, once per message and kind. */
export async function recordMailEvent(ctx: Pick<AppContext, 'repo' | 'clock'>, event: SesMailEvent): Promise<MailEventOutcome> {
  const action = ACTIONS[event.eventType];
  // Rejects and rendering failures still reach the alarm topic; they are not about a recipient.
  if (!action) return { recorded: false, reason: 'not_bounce_or_complaint' };
  const requestId = event.mail.tags?.[REQUEST_ID_TAG]?.[0];
  if (!requestId) {
    // A staff digest about several requests, or mail sent before tagging: the alarm still fires.
    logger.info('mail event without a request id', { eventType: event.eventType, messageId: event.mail.messageId });
    return { recorded: false, reason: 'untagged' };
  }
  const request = await ctx.repo.find(requestId);
  if (!request) {
    logger.warn('mail event for an unknown request', { requestId, eventType: event.eventType });
    return { recorded: false, reason: 'unknown_request', requestId };
  }
  // SNS delivers at least once: the same message's event must not appear twice on the trail.
  const trail = await ctx.repo.auditTrail(requestId);
  if (trail.some((e) => e.action === action && e.detail?.messageId === event.mail.messageId)) {
    return { recorded: false, reason: 'already_recorded', requestId };
  }
  const recipients =
    event.eventType === 'Bounce'
      ? (event.bounce?.bouncedRecipients ?? []).map((r) => r.emailAddress)
      : (event.complaint?.complainedRecipients ?? []).map((r) => r.emailAddress);
  // The subject, or someone else the request's mail went to (staff, a processor told under Art. 19).
  const toSubject = recipients.some((address) => subjectHash(normalizeEmail(bareAddress(address))) === request.subjectHash);
  const detail: Record<string, unknown> = {
    messageId: event.mail.messageId,
    recipient: toSubject ? 'subject' : 'other',
    ...(event.mail.timestamp ? { sentAt: event.mail.timestamp } : {}),
  };
  if (event.eventType === 'Bounce') {
    Object.assign(detail, {
      bounceType: event.bounce?.bounceType ?? 'Undetermined',
      ...(event.bounce?.bounceSubType ? { bounceSubType: event.bounce.bounceSubType } : {}),
    });
  } else if (event.complaint?.complaintFeedbackType) {
    detail.feedbackType = event.complaint.complaintFeedbackType;
  }
  // The trail is ordered by time: the event is filed when it happened, not when SNS delivered it.
  const reported = new Date(event.bounce?.timestamp ?? event.complaint?.timestamp ?? Number.NaN);
  await ctx.repo.audit(requestId, 'system', action, detail, Number.isNaN(reported.getTime()) ? ctx.clock.now() : reported);
  logger.info('mail event recorded', { requestId, action, recipient: detail.recipient });
  return { recorded: true, requestId, action };
}

/** `Alice <alice@example.com>` -> `alice@example.com`; SES reports recipients either way. */
function bareAddress(address: string): string {
  const m = /<([^>]+)>\s*$/.exec(address);
  return m ? m[1]! : address;
}
