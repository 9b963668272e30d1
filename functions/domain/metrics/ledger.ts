/**
 * The yearly-metrics ledger: what the metrics need of each request (status, law, dates, denial reason;
 * never the subject), one small item per request in its receipt year's partition, so a report reads
 * about 100 bytes per request instead of the 2-3 KB request items (a Query's cost is the bytes it reads).
 *
 * | item | pk                     | sk                                  |
 * |------|------------------------|-------------------------------------|
 * | fact | METRICS#<receivedYear> | <receivedDate>#<type>#<requestId>   |
 *
 * The one place status and due dates are written (RequestRepository.create and .update) rewrites the
 * request's fact. A put of the whole fact is idempotent, so a retried step writes the same fact again; it
 * only replaces an older fact (by the request's updatedAt), so two writes landing out of order keep the
 * newer; an undone close simply writes the open fact back. Each write is one small item (1 write unit),
 * not a shared counter that grows. Not counters: the read is still one small item per request of the
 * year, but never a request item and never a Scan.
 */
import { GetCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { YEAR_INDEX, type RequestRecord } from '../requests/model.ts';

/** The fields of a request the yearly metrics read. */
export type LedgerRow = Pick<RequestRecord, 'requestId' | 'type' | 'status' | 'jurisdiction' | 'country' | 'receivedAt' | 'receivedDate' | 'dueDate' | 'closedAt' | 'answeredAt'> & {
  /** Staff's reason for a denial. */
  reason?: string;
};

/** One request's fact, with short names: the item is what a report reads per request. */
interface Fact {
  s: RequestRecord['status'];
  j: RequestRecord['jurisdiction'];
  c: string;
  r: string;
  d: string;
  x?: string;
  /** When the answer was given, where that is before the close (`answeredAt`: a restriction in force). */
  a?: string;
  /** The denial reason (the decision's outcome is implied by the status). */
  why?: string;
  /** The request's updatedAt when the fact was taken: an older fact never replaces a newer one. */
  u: string;
}

export function ledgerKey(r: Pick<RequestRecord, 'requestId' | 'receivedYear' | 'receivedDate' | 'type'>): { pk: string; sk: string } {
  return { pk: `METRICS#${r.receivedYear}`, sk: `${r.receivedDate}#${r.type}#${r.requestId}` };
}

/** Whether an update to these fields can change a metric (the ledger is rewritten only then). */
export function changesMetrics(set: Partial<RequestRecord>): boolean {
  return set.status !== undefined || set.dueDate !== undefined || set.closedAt !== undefined || set.decision !== undefined || set.answeredAt !== undefined;
}

/** Writes the request's current fact, unless a newer one is there. */
export async function recordFact(db: DynamoDBDocumentClient, table: string, r: RequestRecord): Promise<void> {
  // Records from before the by-year key have no receipt year: they were never in the yearly figures.
  if (!r.receivedYear || !r.receivedDate) return;
  const fact: Fact = {
    s: r.status,
    j: r.jurisdiction,
    c: r.country,
    r: r.receivedAt,
    d: r.dueDate,
    ...(r.closedAt ? { x: r.closedAt } : {}),
    ...(r.answeredAt ? { a: r.answeredAt } : {}),
    ...(r.decision?.reason ? { why: r.decision.reason } : {}),
    u: r.updatedAt,
  };
  try {
    await db.send(
      new PutCommand({
        TableName: table,
        Item: { ...ledgerKey(r), ...fact },
        ConditionExpression: 'attribute_not_exists(#u) OR #u <= :u',
        ExpressionAttributeNames: { '#u': 'u' },
        ExpressionAttributeValues: { ':u': fact.u },
      }),
    );
  } catch (err) {
    // A newer fact is there already: this write arrived late.
    if (!(err instanceof ConditionalCheckFailedException)) throw err;
  }
}

/** Every request received in `year`, as the metrics need them: one Query over the year's facts. */
export async function readLedger(year: number, access: { db: DynamoDBDocumentClient; table: string }): Promise<{ rows: LedgerRow[]; itemsRead: number }> {
  const rows: LedgerRow[] = [];
  let itemsRead = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const out = await access.db.send(
      new QueryCommand({
        TableName: access.table,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `METRICS#${year}` },
        ExclusiveStartKey: start,
      }),
    );
    itemsRead += out.Count ?? 0;
    for (const item of out.Items ?? []) {
      const [receivedDate, type, requestId] = String(item.sk).split('#') as [string, RequestRecord['type'], string];
      const f = item as unknown as Fact;
      rows.push({
        requestId,
        type,
        status: f.s,
        jurisdiction: f.j,
        country: f.c,
        receivedAt: f.r,
        receivedDate,
        dueDate: f.d,
        ...(f.x ? { closedAt: f.x } : {}),
        ...(f.a ? { answeredAt: f.a } : {}),
        ...(f.why ? { reason: f.why } : {}),
      });
    }
    start = out.LastEvaluatedKey;
  } while (start);
  return { rows, itemsRead };
}

/**
 * Writes the facts of every request received in `year` from the by-year index: once, after upgrading
 * from a version without the ledger. Safe to repeat (facts are SETs guarded by updatedAt).
 */
export async function backfillLedger(year: number, access: { db: DynamoDBDocumentClient; table: string }): Promise<number> {
  let written = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const out = await access.db.send(
      new QueryCommand({
        TableName: access.table,
        IndexName: YEAR_INDEX,
        KeyConditionExpression: '#year = :year',
        ExpressionAttributeNames: { '#year': 'receivedYear' },
        ExpressionAttributeValues: { ':year': String(year) },
        ExclusiveStartKey: start,
      }),
    );
    // The index holds keys only (it is written once per request and read only here): each request is
    // read from the table, one page at a time.
    for (const entry of out.Items ?? []) {
      const item = (await access.db.send(new GetCommand({ TableName: access.table, Key: { pk: entry.pk, sk: entry.sk }, ConsistentRead: true }))).Item;
      if (!item) continue;
      await recordFact(access.db, access.table, item as RequestRecord);
      written++;
    }
    start = out.LastEvaluatedKey;
  } while (start);
  return written;
}
