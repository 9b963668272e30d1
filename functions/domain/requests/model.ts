/**
 * The request record and its neighbours in the single table (DESIGN section 3).
 *
 * | item        | pk           | sk                        |
 * |-------------|--------------|---------------------------|
 * | request     | REQ#<id>     | META                      |
 * | connector outcome | REQ#<id> | META#CONN#<connectorId> (read with the request: RequestRecord.connectors) |
 * | audit event | REQ#<id>     | EVT#<iso time>#<seq>      |
 * | task token  | REQ#<id>     | TASK#<kind>               |
 * | download    | REQ#<id>     | DL                        |
 * | preview     | REQ#<id>     | PREVIEW                   |
 * | subject lock| LOCK#<type>#<subject hash> | LOCK        |
 * | idempotency | IDEM#<hash of the key>     | IDEM        |
 *
 * Indexes: `open-by-due` (openPk = 'OPEN' while the request is open, openSk = `<dueDate>#<id>`),
 * `by-subject` (subjectHash = hash of the normalised email, sk = receivedAt; also the staff search by email
 * and a subject's history), `by-year` (receivedYear,
 * sk = receivedAt) for the yearly metrics, `purge-by-date`
 * (purgePk = 'PURGE' once closed, purgeAfter = when the subject's fields are hashed; also the staff list
 * of closed requests, newest first), and `ack-pending`
 * (ackPk = 'ACK' while an acknowledgement date is set and the acknowledgement has not gone out,
 * ackSk = `<acknowledgeBy>#<id>`; sparse, so the escalation job reads only what it may chase), and
 * `open-by-status` (queueStatus = the status while open, sk = openSk; keys, type and jurisdiction only):
 * the staff queue filtered by status.
 *
 * Each index carries only what its queries read (infra/table.ts): by-subject and by-year keys only,
 * the others the attributes listed below. Readers that show requests in full read them from the table
 * after the index query, one page at a time (repository.ts readInFull).
 */
import type { RequestedRectification } from '../rectification/requested.ts';
import type { ErasurePolicy, Jurisdiction, RequestType } from '#commons/config';
import type { ErasureItem, RectificationItem, SuppressionItem } from '#connectors/types';
import type { Art19Action, Art19Outcome } from '../art19/recipients.ts';
import type { RestrictionOnRecord, RestrictionOutcome } from '../restriction/model.ts';

export const OPEN_INDEX = 'open-by-due';
export const SUBJECT_INDEX = 'by-subject';
export const PURGE_INDEX = 'purge-by-date';
export const YEAR_INDEX = 'by-year';
export const ACK_INDEX = 'ack-pending';
export const STATUS_INDEX = 'open-by-status';

/**
 * What the escalation job reads of a request (never the subject's address or name): the projection of
 * the index it queries, so nothing else is copied into it on each write.
 */
export const ESCALATION_ATTRIBUTES = [
  'requestId',
  'type',
  'status',
  'jurisdiction',
  'country',
  'receivedAt',
  'dueDate',
  'acknowledgeBy',
  'acknowledgedAt',
  'assignee',
  'pause',
  'escalations',
  'openPk',
] as const;

/**
 * The fields the staff queue and the closed list filter on (QueueFilter): carried by the indexes they
 * read, so the filter runs in the query; the page's requests are then read in full from the table.
 */
export const QUEUE_FILTER_ATTRIBUTES = ['status', 'type', 'jurisdiction', 'assignee'] as const;

/**
 * What the retention sweep reads of a closed request from the purge-by-date index: the fields it hashes
 * and what tells it to wait or to read the trail (../retention/subjects.ts).
 */
export const RETENTION_ATTRIBUTES = ['requestId', 'subject', 'identifiers', 'agent', 'todosOpen', 'subjectMessages'] as const;

/** The keys of the ack-pending index for a request that must still be acknowledged by `acknowledgeBy`. */
export function ackPendingKeys(acknowledgeBy: string, requestId: string): { ackPk: 'ACK'; ackSk: string } {
  return { ackPk: 'ACK', ackSk: `${acknowledgeBy}#${requestId}` };
}

export const STATUSES = [
  'awaiting_verification',
  'unverified_closed',
  'awaiting_review',
  'denied',
  'in_progress',
  'awaiting_staff',
  'assembling',
  'awaiting_release',
  'completed',
  'completed_partial',
  'cancelled',
  'duplicate',
  /** Processor mode: a resale partner's end user, sent on to the partner (the controller) to answer. */
  'forwarded',
  /**
   * A restriction (Art. 18) confirmed in every system: answered, but open until staff lift it after
   * telling the subject (Art. 18(3)). Not chased as overdue: the answer was given (`answeredAt`).
   */
  'restricted',
] as const;
export type RequestStatus = (typeof STATUSES)[number];

/** Statuses after which nothing more happens to a request. */
export const CLOSED_STATUSES: ReadonlySet<RequestStatus> = new Set([
  'unverified_closed',
  'denied',
  'completed',
  'completed_partial',
  'cancelled',
  'duplicate',
  'forwarded',
]);

/**
 * Open statuses in which the statutory answer has been given (a restriction in force, `answeredAt`): the
 * request stays open for what follows, but is neither chased nor shown as overdue.
 */
export const ANSWERED_OPEN_STATUSES: ReadonlySet<RequestStatus> = new Set(['restricted']);

/**
 * `attention`: a workflow step failed for good (NeedsAttention); staff retry it, accept partial or cancel.
 * `release`: the package is assembled and waits for staff to withhold what must not go out and release it.
 */
export type TaskKind = 'verification' | 'review' | 'reconcile' | 'attention' | 'release' | 'lift';

/**
 * Why staff withheld part of a package: others' rights and freedoms (GDPR Art. 15(4), 20(4)), staff's
 * private remarks, legal professional privilege, or another reason staff explain in a note. The subject's
 * report states the reason for each withholding.
 */
export const WITHHOLDING_REASONS = ['third_party', 'staff_remarks', 'legal_privilege', 'other'] as const;
export type WithholdingReason = (typeof WITHHOLDING_REASONS)[number];

/**
 * Part of a package staff withheld before release: a whole object of a system, one record of it, or one
 * field (a dotted path) of one record, or of every record when `recordId` is absent. Names and ids only,
 * never the data.
 */
export interface Withholding {
  id: string;
  connectorId: string;
  object: string;
  recordId?: string;
  field?: string;
  reason: WithholdingReason;
  note?: string;
  by: string;
  at: string;
}

/**
 * A workflow step that failed after its retries (the state machine's Catch on States.ALL): which step,
 * the error's name and a message with the subject's details taken out, and the status the request had,
 * which a staff retry puts back so the step finds the request as it left it.
 */
export interface Attention {
  step: string;
  error: string;
  message: string;
  at: string;
  status: RequestStatus;
}

/** A marketing opt-out in one system, as the act step left it (counts, never data). */
export interface SuppressionOutcome {
  /** False where the system does not market (no marketing capability): nothing to suppress there. */
  applies: boolean;
  items: SuppressionItem[];
  /** When the read-back showed every record of the subject opted out; absent where nothing applies. */
  confirmedAt?: string;
}

/** A rectification in one system, as the act step left it (which fields of which records, never values). */
export interface RectificationOutcome {
  /** False where the system has nothing the subject can correct (no rectify capability). */
  applies: boolean;
  items: RectificationItem[];
  /** When the read-back showed every corrected field with the chosen value; absent where nothing applies. */
  confirmedAt?: string;
}

export type ConnectorRunStatus = 'pending' | 'succeeded' | 'failed' | 'accepted_missing';

export interface ConnectorOutcome {
  connectorId: string;
  status: ConnectorRunStatus;
  /** Records found, total and per object. */
  records: number;
  objects: Record<string, number>;
  /** Staging keys of the records, one JSON-lines object per object name. */
  stagingKeys: Record<string, string>;
  /** The vendor's error, for staff, when the run failed. */
  error?: { type: string; message: string };
  /** What an erasure did, per object (never the data). */
  erasure?: ErasureItem[];
  /** What a marketing opt-out did in this system, confirmed by reading it back. */
  suppression?: SuppressionOutcome;
  /** What setting or lifting a restriction did in this system, confirmed by reading it back. */
  restriction?: RestrictionOutcome;
  /** What a rectification corrected in this system, confirmed by reading it back. */
  rectification?: RectificationOutcome;
  attempts: number;
  finishedAt?: string;
}

/**
 * The reasons a request may be denied, and what the subject is told for each (the denial mail quotes
 * it; the console and the yearly metrics list the same keys).
 */
export const DENIAL_REASONS = {
  manifestly_unfounded: 'The request is manifestly unfounded (GDPR Art. 12(5)).',
  excessive: 'The request is excessive, in particular because of its repetitive character (GDPR Art. 12(5)).',
  identity_not_verified: 'We could not verify that the request comes from the person the data is about.',
  exemption: 'A legal exemption applies to the data requested.',
  agent_permission_insufficient: "The agent's signed permission does not show that the person gave them authority to make this request.",
  other: 'Another reason, explained below.',
} as const;
export type DenialReason = keyof typeof DENIAL_REASONS;

/**
 * The last status change a staff action claimed: `id` is unique per call, so the call can later undo
 * exactly its own change (a conditional write on this id) and never one another call made since.
 */
export interface Transition {
  id: string;
  action: string;
  by: string;
  at: string;
  from: RequestStatus;
  to: RequestStatus;
}

/**
 * Processor mode (../partners/): the subject was recognised as a resale partner's end user after
 * verification. While it is here and not overridden, the request waits for staff whatever the review
 * configuration says, and nothing of the subject's is collected unless the partner instructed it.
 */
export interface PartnerMark {
  id: string;
  /** The partner's name when it was matched, for the console and the mails. */
  name: string;
  /** The partner's contact address when it was matched (the console shows where a forward goes). */
  contactEmail: string;
  by: 'email_domain' | 'account_attribute';
  at: string;
  /** Staff found the subject is not the partner's customer (or is also the company's own): reviewed as usual. */
  override?: { by: string; at: string; reason: string };
  /** The partner (the controller) instructed the company to answer: its reference, on record. */
  instruction?: { by: string; at: string; reference: string; note?: string };
  /** Staff forwarded the request to the partner; the request closes as `forwarded`. */
  forwarded?: { by: string; at: string; to?: string };
}

/** How the agent is related to the subject: a closed list, so nothing free-form reaches a mail. */
export const AGENT_RELATIONSHIPS = ['authorised_agent', 'power_of_attorney', 'parent_or_guardian', 'legal_representative', 'other'] as const;
export type AgentRelationship = (typeof AGENT_RELATIONSHIPS)[number];

/** The agent's signed permission, stored encrypted in the documents bucket under the request. */
export interface AgentPermission {
  key: string;
  contentType: 'application/pdf' | 'image/png' | 'image/jpeg';
  bytes: number;
  sha256: string;
  /**
   * The document was deleted by a later erasure of the subject (../workflow/subject-copies.ts); its size
   * and hash stay on record as evidence of what the agent gave.
   */
  deletedFor?: { reason: 'erasure'; erasureRequestId: string; at: string };
}

export interface AgentOnRecord {
  name: string;
  email: string;
  organisation?: string;
  relationship: AgentRelationship;
  /** The agent's language for the agent's own mails; the request's `locale` is the subject's. */
  locale?: string;
  permission: AgentPermission;
  /** Staff accepted the power of attorney in place of the subject's own verification (agents.acceptPowerOfAttorney). */
  powerOfAttorneyAcceptedBy?: { by: string; at: string };
}

export interface Decision {
  outcome: 'approved' | 'denied' | 'forwarded';
  by: string;
  at: string;
  reason?: string;
  note?: string;
}

/** Why a request went ahead without the code: `configuration` (verification.marketing_opt_out) or `law` (11 CCR §7026(d)). */
export type VerificationWaiver = 'configuration' | 'law';

export interface Verification {
  /** HMAC-SHA256 of the code under the code key (`scheme`); records from before it hold a salted SHA-256. */
  codeHash: string;
  /** `hmac-sha256` for keyed hashes; absent on older records, whose code must be sent again. */
  scheme?: 'hmac-sha256';
  /** The salt of the older, unkeyed scheme. */
  salt?: string;
  /** How many codes were sent; a new code resets `attempts`. */
  codesSent: number;
  expiresAt: string;
  attempts: number;
  sentAt: string;
  verifiedAt?: string;
}

export interface RequestRecord {
  pk: string;
  sk: 'META';
  requestId: string;
  type: RequestType;
  status: RequestStatus;
  /**
   * Who filed it, and `details`: what they wrote on the form, in their words. The details live with the
   * identity because they go with it: retention's hashing and a masked view replace the whole object.
   */
  subject: {
    email: string;
    normalizedEmail: string;
    name?: string;
    details?: string;
    /** A rectification's values the subject says are right (../rectification/requested.ts): identity, masked and purged with it. */
    rectification?: RequestedRectification;
  };
  subjectHash: string;
  locale?: string;
  jurisdiction: Jurisdiction;
  country: string;
  receivedAt: string;
  receivedDate: string;
  /** The year of receivedDate (the controller's zone): the key of the by-year index. */
  receivedYear: string;
  dueDate: string;
  extendedDueDate: string;
  acknowledgeBy: string | null;
  /** When the acknowledgement (which carries the status link) went out. */
  acknowledgedAt?: string;
  /** Hash of the token in the subject's status link. */
  statusTokenHash: string;
  /**
   * Hash of the token in the erasure report email's link to the same status page. A second token,
   * because only the first one's hash exists and re-minting it would kill the acknowledgement's link.
   */
  reportTokenHash?: string;
  /** Who filed for the subject, when an authorised agent did (../agents/agent.ts). */
  agent?: AgentOnRecord;
  /** A restriction request's ground, phase, and the lifting's notice (../restriction/model.ts). */
  restriction?: RestrictionOnRecord;
  /**
   * GDPR Art. 19 for the types that act per system (../art19/recipients.ts): which recipients were told
   * of each action, how, and which are left to staff. The erasure keeps its own in `erasureReport`.
   */
  art19?: Partial<Record<Art19Action, Art19Outcome>>;
  /**
   * When the statutory answer was given to a request that stays open afterwards (a restriction confirmed
   * in every system, lifted later): the metrics count the deadline as met on this date, not on closing.
   */
  answeredAt?: string;
  /** Hash of the token in the agent's own status link (status only: ../agents/agent-status.ts). */
  agentTokenHash?: string;
  executionArn?: string;
  verification?: Verification;
  /**
   * No code was asked for (a marketing opt-out: ../requests/verification-waiver.ts): `reason` says whether
   * the configuration or the law waived it. Such a request may change marketing flags and nothing else:
   * `verification.verifiedAt` stays absent, so no step reads anything out for it.
   */
  verificationWaived?: { reason: VerificationWaiver; at: string };
  decision?: Decision;
  /**
   * Each connector's outcome. Stored as items of their own (keys.connectorOutcome), not on the request
   * item: the repository reads them with the request and writes the ones a change gives.
   */
  connectors?: Record<string, ConnectorOutcome>;
  /** The last status change a staff action made (see Transition). */
  transition?: Transition;
  /**
   * The final status a closing workflow step has claimed, while it tells the subject: set before the
   * mail, replaced by the status itself after it, so a closed status always means the subject was told
   * and a cancel cannot slip in between (it answers 409 `closed`).
   */
  closing?: RequestStatus;
  /** Set when the subject is a resale partner's end user (processor mode). */
  partner?: PartnerMark;
  /** Who cancelled the request, when and why. */
  cancellation?: { by: string; at: string; reason: string };
  /** Present while a workflow step has failed for good and staff must decide (status awaiting_staff). */
  attention?: Attention;
  /** Staff's reason for accepting a request with connectors missing. */
  partialAcceptance?: { by: string; at: string; reason: string };
  package?: { key: string; createdAt: string; expiresAt: string; bytes?: number };
  /**
   * Set instead of `package` when every system was searched and none returned a record: no ZIP is built
   * or offered, and the subject is told in words that we hold nothing (notifications/nothing-held.ts).
   */
  /**
   * No package: no system searched returned a record; or, with `onlyInferred`, a portability request
   * whose records were all inferred or derived (which portability does not cover).
   */
  nothingHeld?: { at: string; systems: string[]; onlyInferred?: true };
  /** What staff withheld from the package before release (see Withholding), in the order they did it. */
  withheld?: Withholding[];
  /** Who released the package to the subject, when (staff release only). */
  release?: { by: string; at: string };
  /**
   * Present while a staff withholding rebuilds the package (release/): one at a time, so a rebuild never
   * overwrites a newer one's package with an older list; one left by a call that died expires.
   */
  packageBuild?: { id: string; at: string };
  /** Present while open: the queue index. */
  openPk?: 'OPEN';
  openSk?: string;
  /** The status while open (absent once closed): the partition of the open-by-status index the filtered queue reads. */
  queueStatus?: RequestStatus;
  /** Present while open with an acknowledgement date and not yet acknowledged: the ack-pending index. */
  ackPk?: 'ACK';
  ackSk?: string;
  /** The staff member who owns the request; escalations go to them instead of the privacy team. */
  assignee?: string;
  /** The one extension the law allows: dueDate was moved from previousDueDate to the extended date. */
  extension?: { by: string; at: string; reason: string; previousDueDate: string };
  /** Present while the clock is stopped (UK; GDPR by configuration); `since` is a date in the controller's zone. */
  pause?: { since: string; at: string; by: string; reason: string };
  /**
   * Present while staff wait for the subject's answer to a question they sent (./message-subject.ts),
   * whatever the clock does (GDPR lets it run); the subject's reply removes it. `since` is a date in the
   * controller's zone, as the pause's.
   */
  awaitingSubject?: { since: string; at: string; by: string };
  /** Calendar days the clock was stopped in total, over all finished pauses (what shiftDueDates takes). */
  pausedDays?: number;
  /**
   * Escalation thresholds already fired, key -> ISO time: `due:<dueDate>:<days>`, `overdue:<date>`,
   * `ack:<acknowledgeBy>`. The key names the date it is about, so a moved due date is chased afresh.
   */
  escalations?: Record<string, string>;
  duplicateOf?: string;
  /**
   * When the subject was answered (or the request otherwise ended). Follow-up tasks may still be open
   * after it (`openTodos`): the request is finished for staff only when they are done.
   */
  closedAt?: string;
  /**
   * The numbers of the follow-up tasks (`TODO#<n>`, ../todos) still open, a string set: added when a
   * task is added and deleted when it is done or closed (set writes, safe to repeat). Absent when none
   * is open. The retention sweep leaves a request with open tasks alone; staff see "tasks open".
   */
  todosOpen?: Set<string>;
  /** When the last open follow-up task was done or closed. */
  todosDoneAt?: string;
  /**
   * Whether the subject wrote to us on this request (set before the text is stored on the audit trail):
   * false from intake on, so the retention sweep reads the trail only of requests with something to
   * remove. Absent on records from before it; the sweep then reads the trail, as it always did.
   */
  subjectMessages?: boolean;
  /** Set when the request closes: the sparse index the subject-retention sweep reads. */
  purgePk?: 'PURGE';
  purgeAfter?: string;
  /** When the subject's email and name were replaced by a salted hash, and the salt. */
  subjectPurgedAt?: string;
  subjectSalt?: string;
  /** Identifiers resolved before an erasure (see Subject.identifiers). */
  identifiers?: Record<string, Record<string, string[]>>;
  /**
   * Set while the preview is being counted, removed when the review is requested (AwaitReview): staff are
   * offered approve and deny only once they can see what approval will touch.
   */
  previewPending?: boolean;
  /** The check after an erasure: what access still finds, as counts (never the data). */
  erasureConfirmation?: ErasureConfirmation;
  /** What the subject is told an erasure did; kept as the request's evidence. */
  erasureReport?: ErasureReport;
  createdAt: string;
  updatedAt: string;
}

/**
 * The preview staff see before they approve: per connector, how many of the subject's records each
 * object holds, or why it could not be counted. Counts only, never the data; written once, as an item of
 * its own (`REQ#<id>` / `PREVIEW`), not on the request item, which three indexes copy in full on every
 * write (issue 18).
 */
export interface Preview {
  at: string;
  connectors: Record<string, PreviewOutcome>;
}

export type PreviewOutcome =
  | {
      status: 'counted';
      records: number;
      objects: Record<string, number>;
      /** For an erasure: what the configured policy will do to each object found (delete, anonymize, retain). */
      erasure?: Record<string, ErasurePolicy['action']>;
    }
  /** A rectification: how many current values the system showed (the values: ../rectification/store.ts). */
  | { status: 'current'; values: number }
  /** A rectification, in a system that has nothing the subject can correct (no rectify capability). */
  | { status: 'nothing_to_correct' }
  /** `error` is the error's type only (`ConnectorUnavailable`, `States.Timeout`): never a vendor message. */
  | { status: 'failed'; error: string };

export interface ErasureConfirmation {
  at: string;
  confirmed: boolean;
  connectors: Record<
    string,
    {
      /** Records access still finds, per object. */
      found: Record<string, number>;
      /** Of those, the ones no `retain` policy covers: erasure did not take. */
      residual: Record<string, number>;
      /** The system cannot be read back per person: the deletion was submitted, not checked. */
      verifiable: boolean;
      error?: string;
    }
  >;
}

export interface ErasureReport {
  completedAt: string;
  systems: Array<{
    connectorId: string;
    displayName: string;
    items: ErasureItem[];
    confirmed: boolean | 'not_verifiable';
  }>;
  /** Art. 19: who was told about the erasure, how and when. */
  recipientsNotified: Array<{ name: string; how: 'erasure_api' | 'email'; at: string }>;
  /** Systems staff accepted as not erased, with the reason on record. */
  notErased: Array<{ connectorId: string; displayName: string; reason: string }>;
  /**
   * Art. 19 names every recipient: those the erasure did not tell by itself, `staff` when our staff must
   * tell them (on the audit trail), `nothing_erased` when nothing of the subject's was in their system.
   * Absent on reports stored before it was recorded.
   */
  recipientsNotTold?: Array<{
    name: string;
    reason: 'staff' | 'nothing_erased';
    /**
     * The display names of the recipient's own systems among our connectors (matched by name): the
     * subject's report names a recipient staff will tell only when one of them held the subject's data.
     */
    systems?: string[];
  }>;
  /** How many earlier requests of the subject had their packages deleted by this erasure. */
  earlierPackagesDeleted?: number;
  /**
   * The subject is on the marketing suppression list (they opted out, since `since`): its hash of the
   * address outlives the erasure on purpose (docs/marketing-opt-out.md), and the report says so.
   */
  suppressionKept?: { since: string };
  /** How many signed permissions agents gave on the subject's earlier requests this erasure deleted. */
  earlierAgentPermissionsDeleted?: number;
}

export interface AuditEvent {
  pk: string;
  sk: string;
  requestId: string;
  at: string;
  /** `system`, `subject`, or the staff member's id. */
  actor: string;
  action: string;
  detail?: Record<string, unknown>;
}

/**
 * The claim on one mail to the subject about one transition of the request (`MAIL#<transition>`): put
 * before the mail is sent, so a retried step or a racing call never sends it twice. `sentAt` is set once
 * SES took the mail; a claim without it whose lease ran out belongs to a sender that died, and may be
 * taken over.
 */
export interface MailClaim {
  pk: string;
  sk: string;
  requestId: string;
  transition: string;
  claimedAt: string;
  leaseUntil: string;
  sentAt?: string;
  messageId?: string;
}

/** The download link of a completed request: only the token's hash is kept. */
export interface DownloadItem {
  pk: string;
  sk: string;
  requestId: string;
  tokenHash: string;
  key: string;
  expiresAt: string;
  /** Set when the package was deleted before its time because the subject's erasure removed it. */
  deletedFor?: 'erasure';
}

/**
 * What one run of an erase step did before it failed or was throttled (functions/domain/workflow/erase.ts):
 * counts only, never the data. One item per run, so parallel Map iterations never overwrite each other.
 */
export interface ErasureProgressItem {
  pk: string;
  sk: string;
  requestId: string;
  connectorId: string;
  at: string;
  items: ErasureItem[];
}

/**
 * Who holds the one open request of a type for a subject: intake claims it with a conditional put, so two
 * concurrent filings can never both open. It is never released: a later filing that finds the holder
 * closed takes it over with a conditional update on the holder's id.
 */
export interface SubjectLockItem {
  pk: string;
  sk: 'LOCK';
  requestId: string;
  lockedAt: string;
  /** TTL (epoch seconds): long after any request can still be open, so the table does not keep it forever. */
  expiration: number;
}

/** An Idempotency-Key of POST /v1/requests and the first request it created. */
export interface IdempotencyItem {
  pk: string;
  sk: 'IDEM';
  requestId: string;
  /** SHA-256 of the request body as validated: the same key with another body is refused. */
  bodyHash: string;
  createdAt: string;
  /** TTL (epoch seconds); an expired mapping is free to be claimed again. */
  expiration: number;
}

export const keys = {
  subjectLock: (type: string, subjectHash: string) => ({ pk: `LOCK#${type}#${subjectHash}`, sk: 'LOCK' as const }),
  idempotency: (keyHash: string) => ({ pk: `IDEM#${keyHash}`, sk: 'IDEM' as const }),
  request: (id: string) => ({ pk: `REQ#${id}`, sk: 'META' as const }),
  /**
   * One connector's outcome on the request (`connectors` of RequestRecord): an item of its own, so the
   * request item stays small (every later write of it costs a write unit per KB) and a connector's outcome
   * is rewritten alone. Its key sorts right after META, so one Query (`begins_with(sk, 'META')`) reads the
   * request with its outcomes.
   */
  connectorOutcome: (id: string, connectorId: string) => ({ pk: `REQ#${id}`, sk: `META#CONN#${connectorId}` }),
  connectorOutcomePrefix: 'META#CONN#',
  task: (id: string, kind: TaskKind) => ({ pk: `REQ#${id}`, sk: `TASK#${kind}` }),
  download: (id: string) => ({ pk: `REQ#${id}`, sk: 'DL' }),
  preview: (id: string) => ({ pk: `REQ#${id}`, sk: 'PREVIEW' as const }),
  auditPrefix: 'EVT#',
  mail: (id: string, transition: string) => ({ pk: `REQ#${id}`, sk: `MAIL#${transition}` }),
  /** Every erasure progress item of one connector: `ERASED#<connectorId>#`, sorted by time after it. */
  erasureProgressPrefix: (connectorId: string) => `ERASED#${connectorId}#`,
  /** One run's erasure progress: the prefix, the time, and a random suffix against same-millisecond runs. */
  erasureProgress: (id: string, connectorId: string, iso: string, suffix: string) => ({
    pk: `REQ#${id}`,
    sk: `ERASED#${connectorId}#${iso}#${suffix}`,
  }),
  /**
   * A deletion a vendor completes on its own schedule, to read back again once its window has passed:
   * one partition sorted by the due time, so the re-check job reads only what is due (a Query, no index).
   */
  erasureRecheck: (dueAt: string, id: string, connectorId: string) => ({ pk: 'RECHECK' as const, sk: `${dueAt}#${id}#${connectorId}` }),
};

/** A re-check owed for one connector of a closed erasure (see ../erasure-recheck/index.ts). */
export interface ErasureRecheckItem {
  pk: 'RECHECK';
  sk: string;
  requestId: string;
  connectorId: string;
  dueAt: string;
  /** The objects whose deletion was submitted, and the vendor's documented window for each. */
  objects: Array<{ object: string; vendor: string; withinDays: number }>;
}

/** Normalises an email for comparison: trimmed and lower-cased (the local part too, as mail providers do in practice). */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}
