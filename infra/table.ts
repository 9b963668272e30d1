/**
 * The request table's keys and indexes, described once for both the CDK stack and the embedded
 * runtime (which creates the same table in dynalite).
 */
import { ESCALATION_ATTRIBUTES } from '../functions/domain/requests/model.ts';

export const TABLE_KEYS = { partitionKey: 'pk', sortKey: 'sk' } as const;

export interface TableIndex {
  readonly indexName: string;
  readonly partitionKey: string;
  readonly sortKey: string;
  /** Non-key attributes the index carries (INCLUDE); absent: every attribute (ALL). */
  readonly include?: readonly string[];
}

export const TABLE_INDEXES: readonly TableIndex[] = [
  // Open requests by due date: the staff queue and the escalation job read only what is open.
  { indexName: 'open-by-due', partitionKey: 'openPk', sortKey: 'openSk' },
  // Open requests by status, then due date: the staff queue filtered by status reads only that status
  // (the queue then gets the page's requests in full, so the index carries only what it filters on).
  { indexName: 'open-by-status', partitionKey: 'queueStatus', sortKey: 'openSk', include: ['type', 'jurisdiction'] },
  // Requests by subject (hash of the normalised email): duplicates, and "requests filed in my name".
  { indexName: 'by-subject', partitionKey: 'subjectHash', sortKey: 'receivedAt' },
  // Requests by the year they were received: the yearly metrics read one year, not the table.
  { indexName: 'by-year', partitionKey: 'receivedYear', sortKey: 'receivedAt' },
  // Closed requests by the date their subject fields are hashed (sparse: only closed requests).
  { indexName: 'purge-by-date', partitionKey: 'purgePk', sortKey: 'purgeAfter' },
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
