/**
 * What a restriction request (GDPR Art. 18) keeps on its record, besides the connectors' outcomes: the
 * ground the subject gave, which pass of the act phase runs (`set`, then `lift`), when the restriction
 * was confirmed everywhere, and the notice the subject was given before it is lifted (Art. 18(3)).
 */
import type { RestrictionItem, RestrictionStatus } from '#connectors/types';
import type { RestrictionGround } from './grounds.ts';
import type { ConnectorOutcome } from '../requests/model.ts';

/** The act phase's pass: the first sets the restriction, the second (after the notice) lifts it. */
export type RestrictionPhase = 'set' | 'lift';

export interface LiftingNotice {
  /** Why the restriction ends, as staff wrote it; quoted to the subject in the notice. */
  reason: string;
  /** The day (YYYY-MM-DD) from which it is lifted, at the earliest. */
  liftOn: string;
  by: string;
  at: string;
  /** When the notice's mail went out: only then may staff lift (Art. 18(3)). */
  mailedAt?: string;
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
  /** The first pass's per-system outcomes, kept when the lift pass starts afresh in `connectors`. */
  setPass?: Record<string, ConnectorOutcome>;
}

/** What one pass of the act phase did in one system, confirmed by its read-back (counts, never data). */
export interface RestrictionOutcome {
  phase: RestrictionPhase;
  /** False where the system has no restrict capability: staff mark it by hand when it holds the subject's data. */
  applies: boolean;
  items: RestrictionItem[];
  /** The read-back (absent where nothing applies). */
  status?: RestrictionStatus[];
  /** Records staff must restrict (or lift) by hand: unmarkable ones, or all the subject's records in a system without the capability. */
  byHand: number;
  /** The follow-up task for staff, when `byHand` > 0. */
  todo?: number;
  /** When the read-back confirmed the pass. */
  confirmedAt?: string;
}

/** The pass marked (or lifted) records in this system through its own API, confirmed by the read-back. */
export function markedThroughApi(o: ConnectorOutcome): boolean {
  return o.status === 'succeeded' && Boolean(o.restriction?.applies) && o.restriction!.items.some((i) => i.records > 0);
}

/** The pass changed something for the subject in this system: marked through the API, or left to staff to mark by hand. */
export function restrictionChanged(o: ConnectorOutcome): boolean {
  return markedThroughApi(o) || (o.status === 'succeeded' && (o.restriction?.byHand ?? 0) > 0);
}
