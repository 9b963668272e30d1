/**
 * Processor mode: is the subject a resale partner's end user? The company is then the partner's
 * processor (GDPR Art. 28(3)(e); a CCPA service provider, 11 CCR §7051): the partner is the controller and
 * answers the request; the company assists it and releases nothing on its own.
 *
 * Matching reads only what the company holds already (the address on the request, an attribute of the
 * subject's own account) and sends nothing anywhere: what it finds is the partner's id.
 */
import type { DsarConfig, PartnerConfig } from '#commons/config';
import type { PartnerMark, RequestRecord } from '../requests/model.ts';

/** The once-per-request key of the mail that sends the request to the partner (../notifications/once.ts). */
export const PARTNER_MAIL = 'partner-forward';

export interface PartnerMatch {
  partner: PartnerConfig;
  by: PartnerMark['by'];
}

/** Reads the distinct values of `attribute` on the subject's records in a connector (empty: not there). */
export type AttributeLookup = (connectorId: string, attribute: string) => Promise<string[]>;

/** The domain of an address, lower case; '' when there is none. */
function domainOf(email: string): string {
  const at = email.lastIndexOf('@');
  return at < 0 ? '' : email.slice(at + 1).trim().toLowerCase().replace(/\.$/, '');
}

/** Whether `domain` is `listed` or one of its subdomains (never a look-alike such as `xlisted`). */
function inDomain(domain: string, listed: string): boolean {
  return domain === listed || domain.endsWith(`.${listed}`);
}

/** The first partner (in configuration order) whose email domains cover the address. */
export function matchByDomain(partners: readonly PartnerConfig[], email: string): PartnerMatch | undefined {
  const domain = domainOf(email);
  if (!domain) return undefined;
  const partner = partners.find((p) => p.recognise.emailDomains?.some((d) => inDomain(domain, d.toLowerCase())));
  return partner ? { partner, by: 'email_domain' } : undefined;
}

/**
 * The partner the subject belongs to, if any: by email domain first (no lookup needed), then by the
 * account attribute. Each connector attribute is read once, however many partners name it.
 */
export async function matchPartner(config: Pick<DsarConfig, 'partners'>, email: string, lookup: AttributeLookup): Promise<PartnerMatch | undefined> {
  const byDomain = matchByDomain(config.partners, email);
  if (byDomain) return byDomain;
  const read = new Map<string, Promise<string[]>>();
  for (const partner of config.partners) {
    const attr = partner.recognise.accountAttribute;
    if (!attr) continue;
    const key = `${attr.connectorId}\u0000${attr.name}`;
    if (!read.has(key)) read.set(key, lookup(attr.connectorId, attr.name));
    if ((await read.get(key)!).includes(attr.value)) return { partner, by: 'account_attribute' };
  }
  return undefined;
}

/**
 * Whether the request must wait for staff as a partner's: matched, and neither overridden by staff
 * nor instructed by the partner.
 */
export function partnerHold(r: { partner?: PartnerMark }): boolean {
  return Boolean(r.partner && !r.partner.override && !r.partner.instruction);
}

/** The configured partner a request was matched to; an error when the configuration no longer has it. */
export function partnerOf(config: Pick<DsarConfig, 'partners'>, r: Pick<RequestRecord, 'requestId' | 'partner'>): PartnerConfig {
  const partner = r.partner && config.partners.find((p) => p.id === r.partner!.id);
  if (!partner) throw new Error(`request ${r.requestId} names partner ${r.partner?.id ?? '(none)'}, which the configuration does not list`);
  return partner;
}

/** Whether a forwarded request can still be reopened on the partner's instruction (../requests/partner-actions.ts). */
export function reopenable(r: Pick<RequestRecord, 'status' | 'partner' | 'subjectPurgedAt'>): boolean {
  return r.status === 'forwarded' && Boolean(r.partner?.forwarded) && !r.partner?.instruction && !r.subjectPurgedAt;
}

/**
 * The once-per-request key of the closing mail (../notifications/once.ts): a request reopened on the
 * partner's instruction after it was forwarded closes a second time, and the subject must hear of that
 * close too (the first key is taken by the forward notice).
 */
export function closingMailKey(r: Pick<RequestRecord, 'partner'>, base: string): string {
  return r.partner?.forwarded && r.partner.instruction ? `${base}-assisted` : base;
}
