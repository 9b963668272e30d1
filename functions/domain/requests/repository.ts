/**
 * Reads and writes the request record, its audit trail and its waiting task tokens in the one table.
 *
 * dynalite (the local DynamoDB) has no transactions, so every write here stands alone: conditional puts
 * for creation and the audit trail (append-only), conditional updates for status changes, and updates
 * that are safe to repeat.
 */
import { randomBytes } from 'node:crypto';
import {
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  DeleteCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { Jurisdiction, RequestType } from '#commons/config';
import type { ErasureItem } from '#connectors/types';
import { forgetSubjectMessages } from './messages.ts';
import { changesMetrics, recordFact } from '../metrics/ledger.ts';
import { DynamoTodoStore, type TodoStore } from '../todos/store.ts';
import { DynamoRectificationStore, type RectificationStore } from '../rectification/store.ts';
import {
  CLOSED_STATUSES,
  OPEN_INDEX,
  PURGE_INDEX,
  STATUS_INDEX,
  SUBJECT_INDEX,
  keys,
  type AuditEvent,
  type ConnectorOutcome,
  type DownloadItem,
  type ErasureProgressItem,
  type ErasureRecheckItem,
  type IdempotencyItem,
  type MailClaim,
  type Preview,
  type RequestRecord,
  type SubjectLockItem,
  type Verification,
  type RequestStatus,
  type TaskKind,
} from './model.ts';

export class RequestNotFound extends Error {
  override name = 'RequestNotFound';
}

// Defined apart (./state-conflict.ts) so the task store can throw it without importing the repository;
// every caller catches it from here.
import { requestItems } from './request-items.ts';
import { StateConflict } from './state-conflict.ts';
export { StateConflict };

/** When a conditional update may happen; every condition must hold. */
export interface UpdateConditions {
  /** The request's status must be one of these. */
  onlyIf?: readonly RequestStatus[];
  /** Attributes (dotted paths) that must not exist yet: the first writer wins. */
  absent?: string[];
  /** Attributes (dotted paths) that must exist, e.g. `openPk` for "still in the open queue". */
  present?: string[];
  /** Attributes (dotted paths) that must still have these values. */
  match?: Record<string, unknown>;
  remove?: string[];
}

/** Equality filters on the open queue (and the closed list); unset fields match everything. */
export interface QueueFilter {
  status?: RequestStatus;
  type?: RequestType;
  jurisdiction?: Jurisdiction;
  /** The staff member who owns the request (the "mine" view). */
  assignee?: string;
}

/** Items read per query step when the queue is filtered. */
const FILTERED_STEP = 200;
/** Items one listOpen call reads at most before it returns a short page with a cursor. */
const READ_BUDGET = 5_000;

/** The full key of an item in the open-by-status index from the status and its sort key. */
function statusKey(status: RequestStatus, openSk: string): Record<string, unknown> {
  const requestId = openSk.slice(openSk.indexOf('#') + 1);
  return { ...keys.request(requestId), queueStatus: status, openSk };
}

/** The full key of an item in the purge index from the closed list's position `<purgeAfter>#<requestId>`. */
function purgeKey(position: string): Record<string, unknown> {
  const cut = position.lastIndexOf('#');
  return { ...keys.request(position.slice(cut + 1)), purgePk: 'PURGE', purgeAfter: position.slice(0, cut) };
}

/** The full key of an item in the open index from its sort key `<dueDate>#<requestId>`. */
function openKey(openSk: string): Record<string, unknown> {
  const requestId = openSk.slice(openSk.indexOf('#') + 1);
  return { ...keys.request(requestId), openPk: 'OPEN', openSk };
}

export interface TaskTokenItem {
  pk: string;
  sk: string;
  requestId: string;
  kind: TaskKind;
  token: string;
  createdAt: string;
}

/** What `claimSubjectLock` found: the lock is ours, or another request holds it (since `lockedAt`). */
export type SubjectLockClaim = { acquired: true } | { acquired: false; holder: string; lockedAt: string };

const epochSeconds = (iso: string) => Math.floor(Date.parse(iso) / 1000);

/** A connector's outcome as stored: keys.connectorOutcome, the request id, and the outcome. */
type ConnectorOutcomeItem = ConnectorOutcome & { pk: string; sk: string; requestId: string };

function outcomeOf(item: ConnectorOutcomeItem): ConnectorOutcome {
  const { pk: _pk, sk: _sk, requestId: _id, ...outcome } = item;
  return outcome;
}

/** The request with these outcomes as its `connectors` (none: no map, as a request before planning). */
function withOutcomeMap(record: RequestRecord, connectors: Record<string, ConnectorOutcome>): RequestRecord {
  const { connectors: _legacy, ...rest } = record;
  return Object.keys(connectors).length ? { ...rest, connectors } : rest;
}

/** The request with its stored outcomes, over a map an older version kept on the request item. */
function withOutcomes(record: RequestRecord, items: ConnectorOutcomeItem[]): RequestRecord {
  if (!items.length) return record;
  return withOutcomeMap(record, { ...record.connectors, ...Object.fromEntries(items.map((i) => [i.connectorId, outcomeOf(i)])) });
}

export class RequestRepository {
  /** The request's follow-up tasks (../todos). */
  readonly todos: TodoStore;
  /** A rectification's current values and staff's choice (../rectification/store.ts). */
  readonly rectifications: RectificationStore;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {
    this.todos = new DynamoTodoStore(db, table);
    this.rectifications = new DynamoRectificationStore(db, table);
  }

  async create(record: RequestRecord): Promise<void> {
    const { connectors, ...own } = record;
    await this.db.send(
      new PutCommand({
        TableName: this.table,
        Item: own,
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    if (connectors) await this.writeOutcomes(record.requestId, connectors, []);
    await recordFact(this.db, this.table, record);
  }

  /** The request with its connectors' outcomes: one Query reads the request item and the items after it. */
  async find(requestId: string): Promise<RequestRecord | undefined> {
    const items = await requestItems(this.db, this.table, requestId, keys.request(requestId).sk);
    const record = items.find((i) => i.sk === keys.request(requestId).sk) as RequestRecord | undefined;
    if (!record) return undefined;
    return withOutcomes(record, items.filter((i) => String(i.sk).startsWith(keys.connectorOutcomePrefix)) as unknown as ConnectorOutcomeItem[]);
  }

  /** The connectors' outcome items of a request, as stored. */
  private outcomeItems(requestId: string): Promise<ConnectorOutcomeItem[]> {
    return requestItems<ConnectorOutcomeItem>(this.db, this.table, requestId, keys.connectorOutcomePrefix);
  }

  /**
   * Makes the request's outcomes `next`: puts the outcomes that differ from what is stored, deletes those
   * `next` no longer has. Called only after the request's own conditional write succeeded, so an outcome
   * is written only where that write's conditions (its status) held.
   */
  private async writeOutcomes(requestId: string, next: Record<string, ConnectorOutcome>, stored: ConnectorOutcomeItem[]): Promise<void> {
    const before = new Map(stored.map((i) => [i.connectorId, JSON.stringify(outcomeOf(i))]));
    for (const [connectorId, outcome] of Object.entries(next)) {
      if (before.get(connectorId) === JSON.stringify(outcome)) continue;
      const item: ConnectorOutcomeItem = { ...keys.connectorOutcome(requestId, connectorId), requestId, ...outcome, connectorId };
      await this.db.send(new PutCommand({ TableName: this.table, Item: item }));
    }
    for (const connectorId of before.keys()) {
      if (!(connectorId in next)) await this.db.send(new DeleteCommand({ TableName: this.table, Key: keys.connectorOutcome(requestId, connectorId) }));
    }
  }

  async get(requestId: string): Promise<RequestRecord> {
    const found = await this.find(requestId);
    if (!found) throw new RequestNotFound(`request ${requestId} does not exist`);
    return found;
  }

  /**
   * Sets the given attributes (and removes `remove`), only if the request exists and, when `onlyIf` is
   * given, its status is one of those. Moving to a closed status takes the request out of the open queue.
   * Returns the updated record.
   */
  async update(requestId: string, set: Partial<RequestRecord>, options: UpdateConditions = {}): Promise<RequestRecord> {
    const names: Record<string, string> = { '#pk': 'pk' };
    const values: Record<string, unknown> = {};
    const sets: string[] = [];
    const removes = new Set(options.remove ?? []);
    // The connectors' outcomes are items of their own, written after this write's conditions held; a
    // map left on the request item by an older version goes with the first write of outcomes.
    const { connectors, ...own } = set;
    if (connectors !== undefined) removes.add('connectors');
    const fields: Record<string, unknown> = { ...own, updatedAt: set.updatedAt ?? new Date().toISOString() };
    if (set.status && CLOSED_STATUSES.has(set.status)) {
      removes.add('openPk');
      removes.add('openSk');
      removes.add('queueStatus');
    } else if (set.status) {
      // The staff queue's status partition follows the status in the same write.
      fields.queueStatus = set.status;
    }
    // Acknowledged or closed: nothing more to chase, so the request leaves the ack-pending index.
    if (set.acknowledgedAt || (set.status && CLOSED_STATUSES.has(set.status))) {
      removes.add('ackPk');
      removes.add('ackSk');
    }
    let i = 0;
    for (const [field, value] of Object.entries(fields)) {
      if (value === undefined) continue;
      i++;
      names[`#f${i}`] = field;
      values[`:v${i}`] = value;
      sets.push(`#f${i} = :v${i}`);
    }
    const removeParts = [...removes].map((field, k) => {
      names[`#r${k}`] = field;
      return `#r${k}`;
    });
    let condition = 'attribute_exists(#pk)';
    const path = (dotted: string, tag: string) =>
      dotted
        .split('.')
        .map((part, k) => {
          names[`#${tag}${k}`] = part;
          return `#${tag}${k}`;
        })
        .join('.');
    (options.absent ?? []).forEach((field, k) => {
      condition += ` AND attribute_not_exists(${path(field, `n${k}_`)})`;
    });
    (options.present ?? []).forEach((field, k) => {
      condition += ` AND attribute_exists(${path(field, `p${k}_`)})`;
    });
    Object.entries(options.match ?? {}).forEach(([field, value], k) => {
      values[`:m${k}`] = value;
      condition += ` AND ${path(field, `m${k}_`)} = :m${k}`;
    });
    if (options.onlyIf?.length) {
      names['#status'] = 'status';
      const placeholders = options.onlyIf.map((s, k) => {
        values[`:s${k}`] = s;
        return `:s${k}`;
      });
      condition += ` AND #status IN (${placeholders.join(', ')})`;
    }
    const expression = [sets.length ? `SET ${sets.join(', ')}` : '', removeParts.length ? `REMOVE ${removeParts.join(', ')}` : '']
      .filter(Boolean)
      .join(' ');
    try {
      const out = await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: keys.request(requestId),
          UpdateExpression: expression,
          ConditionExpression: condition,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: Object.keys(values).length ? values : undefined,
          ReturnValues: 'ALL_NEW',
        }),
      );
      const stored = await this.outcomeItems(requestId);
      if (connectors !== undefined) await this.writeOutcomes(requestId, connectors, stored);
      const updated = connectors !== undefined ? withOutcomeMap(out.Attributes as RequestRecord, connectors) : withOutcomes(out.Attributes as RequestRecord, stored);
      // The yearly metrics' ledger follows every change of status or due date (see metrics/ledger.ts).
      if (changesMetrics(set)) await recordFact(this.db, this.table, updated);
      return updated;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) {
        const current = await this.find(requestId);
        if (!current) throw new RequestNotFound(`request ${requestId} does not exist`);
        throw new StateConflict(
          options.onlyIf?.length && !options.onlyIf.includes(current.status)
            ? `request ${requestId} is ${current.status}, not ${options.onlyIf.join(' or ')}`
            : `request ${requestId} changed meanwhile (${[...(options.absent ?? []).map((f) => `${f} is set`), ...(options.present ?? []).map((f) => `${f} may be gone`), ...Object.keys(options.match ?? {}).map((f) => `${f} differs`)].join(', ') || 'conflict'})`,
        );
      }
      throw err;
    }
  }

  /**
   * Claims the one mail about `transition` (see MailClaim): true when this caller is to send it, false
   * when another caller holds it (sent, or still sending within its lease).
   */
  async claimMail(requestId: string, transition: string, now: Date, leaseMs: number): Promise<boolean> {
    const claim: MailClaim = {
      ...keys.mail(requestId, transition),
      requestId,
      transition,
      claimedAt: now.toISOString(),
      leaseUntil: new Date(now.getTime() + leaseMs).toISOString(),
    };
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: claim,
          ConditionExpression: 'attribute_not_exists(sk) OR (attribute_not_exists(sentAt) AND leaseUntil < :now)',
          ExpressionAttributeValues: { ':now': claim.claimedAt },
        }),
      );
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return false;
      throw err;
    }
  }

  /** The claim on the mail about `transition`, if any. */
  async mailClaim(requestId: string, transition: string): Promise<MailClaim | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.table, Key: keys.mail(requestId, transition), ConsistentRead: true }));
    return out.Item as MailClaim | undefined;
  }

  /** Records that the claimed mail went out, so the claim is never taken over. */
  async markMailSent(requestId: string, transition: string, at: Date, messageId?: string): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: keys.mail(requestId, transition),
        UpdateExpression: messageId ? 'SET sentAt = :at, messageId = :id' : 'SET sentAt = :at',
        ExpressionAttributeValues: { ':at': at.toISOString(), ...(messageId ? { ':id': messageId } : {}) },
      }),
    );
  }

  /** Gives back a claim whose mail could not be sent (never one that was), so a retry sends it at once. */
  async releaseMail(requestId: string, transition: string): Promise<void> {
    try {
      await this.db.send(
        new DeleteCommand({ TableName: this.table, Key: keys.mail(requestId, transition), ConditionExpression: 'attribute_not_exists(sentAt)' }),
      );
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
    }
  }

  /** Appends one event to the audit trail. The key is unique, and the put refuses to overwrite. */
  async audit(
    requestId: string,
    actor: string,
    action: string,
    detail?: Record<string, unknown>,
    at = new Date(),
  ): Promise<AuditEvent> {
    const iso = at.toISOString();
    const event: AuditEvent = {
      pk: keys.request(requestId).pk,
      sk: `${keys.auditPrefix}${iso}#${randomBytes(4).toString('hex')}`,
      requestId,
      at: iso,
      actor,
      action,
      ...(detail ? { detail } : {}),
    };
    await this.db.send(
      new PutCommand({ TableName: this.table, Item: event, ConditionExpression: 'attribute_not_exists(sk)' }),
    );
    return event;
  }

  /** Removes the subject's own words from the request's audit trail (./messages.ts). */
  forgetSubjectMessages(requestId: string, at = new Date()): Promise<number> {
    return forgetSubjectMessages(this.db, this.table, requestId, at.toISOString());
  }

  auditTrail(requestId: string): Promise<AuditEvent[]> {
    return requestItems<AuditEvent>(this.db, this.table, requestId, keys.auditPrefix);
  }

  /**
   * Keeps what one run of a connector's erasure did before it failed or was throttled: a new item per
   * run (never an update), so runs of parallel Map iterations cannot overwrite each other's.
   */
  async recordErasureProgress(requestId: string, connectorId: string, items: ErasureItem[], at = new Date()): Promise<void> {
    const iso = at.toISOString();
    const item: ErasureProgressItem = {
      ...keys.erasureProgress(requestId, connectorId, iso, randomBytes(4).toString('hex')),
      requestId,
      connectorId,
      at: iso,
      items,
    };
    await this.db.send(
      new PutCommand({ TableName: this.table, Item: item, ConditionExpression: 'attribute_not_exists(sk)' }),
    );
  }

  /** Records a re-check owed; the same key written twice (a retried close) is one re-check. */
  async scheduleErasureRecheck(item: Omit<ErasureRecheckItem, 'pk' | 'sk'>): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.table, Item: { ...keys.erasureRecheck(item.dueAt, item.requestId, item.connectorId), ...item } }));
  }

  /** Re-checks due at `now` or before, oldest first: a key range of one partition, never a Scan. */
  async dueErasureRechecks(now: string, limit = 100): Promise<ErasureRecheckItem[]> {
    const out = await this.db.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk AND sk <= :now',
        ExpressionAttributeValues: { ':pk': 'RECHECK', ':now': `${now}#~` },
        Limit: limit,
      }),
    );
    return (out.Items ?? []) as ErasureRecheckItem[];
  }

  /** Marks a re-check done; false when another run did it first (so only one run audits and tells staff). */
  async finishErasureRecheck(item: Pick<ErasureRecheckItem, 'pk' | 'sk'>): Promise<boolean> {
    try {
      await this.db.send(
        new DeleteCommand({ TableName: this.table, Key: { pk: item.pk, sk: item.sk }, ConditionExpression: 'attribute_exists(pk)' }),
      );
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return false;
      throw err;
    }
  }

  /** The items of every earlier run of this connector's erasure that kept its progress, oldest run first. */
  async erasureProgress(requestId: string, connectorId: string): Promise<ErasureItem[][]> {
    const runs = await requestItems<ErasureProgressItem>(this.db, this.table, requestId, keys.erasureProgressPrefix(connectorId));
    return runs.map((item) => item.items ?? []);
  }

  async putTaskToken(requestId: string, kind: TaskKind, token: string): Promise<void> {
    const item: TaskTokenItem = {
      ...keys.task(requestId, kind),
      requestId,
      kind,
      token,
      createdAt: new Date().toISOString(),
    };
    await this.db.send(new PutCommand({ TableName: this.table, Item: item }));
  }

  async taskToken(requestId: string, kind: TaskKind): Promise<string | undefined> {
    const out = await this.db.send(
      new GetCommand({ TableName: this.table, Key: keys.task(requestId, kind), ConsistentRead: true }),
    );
    return (out.Item as TaskTokenItem | undefined)?.token;
  }

  async deleteTaskToken(requestId: string, kind: TaskKind): Promise<void> {
    await this.db.send(new DeleteCommand({ TableName: this.table, Key: keys.task(requestId, kind) }));
  }

  /** Stores the request's preview (workflow/discover.ts), replacing any earlier one. */
  async putPreview(requestId: string, preview: Preview): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.table, Item: { ...keys.preview(requestId), requestId, ...preview } }));
  }

  async preview(requestId: string): Promise<Preview | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.table, Key: keys.preview(requestId), ConsistentRead: true }));
    if (!out.Item) return undefined;
    const { at, connectors } = out.Item as Preview;
    return { at, connectors };
  }

  async putDownload(item: Omit<DownloadItem, 'pk' | 'sk'>): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.table, Item: { ...keys.download(item.requestId), ...item } }));
  }

  async download(requestId: string): Promise<DownloadItem | undefined> {
    const out = await this.db.send(
      new GetCommand({ TableName: this.table, Key: keys.download(requestId), ConsistentRead: true }),
    );
    return out.Item as DownloadItem | undefined;
  }

  /**
   * One page of the open queue, earliest due first. Filtered by status, it reads that status's partition
   * of the open-by-status index (keys, type and jurisdiction only), so it reads what matches the status,
   * not the whole queue; otherwise the open-by-due index. Other filters are applied in the query and
   * bounded by READ_BUDGET; then the page's requests are read in full (readInFull).
   *
   * A FilterExpression is applied after `Limit`, so one query can return few or no matches although
   * more lie further on: the loop reads on until the page is full, the index ends, or `READ_BUDGET` items
   * were read (a page can then come back short, with `after` to go on). `after` is the open sort key of
   * the last item returned (not DynamoDB's LastEvaluatedKey, which may lie past items a full page had no
   * room for), so the next page starts exactly after it.
   */
  async listOpen(options: { dueBefore?: string; limit?: number; after?: string; filter?: QueueFilter }): Promise<{
    items: RequestRecord[];
    after?: string;
  }> {
    // The status index carries only type and jurisdiction: filtered by assignee too, the open index is read.
    const byStatus = options.filter?.assignee ? undefined : options.filter?.status;
    const values: Record<string, unknown> = byStatus ? { ':status': byStatus } : { ':open': 'OPEN' };
    let keyCondition = byStatus ? 'queueStatus = :status' : 'openPk = :open';
    if (options.dueBefore) {
      // Sort keys are `<dueDate>#<id>`: everything due on or before the date sorts below `<date>#~`.
      keyCondition += ' AND openSk < :before';
      values[':before'] = `${options.dueBefore}#~`;
    }
    const startKey = (openSk: string) => (byStatus ? statusKey(byStatus, openSk) : openKey(openSk));
    const found = await this.filteredPage({
      index: byStatus ? STATUS_INDEX : OPEN_INDEX,
      keyCondition,
      values,
      // The status is the partition key of the status index.
      filter: byStatus ? { ...options.filter, status: undefined } : options.filter,
      want: options.limit ?? 50,
      start: options.after ? startKey(options.after) : undefined,
      positionOf: (r) => r.openSk!,
      positionOfKey: (key) => String(key.openSk),
    });
    // Both indexes carry only what the queue filters on: the page's requests are read in full from the
    // table. The indexes are updated after the table, so one that closed (or changed status) since is
    // left out rather than shown where it no longer belongs.
    const full = await this.readInFull(found.items);
    return { ...found, items: full.filter((r) => r.openPk !== undefined && (!byStatus || r.status === byStatus)) };
  }

  /**
   * One page of a query filtered by queue fields: read in steps until the page is full, the index ends
   * or READ_BUDGET items were read (a page can then come back short, with `after` to go on). `after` is
   * the position of the last item returned (not DynamoDB's LastEvaluatedKey, which may lie past items a
   * full page had no room for), so the next page starts exactly after it.
   */
  private async filteredPage(q: {
    index: string;
    keyCondition: string;
    values: Record<string, unknown>;
    filter: QueueFilter | undefined;
    want: number;
    start: Record<string, unknown> | undefined;
    newestFirst?: boolean;
    positionOf: (r: RequestRecord) => string;
    positionOfKey: (key: Record<string, unknown>) => string;
  }): Promise<{ items: RequestRecord[]; after?: string }> {
    const names: Record<string, string> = {};
    const values = { ...q.values };
    const conditions: string[] = [];
    for (const [field, value] of Object.entries(q.filter ?? {})) {
      if (value === undefined) continue;
      names[`#q_${field}`] = field;
      values[`:q_${field}`] = value;
      conditions.push(`#q_${field} = :q_${field}`);
    }
    const filtered = conditions.length > 0;
    const items: RequestRecord[] = [];
    let start = q.start;
    let read = 0;
    for (;;) {
      const remaining = q.want - items.length;
      const out = await this.db.send(
        new QueryCommand({
          TableName: this.table,
          IndexName: q.index,
          KeyConditionExpression: q.keyCondition,
          ...(filtered ? { FilterExpression: conditions.join(' AND '), ExpressionAttributeNames: names } : {}),
          ExpressionAttributeValues: values,
          ...(q.newestFirst ? { ScanIndexForward: false } : {}),
          // Unfiltered, every item read is returned, so read exactly what the page lacks; filtered,
          // read in larger steps so sparse matches take few round trips.
          Limit: filtered ? Math.max(remaining, FILTERED_STEP) : remaining,
          ExclusiveStartKey: start,
        }),
      );
      const found = (out.Items ?? []) as RequestRecord[];
      read += out.ScannedCount ?? found.length;
      if (found.length >= remaining) {
        items.push(...found.slice(0, remaining));
        const more = found.length > remaining || out.LastEvaluatedKey !== undefined;
        return { items, ...(more ? { after: q.positionOf(items[items.length - 1]!) } : {}) };
      }
      items.push(...found);
      start = out.LastEvaluatedKey;
      if (!start) return { items };
      if (read >= READ_BUDGET) return { items, after: q.positionOfKey(start) };
    }
  }

  /**
   * The requests behind index entries (which carry only some attributes), in full and in the entries'
   * order, one GetItem each in parallel (bounded by the page: at most 100); one deleted since is left out.
   */
  private async readInFull(entries: ReadonlyArray<Pick<RequestRecord, 'pk'>>): Promise<RequestRecord[]> {
    const full = await Promise.all(entries.map((e) => this.find(e.pk.slice('REQ#'.length))));
    return full.filter((r): r is RequestRecord => r !== undefined);
  }

  /**
   * One page of closed requests, most recently closed first, from the purge-by-date index: it is sparse
   * (only closed requests carry `purgePk`) and its key `purgeAfter` is the close time plus a fixed
   * retention, so its order is the order of closing. A request leaves it when its subject fields are
   * hashed (records.subjectRetentionMonths after closing): by then there is no name or address to list.
   * Filters are applied in the query and bounded by READ_BUDGET like the open queue's; `after` is
   * `<purgeAfter>#<requestId>` of the last item returned.
   */
  async listClosed(options: { limit?: number; after?: string; filter?: QueueFilter }): Promise<{ items: RequestRecord[]; after?: string }> {
    const found = await this.filteredPage({
      index: PURGE_INDEX,
      keyCondition: 'purgePk = :purge',
      values: { ':purge': 'PURGE' },
      filter: options.filter,
      want: options.limit ?? 50,
      start: options.after ? purgeKey(options.after) : undefined,
      newestFirst: true,
      positionOf: (r) => `${r.purgeAfter}#${r.requestId}`,
      positionOfKey: (key) => `${String(key.purgeAfter)}#${String(key.pk).slice('REQ#'.length)}`,
    });
    // The index carries what the filters and the retention sweep read: the page is read in full here.
    return { ...found, items: await this.readInFull(found.items) };
  }

  /**
   * Requests filed for the same subject (by the hash of the normalised email), newest first, at most 100.
   * The index holds keys only (a subject has few requests, and every write of a request would otherwise
   * copy it again): the requests are read in full from the table. One whose subject was hashed since
   * (retention) no longer shares the key and is left out.
   * A rectification that corrected the subject's address left an alias under the new address's hash
   * (../rectification/store.ts): it lists the request it belongs to under that address too.
   */
  async bySubject(subjectHash: string): Promise<RequestRecord[]> {
    const out = await this.db.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: SUBJECT_INDEX,
        KeyConditionExpression: 'subjectHash = :h',
        ExpressionAttributeValues: { ':h': subjectHash },
        ScanIndexForward: false,
        Limit: 100,
      }),
    );
    const entries = (out.Items ?? []) as Array<Pick<RequestRecord, 'pk'> & { sk: string }>;
    const aliased = new Set(entries.filter((e) => e.sk.startsWith('RECTIFY#ALIAS#')).map((e) => e.pk));
    const full = await this.readInFull([...new Map(entries.map((e) => [e.pk, e])).values()]);
    return full.filter((r) => r.subjectHash === subjectHash || aliased.has(r.pk));
  }

  // ---- Atomic steps of verification and intake (./verification.ts, ./intake.ts). Each is one
  // conditional write; a lost condition is a StateConflict, and the caller must not go on as if it won.

  /**
   * Consumes one verification attempt BEFORE the code is compared: increments `verification.attempts`
   * only while it is below `limit`, the code on record is still `codeHash`, it has not expired at `now`,
   * and the status is one of `statuses`. Returns the record after the increment.
   */
  async consumeVerificationAttempt(
    requestId: string,
    expected: { codeHash: string; limit: number; now: string; statuses: readonly RequestStatus[] },
  ): Promise<RequestRecord> {
    const statuses = expected.statuses.map((_, k) => `:s${k}`);
    try {
      const out = await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: keys.request(requestId),
          UpdateExpression: 'SET #v.#attempts = #v.#attempts + :one, #updatedAt = :now',
          ConditionExpression: `#status IN (${statuses.join(', ')}) AND #v.#hash = :hash AND #v.#attempts < :limit AND #v.#expiresAt > :now`,
          ExpressionAttributeNames: { '#v': 'verification', '#attempts': 'attempts', '#hash': 'codeHash', '#expiresAt': 'expiresAt', '#status': 'status', '#updatedAt': 'updatedAt' },
          ExpressionAttributeValues: {
            ':one': 1,
            ':now': expected.now,
            ':hash': expected.codeHash,
            ':limit': expected.limit,
            ...Object.fromEntries(expected.statuses.map((s, k) => [`:s${k}`, s])),
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return out.Attributes as RequestRecord;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) throw new StateConflict(`request ${requestId}: no verification attempt left for this code`);
      throw err;
    }
  }

  /**
   * Puts a new code on record, BEFORE it is mailed: only if the code on record was sent at
   * `previousSentAt` as code number `next.codesSent - 1` (none on record when `previousSentAt` is
   * undefined), fewer than `maxCodes` were sent, and the status is one of `statuses`. Of concurrent resends that read the same record, exactly one wins.
   */
  async replaceVerificationCode(
    requestId: string,
    next: Verification,
    expected: { previousSentAt?: string; maxCodes: number; statuses: readonly RequestStatus[] },
  ): Promise<RequestRecord> {
    const statuses = expected.statuses.map((_, k) => `:s${k}`);
    // The count must be the one `next` was counted from, too: a winner always moves it on, even if two
    // writers' clocks gave the same sentAt.
    const onRecord =
      expected.previousSentAt === undefined
        ? 'attribute_not_exists(#v)'
        : '#v.#sentAt = :previous AND #v.#codesSent = :before AND #v.#codesSent < :max';
    try {
      const out = await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: keys.request(requestId),
          UpdateExpression: 'SET #v = :next, #updatedAt = :now',
          ConditionExpression: `#status IN (${statuses.join(', ')}) AND ${onRecord}`,
          ExpressionAttributeNames: {
            '#v': 'verification',
            '#status': 'status',
            '#updatedAt': 'updatedAt',
            ...(expected.previousSentAt === undefined ? {} : { '#sentAt': 'sentAt', '#codesSent': 'codesSent' }),
          },
          ExpressionAttributeValues: {
            ':next': next,
            ':now': next.sentAt,
            ...(expected.previousSentAt === undefined ? {} : { ':previous': expected.previousSentAt, ':before': next.codesSent - 1, ':max': expected.maxCodes }),
            ...Object.fromEntries(expected.statuses.map((s, k) => [`:s${k}`, s])),
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return out.Attributes as RequestRecord;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) throw new StateConflict(`request ${requestId}: the code on record changed meanwhile`);
      throw err;
    }
  }

  /** Claims the subject lock of a request type for `requestId` (conditional put: only if nobody holds it). */
  async claimSubjectLock(type: string, subjectHash: string, requestId: string, at: string, expiresAt: string): Promise<SubjectLockClaim> {
    const item: SubjectLockItem = { ...keys.subjectLock(type, subjectHash), requestId, lockedAt: at, expiration: epochSeconds(expiresAt) };
    try {
      await this.db.send(new PutCommand({ TableName: this.table, Item: item, ConditionExpression: 'attribute_not_exists(pk)' }));
      return { acquired: true };
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
    }
    const out = await this.db.send(new GetCommand({ TableName: this.table, Key: keys.subjectLock(type, subjectHash), ConsistentRead: true }));
    const held = out.Item as SubjectLockItem | undefined;
    // Gone between the put and the read (expired): nobody holds it, the caller claims again.
    if (!held) return { acquired: false, holder: '', lockedAt: at };
    if (held.requestId === requestId) return { acquired: true };
    return { acquired: false, holder: held.requestId, lockedAt: held.lockedAt };
  }

  /** Moves the subject lock from `from` to `to`, only if `from` still holds it. False when another won. */
  async takeOverSubjectLock(type: string, subjectHash: string, from: string, to: string, at: string, expiresAt: string): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: keys.subjectLock(type, subjectHash),
          UpdateExpression: 'SET requestId = :to, lockedAt = :at, expiration = :exp',
          ConditionExpression: 'requestId = :from',
          ExpressionAttributeValues: { ':to': to, ':from': from, ':at': at, ':exp': epochSeconds(expiresAt) },
        }),
      );
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return false;
      throw err;
    }
  }

  /**
   * Maps an Idempotency-Key to a request (conditional put: only if the key is new or its mapping
   * expired) and returns the mapping in force: this one, or the first one if another call won.
   */
  async claimIdempotencyKey(keyHash: string, bodyHash: string, requestId: string, at: string, expiresAt: string): Promise<IdempotencyItem> {
    const item: IdempotencyItem = { ...keys.idempotency(keyHash), requestId, bodyHash, createdAt: at, expiration: epochSeconds(expiresAt) };
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await this.db.send(
          new PutCommand({
            TableName: this.table,
            Item: item,
            // DynamoDB deletes expired items late (and dynalite never): an expired mapping counts as absent.
            ConditionExpression: 'attribute_not_exists(pk) OR expiration < :now',
            ExpressionAttributeValues: { ':now': epochSeconds(at) },
          }),
        );
        return item;
      } catch (err) {
        if (!(err instanceof ConditionalCheckFailedException)) throw err;
      }
      const out = await this.db.send(new GetCommand({ TableName: this.table, Key: keys.idempotency(keyHash), ConsistentRead: true }));
      if (out.Item) return out.Item as IdempotencyItem;
      // Deleted by TTL between the put and the read: claim again.
    }
    throw new StateConflict('the Idempotency-Key mapping kept changing');
  }
}
