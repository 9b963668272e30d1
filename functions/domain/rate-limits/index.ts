/**
 * The product's rate limits, one home: per client IP on the public endpoints an anonymous caller can
 * spray, and per recipient address on the mails such a caller can cause (./counters.ts counts both).
 */
import type { DsarConfig } from '#commons/config';
import { RateLimited } from '#commons/errors';
import type { MailVolume } from '../notifications/compose.ts';
import { normalizeEmail } from '../requests/model.ts';
import { hashKey, type Allowance, type RateCounters } from './counters.ts';

export { RateCounters, hashKey, type Allowance } from './counters.ts';

export type ClientRoute = keyof DsarConfig['rateLimits']['perClientIp'];

/** `::ffff:203.0.113.9` and `203.0.113.9` are one client; IPv6 compares in lower case. */
export function normalizeIp(ip: string): string {
  const trimmed = ip.trim().toLowerCase();
  return trimmed.startsWith('::ffff:') && trimmed.includes('.') ? trimmed.slice(7) : trimmed;
}

/** Counts one call of `route` from `ip`; past the limit a 429 that says when to come back. */
export async function admitClient(counters: RateCounters, config: DsarConfig, route: ClientRoute, ip: string): Promise<void> {
  const allowance = await counters.take(`ip-${route}`, hashKey('ip', normalizeIp(ip)), config.rateLimits.perClientIp[route]);
  if (!allowance.allowed) {
    throw new RateLimited(allowance.retryAfterSeconds, `too many requests from your network; try again in ${allowance.retryAfterSeconds} seconds`);
  }
}

/**
 * Whether one more mail of `volume` may go to `address` now. A duplicate notice first takes from its
 * own budget (so repeated duplicate filings collapse into one notice), then from the address's budget
 * of mails anonymous callers can cause; a refusal by the first leaves the second untouched.
 */
export async function allowMail(counters: RateCounters, config: DsarConfig, address: string, volume: MailVolume): Promise<Allowance & { limit?: string }> {
  const key = hashKey('recipient', normalizeEmail(address));
  const { duplicateNoticesPerRecipient, mailsPerRecipient } = config.rateLimits;
  if (volume === 'duplicate-notice') {
    const notice = await counters.take('mail-duplicate', key, duplicateNoticesPerRecipient);
    if (!notice.allowed) return { ...notice, limit: 'duplicateNoticesPerRecipient' };
  }
  const mail = await counters.take('mail', key, mailsPerRecipient);
  return mail.allowed ? mail : { ...mail, limit: 'mailsPerRecipient' };
}
