/**
 * The request table's keys and indexes, described once for both the CDK stack and the embedded
 * runtime (which creates the same table in dynalite).
 */
export const TABLE_KEYS = { partitionKey: 'pk', sortKey: 'sk' } as const;

export const TABLE_INDEXES = [
  // Open requests by due date: the staff queue and the escalation job read only what is open.
  { indexName: 'open-by-due', partitionKey: 'openPk', sortKey: 'openSk' },
  // Requests by subject (hash of the normalised email): duplicates, and "requests filed in my name".
  { indexName: 'by-subject', partitionKey: 'subjectHash', sortKey: 'receivedAt' },
  // Requests by the year they were received: the yearly metrics read one year, not the table.
  { indexName: 'by-year', partitionKey: 'receivedYear', sortKey: 'receivedAt' },
  // Closed requests by the date their subject fields are hashed (sparse: only closed requests).
  { indexName: 'purge-by-date', partitionKey: 'purgePk', sortKey: 'purgeAfter' },
] as const;

/** The attribute that carries the expiry of items that expire (idempotency records, retention). */
export const TTL_ATTRIBUTE = 'expiration';
