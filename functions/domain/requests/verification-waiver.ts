/**
 * The one request type that needs no proof beyond the address: a marketing opt-out. It only narrows what
 * the company does (no data goes anywhere), so the worst an impostor achieves is that someone gets no
 * marketing mail; the rate limits on intake and on mails per address still apply. Under the CCPA the
 * code may not be asked at all (11 CCR §7026(d): nothing beyond what is needed to act on the request);
 * elsewhere `verification.marketing_opt_out` decides (docs/marketing-opt-out.md, "Verification").
 */
import type { DsarConfig } from '#commons/config';
import type { RequestRecord, VerificationWaiver } from './model.ts';

/** Why this request goes ahead without the code, or undefined when it must wait for it. */
export function verificationWaiver(config: Pick<DsarConfig, 'verification'>, r: Pick<RequestRecord, 'type' | 'jurisdiction'>): VerificationWaiver | undefined {
  if (r.type !== 'marketing_opt_out') return undefined;
  if (r.jurisdiction === 'CCPA') return 'law';
  return config.verification.marketing_opt_out === 'none' ? 'configuration' : undefined;
}

/** Whether the request may act on marketing flags: its code was entered, or the code was waived. */
export function mayActOnAddress(r: Pick<RequestRecord, 'verification' | 'verificationWaived'>): boolean {
  return Boolean(r.verification?.verifiedAt || r.verificationWaived);
}
