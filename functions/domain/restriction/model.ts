/**
 * What a restriction request (GDPR Art. 18) keeps on its record, besides the connectors' outcomes: the
 * ground the subject gave, which pass of the act phase runs (`set`, then `lift`), when the restriction
 * was confirmed everywhere, and the notice the subject was given before it is lifted (Art. 18(3)).
 */
import type { RestrictionGround } from './grounds.ts';

/** The act phase's pass: the first sets the restriction, the second (after the notice) lifts it. */
export type RestrictionPhase = 'set' | 'lift';

export interface LiftingNotice {
  /** Why the restriction ends, as staff wrote it; quoted to the subject in the notice. */
  reason: string;
  /** The day (YYYY-MM-DD) from which it is lifted, at the earliest. */
  liftOn: string;
  by: string;
  at: string;
}

export interface RestrictionOnRecord {
  ground?: RestrictionGround;
  phase: RestrictionPhase;
  /** When every system's read-back confirmed the restriction (the statutory answer). */
  confirmedAt?: string;
  /** The subject was told the restriction will be lifted: required before `lift`. */
  notice?: LiftingNotice;
  /** Who lifted it, and when the lift pass began. */
  lifted?: { by: string; at: string };
}
