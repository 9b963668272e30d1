/**
 * A relational database of the company's own, walked as its dataset declares (dataset.ts, plan.ts), on
 * any engine a driver speaks (postgres.ts, mysql.ts, data-api.ts): access streams the subject's rows table
 * by table, breadth first from the identity; erasure handles tables children first, one transaction per
 * batch, and leaves a row that other rows still reference in place, reporting it, rather than orphaning
 * them. Values only ever travel as statement parameters. This is the one copy of that logic: a driver
 * only runs statements, runs transactions and says what kind of failure an error of its engine is.
 */
import { createHmac } from 'node:crypto';
import type { SqlConnectorConfig } from '#commons/config';
import { ConnectorAuthFailed, ConnectorError, ConnectorMisconfigured, ConnectorUnavailable } from '../errors.ts';
import type { Connector, ConnectorContext, ConnectorDeps, DataRecord, ErasureItem, ErasureOutcome, Subject } from '../types.ts';
import type { DatasetTable, Masking } from './dataset.ts';
import type { SqlDialect } from './dialect.ts';
import { deleteRow, maskedFields, maskRow, planDataset, selectPage, stillReferenced, type Plan, type Selector, type Statement, type TablePlan } from './plan.ts';
import { localText } from '#commons/local-text';

/** Runs statements; rows come back as objects keyed by column name. */
export interface SqlSession {
  run(statement: Statement): Promise<Record<string, unknown>[]>;
}

/**
 * What kind of failure an engine's error is. `foreign-key`: the database refused a delete because a row
 * it does not let the dataset see still references it (the batch is rolled back and its rows reported kept).
 */
export type FailureKind = 'auth' | 'mismatch' | 'foreign-key' | 'unavailable';

/** An engine's error, as the connector reports it: its kind and a code (SQLSTATE, errno), never its message. */
export interface Failure {
  kind: FailureKind;
  /** Shown in the connector error; a code, never the engine's message (which can quote values, e.g. an email). */
  code: string;
}

export interface SqlDriver extends SqlSession {
  readonly dialect: SqlDialect;
  /** Runs `work` in one transaction: committed whole, or rolled back whole (and the error rethrown). */
  transaction<T>(work: (tx: SqlSession) => Promise<T>): Promise<T>;
  /** The kind of an error this driver threw; undefined for one that is not the engine's (a network error). */
  classify(err: unknown): Failure | undefined;
  close(): Promise<void>;
}

/** Opens a driver from the connector's secret (a connection's `url` or parts, or nothing for the Data API). */
export type DriverFactory = (credentials: Record<string, string>, config: SqlConnectorConfig) => SqlDriver | Promise<SqlDriver>;

/** The secret the connector reads: the database credentials, or the Data API's secret; both may hold `maskingKey`. */
export function secretOf(config: SqlConnectorConfig): string {
  return config.dataApi ? config.dataApi.secretArn : config.credentials!;
}

/** The subject's rows of one table, keyed by primary key, as erasure needs them. */
type Found = Map<string, Map<string, Record<string, unknown>>>;

export class SqlConnector implements Connector {
  readonly id: string;
  readonly plan: Plan;
  private opened?: Promise<{ db: SqlDriver; maskingKey?: string }>;

  constructor(
    readonly config: SqlConnectorConfig,
    private readonly deps: ConnectorDeps,
    private readonly open: DriverFactory,
  ) {
    this.id = config.id;
    this.plan = planDataset(config.dataset);
  }

  private connection(): Promise<{ db: SqlDriver; maskingKey?: string }> {
    this.opened ??= this.deps.credentials(secretOf(this.config)).then(async (c) => ({ db: await this.open(c, this.config), ...(c.maskingKey ? { maskingKey: c.maskingKey } : {}) }));
    this.opened.catch(() => (this.opened = undefined));
    return this.opened;
  }

  /** Closes the connection pool (tests, and the embedded runtime at shutdown). */
  async close(): Promise<void> {
    const opened = this.opened;
    this.opened = undefined;
    if (opened) await (await opened).db.close();
  }

  async *access(subject: Subject, ctx: ConnectorContext): AsyncIterable<DataRecord> {
    for await (const { table, row } of this.rows(subject, ctx)) {
      yield { object: table.name, id: recordId(table, row), data: Object.fromEntries(Object.entries(row).map(([k, v]) => [k, jsonValue(v)])) };
    }
  }

  /**
   * The subject's rows, breadth first: identity selectors first, then each reference with the keys found
   * so far. A key is asked for once per selector and a row yielded once per table, so cycles end.
   */
  private async *rows(subject: Subject, ctx: ConnectorContext): AsyncGenerator<{ table: DatasetTable; row: Record<string, unknown> }> {
    const { db } = await this.connection();
    const seen = new Map<string, Set<string>>(this.plan.tables.map((t) => [t.table.name, new Set()]));
    const asked = new Map<Selector, Set<string>>();
    const queue: Array<{ plan: TablePlan; selector: Selector; values: unknown[] }> = [];
    const enqueue = (plan: TablePlan, selector: Selector, values: unknown[]) => {
      const done = asked.get(selector) ?? new Set<string>();
      asked.set(selector, done);
      const fresh = values.filter((v) => v !== null && v !== undefined && !done.has(String(v)));
      for (const v of fresh) done.add(String(v));
      if (fresh.length) queue.push({ plan, selector, values: fresh });
    };
    for (const plan of this.plan.tables) {
      for (const selector of plan.selectors) {
        if (selector.kind !== 'identity') continue;
        const values =
          selector.identity.from === 'email'
            ? [subject.normalizedEmail]
            : await this.deps.resolveIdentifier(subject, selector.identity.connectorId, selector.identity.attribute, ctx);
        enqueue(plan, selector, values);
      }
    }
    while (queue.length) {
      ctx.signal?.throwIfAborted();
      const { plan, selector, values } = queue.shift()!;
      const pageSize = this.config.batchSize;
      for (let i = 0; i < values.length; i += pageSize) {
        const batch = values.slice(i, i + pageSize);
        let rows: Record<string, unknown>[] = [];
        let last: Record<string, unknown> | undefined;
        do {
          const statement = selectPage(db.dialect, plan.table, selector.column, batch, pageSize, last);
          rows = await this.run(() => db.run(statement));
          last = rows.at(-1);
          for (const row of rows) {
            const key = recordId(plan.table, row);
            const seenHere = seen.get(plan.table.name)!;
            if (seenHere.has(key)) continue;
            seenHere.add(key);
            yield { table: plan.table, row };
            // The row's keys lead on to the rows that reference them.
            for (const next of this.plan.tables) {
              for (const s of next.selectors) {
                if (s.kind === 'reference' && s.from.table === plan.table.name) enqueue(next, s, [row[s.from.column]]);
              }
            }
          }
        } while (rows.length === pageSize);
      }
    }
  }

  async erase(subject: Subject, _policy: unknown, ctx: ConnectorContext): Promise<ErasureOutcome> {
    // Every row first: changing rows while the walk follows their keys could hide the next table's rows.
    const found: Found = new Map(this.plan.tables.map((t) => [t.table.name, new Map()]));
    for await (const { table, row } of this.rows(subject, ctx)) found.get(table.name)!.set(recordId(table, row), row);

    const items: ErasureItem[] = [];
    const report = async (item: ErasureItem) => {
      items.push(item);
      await ctx.erased?.(item);
    };
    const tables = new Map(this.plan.tables.map((t) => [t.table.name, t.table]));
    for (const name of this.plan.erasureOrder) {
      const table = tables.get(name)!;
      const rows = [...found.get(name)!.values()];
      const erasure = table.erasure;
      if (rows.length === 0) await report({ object: name, action: 'not_found', count: 0 });
      else if (erasure.action === 'retain') await report({ object: name, action: 'retained', count: rows.length, legalBasis: localText(erasure.legalBasis, 'en'), retentionPeriod: localText(erasure.retentionPeriod, 'en') });
      else if (erasure.action === 'anonymize') await report({ object: name, action: 'anonymized', count: await this.mask(table, rows, ctx) });
      else {
        const { deleted, kept } = await this.delete(table, rows, ctx);
        if (deleted) await report({ object: name, action: 'deleted', count: deleted });
        // Kept because other rows still point at them: deleting would orphan them or fail on the key.
        if (kept) await report({ object: name, action: 'retained', count: kept, legalBasis: 'Still referenced by other records that are kept (deleting it would break them)', retentionPeriod: 'Until the referencing records are erased', reason: 'erasure.why.referenced' });
      }
    }
    return { connectorId: this.id, items };
  }

  private async mask(table: DatasetTable, rows: Record<string, unknown>[], ctx: ConnectorContext): Promise<number> {
    const { db, maskingKey } = await this.connection();
    const fields = maskedFields(table);
    if (fields.some((f) => f.mask.strategy === 'keyed-hash') && !maskingKey) {
      throw new ConnectorMisconfigured(this.id, `${table.name} masks a field by keyed hash, but the credentials hold no maskingKey`);
    }
    let done = 0;
    for (let i = 0; i < rows.length; i += this.config.batchSize) {
      const batch = rows.slice(i, i + this.config.batchSize);
      await this.transaction(ctx, async (tx) => {
        for (const row of batch) {
          const values = fields.map((f) => maskedValue(f.mask, row[f.name], maskingKey));
          await tx.run(maskRow(db.dialect, table, values, row));
        }
      });
      done += batch.length;
    }
    return done;
  }

  private async delete(table: DatasetTable, rows: Record<string, unknown>[], ctx: ConnectorContext): Promise<{ deleted: number; kept: number }> {
    const { db } = await this.connection();
    const referencing = this.plan.references.filter((r) => r.parent === table.name);
    const children = new Map(this.config.dataset.tables.map((t) => [t.name, t]));
    let deleted = 0;
    let kept = 0;
    for (let i = 0; i < rows.length; i += this.config.batchSize) {
      const batch = rows.slice(i, i + this.config.batchSize);
      const outcome = await this.transaction(ctx, async (tx) => {
        // Keys some row of a declared child still holds (another person's participation in the
        // subject's meeting, a record kept under retention): those rows stay, and are reported.
        const blocked = new Set<string>();
        for (const ref of referencing) {
          const keys = batch.map((r) => r[ref.parentColumn]).filter((v) => v !== null && v !== undefined);
          if (!keys.length) continue;
          const still = await tx.run(stillReferenced(db.dialect, children.get(ref.child)!, ref.column, keys));
          for (const s of still) blocked.add(`${ref.parentColumn}\u0000${String(s.key)}`);
        }
        const free = batch.filter((r) => !referencing.some((ref) => blocked.has(`${ref.parentColumn}\u0000${String(r[ref.parentColumn])}`)));
        for (const row of free) await tx.run(deleteRow(db.dialect, table, row));
        return { deleted: free.length, kept: batch.length - free.length };
      }, { foreignKeyRefusal: true }).catch((err: unknown) => {
        // A foreign key the dataset does not declare: the batch was rolled back, nothing is half-done.
        if (err instanceof ForeignKeyRefusal) return { deleted: 0, kept: batch.length };
        throw err;
      });
      deleted += outcome.deleted;
      kept += outcome.kept;
    }
    return { deleted, kept };
  }

  /** Runs `work` in one transaction: committed whole, or rolled back whole. */
  private async transaction<T>(ctx: ConnectorContext, work: (tx: SqlSession) => Promise<T>, options: { foreignKeyRefusal?: boolean } = {}): Promise<T> {
    ctx.signal?.throwIfAborted();
    const { db } = await this.connection();
    try {
      return await db.transaction(work);
    } catch (err) {
      if (options.foreignKeyRefusal && db.classify(err)?.kind === 'foreign-key') throw new ForeignKeyRefusal();
      throw this.mapError(db, err);
    }
  }

  private async run<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      throw this.mapError((await this.connection()).db, err);
    }
  }

  /** Driver errors as connector errors; messages carry codes (SQLSTATE, errno), never values (they can be emails). */
  private mapError(db: SqlDriver, err: unknown): Error {
    if (err instanceof ConnectorError) return err;
    const failure = db.classify(err);
    if (failure?.kind === 'auth') return new ConnectorAuthFailed(this.id, `the database refused the credentials (${failure.code})`);
    // Undefined table or column, wrong type, a mask the column refuses (NULL into NOT NULL, a check):
    // the dataset does not match the database, and retrying will not change that.
    if (failure?.kind === 'mismatch' || failure?.kind === 'foreign-key') return new ConnectorMisconfigured(this.id, `the dataset does not match the database (${failure.code})`);
    if (failure) return new ConnectorUnavailable(this.id, `the database failed the statement (${failure.code})`);
    return new ConnectorUnavailable(this.id, `cannot reach the database: ${(err as Error).name}${(err as NodeJS.ErrnoException).code ? ` ${(err as NodeJS.ErrnoException).code}` : ''}`, { cause: err });
  }
}

/** A batch the database refused for a foreign key the dataset does not declare (rolled back, reported kept). */
class ForeignKeyRefusal extends Error {}

export function recordId(table: DatasetTable, row: Record<string, unknown>): string {
  return table.primaryKey.map((k) => String(jsonValue(row[k]))).join('#');
}

/** What a masked field becomes. Keyed hash: HMAC-SHA256 under the connector's masking key, so equal values stay equal. */
export function maskedValue(mask: Masking, value: unknown, key?: string): unknown {
  switch (mask.strategy) {
    case 'null':
      return null;
    case 'fixed':
      return mask.value;
    case 'keyed-hash':
      return value === null || value === undefined ? value : createHmac('sha256', key!).update(String(jsonValue(value))).digest('hex');
  }
}

/** A column value as JSON holds it: dates as ISO strings, bytes as base64, big integers as strings. */
function jsonValue(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Buffer.isBuffer(value)) return value.toString('base64');
  if (typeof value === 'bigint') return value.toString();
  return value;
}
