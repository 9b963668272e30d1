/**
 * The per-recipient limit on mails anonymous callers can cause. Anyone can file requests in someone
 * else's name, so without it forty filings send the victim forty acknowledgements and forty codes from
 * the company's real sender. Past the limit such a mail is dropped: the caller that caused it is told
 * nothing (its answer is the same either way, so nothing about the address leaks), the request's audit
 * trail records the drop for staff, and a metric counts it. Mails without a `volume` (those that follow
 * a verified request or a staff action) pass untouched.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { DsarConfig } from '#commons/config';
import { logger, metrics } from '#commons/observability';
import { allowMail, type RateCounters } from '../rate-limits/index.ts';
import type { MailTags, Mailer } from './mailer.ts';
import type { Email, MailVolume } from './compose.ts';

export interface DroppedMail {
  requestId?: string;
  volume: MailVolume;
  /** Which configured limit refused it (`rateLimits.<name>`). */
  limit: string;
  retryAfterSeconds: number;
}

export class RecipientLimitedMailer implements Mailer {
  constructor(
    private readonly inner: Mailer,
    private readonly counters: RateCounters,
    private readonly config: DsarConfig,
    /** Records the drop where staff see it (the request's audit trail). */
    private readonly onDropped: (dropped: DroppedMail) => Promise<void>,
  ) {}

  async send(to: string | string[], email: Email, tags: MailTags = {}): Promise<string | undefined> {
    // Limited mails go to the one address a subject gave; lists are staff's own addresses.
    if (!email.volume || Array.isArray(to)) return this.inner.send(to, email, tags);
    const allowance = await allowMail(this.counters, this.config, to, email.volume);
    if (allowance.allowed) return this.inner.send(to, email, tags);

    const dropped: DroppedMail = {
      ...(tags.requestId ? { requestId: tags.requestId } : {}),
      volume: email.volume,
      limit: allowance.limit ?? 'mailsPerRecipient',
      retryAfterSeconds: allowance.retryAfterSeconds,
    };
    logger.warn('mail dropped by the per-recipient limit', { ...dropped });
    const metric = metrics.singleMetric();
    metric.addDimension('volume', email.volume);
    metric.addMetric('MailsDropped', MetricUnit.Count, 1);
    await this.onDropped(dropped);
    return undefined;
  }
}
