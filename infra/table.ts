/**
 * The request table's keys and indexes, described once for both the CDK stack and the embedded
 * runtime (which creates the same table in dynalite).
 */
import { ESCALATION_ATTRIBUTES, QUEUE_FILTER_ATTRIBUTES, RETENTION_ATTRIBUTES } from '../functions/domain/requests/model.ts';

export const TABLE_KEYS = { partitionKey: 'pk', sortKey: 'sk' } as const;

export interface TableIndex {
  readonly indexName: string;
  readonly partitionKey: string;
  readonly sortKey: string;
  /**
   * Non-key attributes the index carries (INCLUDE); empty: keys only (KEYS_ONLY); absent: every attribute
   * (ALL). An index copies an item again whenever an attribute it carries changes (and DynamoDB bills a
   * write unit per KB of the copy), so each carries only what its queries read: the request item is
   * rewritten about ten times, mostly in attributes no index needs (updatedAt, connectors, transition).
   */
  readonly include?: readonly string[];
}

/** The index's projection as CloudFormation and the DynamoDB API spell it. */
export function projectionOf(index: TableIndex): { ProjectionType: 'ALL' | 'KEYS_ONLY' | 'INCLUDE'; NonKeyAttributes?: string[] } {
  if (index.include === undefined) return { ProjectionType: 'ALL' };
  if (index.include.length === 0) return { ProjectionType: 'KEYS_ONLY' };
  return { ProjectionType: 'INCLUDE', NonKeyAttributes: [...index.include] };
}

/** Attributes in the order given, each once. */
const union = (...lists: ReadonlyArray<readonly string[]>): string[] => [...new Set(lists.flat())];

export const TABLE_INDEXES: readonly TableIndex[] = [
  // Open requests by due date: the staff queue and the escalation job read only what is open. The queue
  // filters here and then reads its page's requests in full from the table (at most one page of gets).
  { indexName: 'open-by-due', partitionKey: 'openPk', sortKey: 'openSk', include: union(ESCALATION_ATTRIBUTES, QUEUE_FILTER_ATTRIBUTES) },
  // Open requests by status, then due date: the staff queue filtered by status reads only that status
  // (the queue then gets the page's requests in full, so the index carries only what it filters on).
  { indexName: 'open-by-status', partitionKey: 'queueStatus', sortKey: 'openSk', include: ['type', 'jurisdiction'] },
  // Requests by subject (hash of the normalised email): duplicates, and "requests filed in my name". Keys
  // only: a subject has few requests, and the repository reads them in full from the table (bySubject).
  { indexName: 'by-subject', partitionKey: 'subjectHash', sortKey: 'receivedAt', include: [] },
  // Requests by the year they were received: only the metrics ledger's one-off backfill reads it (the
  // yearly metrics read the ledger), reading each page's requests from the table. Keys only: written once.
  { indexName: 'by-year', partitionKey: 'receivedYear', sortKey: 'receivedAt', include: [] },
  // Closed requests by the date their subject fields are hashed (sparse: only closed requests): the
  // retention sweep reads what it hashes here; the closed list filters here and reads its page in full.
  { indexName: 'purge-by-date', partitionKey: 'purgePk', sortKey: 'purgeAfter', include: union(RETENTION_ATTRIBUTES, QUEUE_FILTER_ATTRIBUTES) },
  // Requests whose acknowledgement is still owed, by its date (sparse: set at intake under CCPA, removed
  // when the receipt mail goes out or the request closes), carrying only what the escalation job reads.
  {
    indexName: 'ack-pending',
    partitionKey: 'ackPk',
    sortKey: 'ackSk',
    include: ESCALATION_ATTRIBUTES,
  },
];

/** The attribute that carries the expiry of items that expire (idempotency records, retention). */
export const TTL_ATTRIBUTE = 'expiration';
