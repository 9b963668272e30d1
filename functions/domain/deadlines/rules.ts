/**
 * What each law allows, as the rest of the product needs it (workflow, notices, the console).
 * Sources: /work/shared/research/law.md.
 */
import type { Jurisdiction } from '#commons/config';

export type ClockStop = 'always' | 'by_configuration' | 'never';

export interface JurisdictionRule {
  /** Whether the controller may extend the period once, with notice inside the first period. */
  extensionAllowed: boolean;
  /**
   * Whether the clock may be paused while waiting for identity or clarification: the UK Act says so;
   * for the EU GDPR only EDPB guidance (01/2022 §159) permits it, so an installation opts in; the
   * US, Brazilian and Canadian laws count from receipt regardless.
   */
  clockStopAllowed: ClockStop;
  /** Short citation shown to staff and in notices. */
  statute: string;
}

export const jurisdictionRules: Readonly<Record<Jurisdiction, JurisdictionRule>> = {
  GDPR: { extensionAllowed: true, clockStopAllowed: 'by_configuration', statute: 'GDPR Art. 12(3)' },
  UK_GDPR: { extensionAllowed: true, clockStopAllowed: 'always', statute: 'UK GDPR Art. 12(3), 12A' },
  CCPA: { extensionAllowed: true, clockStopAllowed: 'never', statute: 'Cal. Code Regs. tit. 11, § 7021' },
  VCDPA: { extensionAllowed: true, clockStopAllowed: 'never', statute: 'Va. Code § 59.1-577' },
  CPA: { extensionAllowed: true, clockStopAllowed: 'never', statute: 'Colo. Rev. Stat. § 6-1-1306' },
  LGPD: { extensionAllowed: false, clockStopAllowed: 'never', statute: 'LGPD Art. 19' },
  PIPEDA: { extensionAllowed: true, clockStopAllowed: 'never', statute: 'PIPEDA s. 8(3)-(4)' },
};
