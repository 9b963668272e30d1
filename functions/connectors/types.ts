/**
 * The one connector interface (DESIGN section 4). Every system that holds personal data, the company's
 * own stores and the SaaS vendors alike, is reached through it, so the workflow has no special cases.
 */
import type { ConnectorConfig, ErasurePolicy, Origin } from '#commons/config';

/** Who the request is about, as far as connectors need to know. */
export interface Subject {
  /** The address the subject gave and verified, as typed (trimmed). */
  email: string;
  /** Lower-cased, trimmed: what lookups compare against. */
  normalizedEmail: string;
  name?: string;
  /**
   * Identifiers resolved before the connectors ran (connector id -> attribute -> values), for systems
   * keyed by an id the company holds rather than by email (Google Analytics, per-user S3 prefixes).
   * An erasure resolves them first and keeps them, because erasing the account store in parallel
   * would otherwise leave nothing to find the other systems' records by.
   */
  identifiers?: Record<string, Record<string, string[]>>;
}

/** One record of the subject's data, as it goes into the export. */
export interface DataRecord {
  /** Object (table, sobject, resource) the record belongs to, e.g. `Contact`, `charges`, `calls`. */
  object: string;
  /** Stable id of the record inside its system. */
  id: string;
  /** The record's fields, flat or nested JSON. */
  data: Record<string, unknown>;
  /** Origin of the whole record where the connector knows better than configuration. */
  origin?: Origin;
}

export interface ConnectorContext {
  requestId: string;
  /** Aborted when the workflow gives up on the connector (timeout). */
  signal?: AbortSignal;
  /**
   * Progress of an erasure: `erase` calls it with an object's item(s) as soon as that object's work is
   * done (and, where a connector can tell, with what it changed before failing part-way), so the erase
   * step can keep what an interrupted run did: a later run finds those records gone and says not found.
   * Not called by `access`. The items are the same as in `erase`'s result; `erase` still returns them all.
   */
  erased?(item: ErasureItem): Promise<void>;
}

export type ErasureAction = 'deleted' | 'anonymized' | 'retained' | 'not_found';

export interface ErasureItem {
  object: string;
  action: ErasureAction;
  count: number;
  legalBasis?: string;
  retentionPeriod?: string;
  /** A catalogue key for the reason in the subject's language (see `Retention.reason` in records.ts). */
  reason?: string;
  /**
   * On an `anonymized` item: these are records also reported `retained` (masked, then kept), so the
   * subject's report counts them once, as kept.
   */
  alsoRetained?: boolean;
  /**
   * The vendor accepted the deletion and finishes it on its own schedule (HubSpot purges a GDPR-deleted
   * contact within 30 days, Google Analytics deletes within about two months): the records count as
   * deleted for the workflow, and the report says "submitted; <vendor> completes it within N days" rather
   * than "deleted". `withinDays` is the vendor's documented limit.
   */
  completion?: ErasureCompletion;
}

export interface ErasureCompletion {
  vendor: string;
  withinDays: number;
}

export interface ErasureOutcome {
  connectorId: string;
  items: ErasureItem[];
}

/** How many of the subject's records each object (table, sobject, resource) holds. */
export type ObjectCounts = Record<string, number>;
/** What a marketing suppression did in one object of a system (counts, never data). */
export interface SuppressionItem {
  /** Where the preference lives: `subscription_preferences`, `Contact`, `Lead`, `Individual`, `account`. */
  object: string;
  /** The subject's records now marked as not wanting marketing, whether this run or an earlier one marked them. */
  suppressed: number;
}

/** The read-back of a suppression: of the subject's records in one object, how many are opted out and how many still allow marketing. */
export interface MarketingStatus {
  object: string;
  optedOut: number;
  allowed: number;
}

/**
 * The optional capability of a system that markets (an objection to marketing, a withdrawal of consent,
 * a CCPA opt-out of sale or sharing). Both calls find the subject as `access` does; a subject the system
 * does not hold gives no items. Systems that do not market (payments, analytics, call history) have none.
 */
export interface MarketingCapability {
  /** Marks every record of the subject as not wanting marketing. Idempotent: opted out stays opted out. */
  suppress(subject: Subject, ctx: ConnectorContext): Promise<SuppressionItem[]>;
  /** Reads the marks back, as a separate read, so the workflow confirms what `suppress` claimed. */
  status(subject: Subject, ctx: ConnectorContext): Promise<MarketingStatus[]>;
}

/** What setting or lifting a restriction did in one object of a system (counts, never data). */
export interface RestrictionItem {
  /** Where the mark lives: `Individual`, `account`. */
  object: string;
  /** The subject's records in the object now as asked (restricted after `set`, free after `lift`), whether this run or an earlier one made them so. */
  records: number;
}

/**
 * The read-back of a restriction: of the subject's records in one object, how many carry the mark and
 * how many do not; `unmarkable`: records of the subject the system holds but cannot mark (a Salesforce
 * Contact with no Individual), which staff restrict by hand.
 */
export interface RestrictionStatus {
  object: string;
  restricted: number;
  unrestricted: number;
  unmarkable?: number;
}

/**
 * The optional capability of a system that can mark a person's data as restricted (GDPR Art. 18): while
 * marked, the system's own processes leave the data alone except to store it. All three calls find the
 * subject as `access` does; a subject the system does not hold gives no items. `set` and `lift` are
 * idempotent, never create a record, and `status` is a separate read the workflow confirms them by.
 */
export interface RestrictCapability {
  set(subject: Subject, ctx: ConnectorContext): Promise<RestrictionItem[]>;
  lift(subject: Subject, ctx: ConnectorContext): Promise<RestrictionItem[]>;
  status(subject: Subject, ctx: ConnectorContext): Promise<RestrictionStatus[]>;
}

/**
 * The fields a subject may ask to have corrected (GDPR Art. 16, CCPA §1798.106 / 11 CCR §7023), in the
 * product's own words; each connector maps them to its own fields (Stripe `phone`, HubSpot `phone`,
 * Salesforce `Phone`, the account store's configured attribute).
 */
export const RECTIFIABLE_FIELDS = ['name', 'email', 'phone', 'address'] as const;
export type RectifiableField = (typeof RECTIFIABLE_FIELDS)[number];

/** A postal address as the subject and staff see it; connectors map it to their own shape. */
export interface PostalAddress {
  line1?: string;
  line2?: string;
  postalCode?: string;
  city?: string;
  region?: string;
  /** ISO 3166-1 alpha-2 where the system stores a code. */
  country?: string;
}

export type FieldValueData = string | PostalAddress;

/** The current value of one rectifiable field on one of the subject's records. */
export interface FieldValue {
  /** Object (table, sobject, resource) of the record, e.g. `customers`, `contacts`, `Contact`. */
  object: string;
  /** The record's id inside its system. */
  recordId: string;
  field: RectifiableField;
  /** The system's own name of the field (`phone`, `Phone`, `MobilePhone`): shown to staff. */
  systemField: string;
  /** Null when the record has no value for the field. */
  value: FieldValueData | null;
}

/** A correction staff chose for one field of one record. */
export interface Correction {
  object: string;
  recordId: string;
  field: RectifiableField;
  value: FieldValueData;
}

/** What a correction did: `not_found` when the record is gone (erased or merged meanwhile). */
export interface RectificationItem {
  object: string;
  recordId: string;
  field: RectifiableField;
  status: 'corrected' | 'not_found';
}

/**
 * The optional capability of a system whose records a subject may have corrected. Both calls find the
 * subject as `access` does; `apply` changes only the named records and fields, never creates a record,
 * and is idempotent (setting a value twice is harmless). The workflow reads back with `current`.
 */
export interface RectifyCapability {
  /** The current values of `fields` on every record of the subject (one entry per record and field). */
  current(subject: Subject, fields: readonly RectifiableField[], ctx: ConnectorContext): Promise<FieldValue[]>;
  /** Writes the corrections, each to its record; a correction for a record that no longer exists is `not_found`. */
  apply(subject: Subject, corrections: readonly Correction[], ctx: ConnectorContext): Promise<RectificationItem[]>;
}

/** What policy applies to an object, resolved from configuration. */
export type PolicyFor = (object: string) => ErasurePolicy;

export interface Connector {
  readonly id: string;
  readonly config: ConnectorConfig;
  /**
   * Whether running `access` after `erase` shows if the erasure worked. False for systems that only
   * accept deletion requests and cannot be read back per person (Google Analytics): their erasure is
   * reported as submitted, not as confirmed.
   */
  readonly erasureVerifiable?: boolean;
  access(subject: Subject, ctx: ConnectorContext): AsyncIterable<DataRecord>;
  /**
   * Count-only lookup, for systems that can count the subject's records without sending them (a
   * DynamoDB query with `Select: COUNT`): object -> number. Optional: without it, discovery runs `access`
   * into a counting sink (discovery.ts), which is the same lookup and keeps nothing.
   */
  countOnly?(subject: Subject, ctx: ConnectorContext): Promise<ObjectCounts>;
  erase(subject: Subject, policy: PolicyFor, ctx: ConnectorContext): Promise<ErasureOutcome>;
  /** Present where the system markets to people: the act step of a marketing opt-out uses it. */
  readonly marketing?: MarketingCapability;
  /** Present where the subject's fields can be corrected: the act step of a rectification uses it. */
  readonly rectify?: RectifyCapability;
  /** Present where the system can mark a person's data restricted (Art. 18): the act step of a restriction uses it. */
  readonly restrict?: RestrictCapability;
}

/** What a connector may use besides its own configuration; given by the registry. */
export interface ConnectorDeps {
  /**
   * Identifiers the subject has in another connector's system, for systems keyed by an id the company
   * holds (Google Analytics user id, per-user S3 prefix): runs that connector's lookup and returns the
   * distinct values of `attribute` in its records. Empty when the subject is not there.
   */
  resolveIdentifier(subject: Subject, connectorId: string, attribute: string, ctx: ConnectorContext): Promise<string[]>;
  /** The named credentials (Secrets Manager on AWS; a local file or environment in the embedded runtime). */
  credentials(name: string): Promise<Record<string, string>>;
}
