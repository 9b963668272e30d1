/**
 * A PostgreSQL database of the company's own, walked as its dataset declares (dataset.ts, plan.ts): access
 * streams the subject's rows table by table, breadth first from the identity; erasure handles tables
 * children first, one transaction per batch, and leaves a row that other rows still reference in place,
 * reporting it, rather than orphaning them. Values only ever travel as query parameters.
 */
import { createHmac } from 'node:crypto';
import pg from 'pg';
import type { PostgresConnectorConfig } from '#commons/config';
import { localText } from '#commons/local-text';
import { ConnectorAuthFailed, ConnectorError, ConnectorMisconfigured, ConnectorUnavailable } from '../errors.ts';
import type { Connector, ConnectorContext, ConnectorDeps, DataRecord, ErasureItem, ErasureOutcome, Subject } from '../types.ts';
import type { DatasetTable, Masking } from './dataset.ts';
import { deleteSql, maskedFields, maskSql, planDataset, referencedSql, type Plan, type Selector, type TablePlan } from './plan.ts';

/** What a connector needs of a database connection; a `pg.Pool` in production. */
export interface Queryable {
  query(text: string, values?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
  connect(): Promise<Queryable & { release(err?: Error | boolean): void }>;
  end?(): Promise<void>;
}

/** Opens the connection pool from the credentials: `url`, or `host`/`port`/`database`/`user`/`password`. */
export type PoolFactory = (credentials: Record<string, string>) => Queryable;

export const openPgPool: PoolFactory = (c) => {
  const pool = new pg.Pool({
    ...(c.url ? { connectionString: c.url } : { host: c.host, port: c.port ? Number(c.port) : undefined, database: c.database, user: c.user, password: c.password }),
    ...(c.ssl === 'require' ? { ssl: { rejectUnauthorized: true } } : {}),
    // A Lambda serves one request at a time: two connections let a transaction and a check overlap.
    max: 2,
    connectionTimeoutMillis: 10_000,
    // The registry replaces a connector (and its pool) when credentials age out without closing it:
    // idle connections close on their own, so replaced pools never pile up on the database.
    idleTimeoutMillis: 10_000,
    allowExitOnIdle: true,
  });
  // An idle connection the server drops (restart, failover) is an 'error' event on the pool, which would
  // end the process unheard; the pool discards that connection and the next query opens another.
  pool.on('error', () => undefined);
  return pool as unknown as Queryable;
};

/** The subject's rows of one table, keyed by primary key, as erasure needs them. */
type Found = Map<string, Map<string, Record<string, unknown>>>;

export class PostgresConnector implements Connector {
  readonly id: string;
  readonly plan: Plan;
  private pool?: Promise<{ db: Queryable; maskingKey?: string }>;

  constructor(
    readonly config: PostgresConnectorConfig,
    private readonly deps: ConnectorDeps,
    private readonly openPool: PoolFactory = openPgPool,
  ) {
    this.id = config.id;
    this.plan = planDataset(config.dataset);
  }

  private connection(): Promise<{ db: Queryable; maskingKey?: string }> {
    this.pool ??= this.deps.credentials(this.config.credentials).then((c) => ({ db: this.openPool(c), ...(c.maskingKey ? { maskingKey: c.maskingKey } : {}) }));
    this.pool.catch(() => (this.pool = undefined));
    return this.pool;
  }

  /** Closes the pool (tests, and the embedded runtime at shutdown). */
  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    if (pool) await (await pool).db.end?.();
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
          const params = last ? [batch, pageSize, ...plan.table.primaryKey.map((k) => last![k])] : [batch, pageSize];
          rows = (await this.run(() => db.query(last ? selector.nextSql : selector.sql, params))).rows;
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
    const { maskingKey } = await this.connection();
    const fields = maskedFields(table);
    if (fields.some((f) => f.mask.strategy === 'keyed-hash') && !maskingKey) {
      throw new ConnectorMisconfigured(this.id, `${table.name} masks a field by keyed hash, but the credentials hold no maskingKey`);
    }
    const sql = maskSql(table);
    let done = 0;
    for (let i = 0; i < rows.length; i += this.config.batchSize) {
      const batch = rows.slice(i, i + this.config.batchSize);
      await this.transaction(ctx, async (tx) => {
        for (const row of batch) {
          const values = fields.map((f) => maskedValue(f.mask, row[f.name], maskingKey));
          await tx.query(sql, [...values, ...table.primaryKey.map((k) => row[k])]);
        }
      });
      done += batch.length;
    }
    return done;
  }

  private async delete(table: DatasetTable, rows: Record<string, unknown>[], ctx: ConnectorContext): Promise<{ deleted: number; kept: number }> {
    const referencing = this.plan.references.filter((r) => r.parent === table.name);
    const children = new Map(this.config.dataset.tables.map((t) => [t.name, t]));
    const sql = deleteSql(table);
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
          const { rows: still } = await tx.query(referencedSql(children.get(ref.child)!, ref.column), [keys]);
          for (const s of still) blocked.add(`${ref.parentColumn}\u0000${String(s.key)}`);
        }
        const free = batch.filter((r) => !referencing.some((ref) => blocked.has(`${ref.parentColumn}\u0000${String(r[ref.parentColumn])}`)));
        for (const row of free) await tx.query(sql, table.primaryKey.map((k) => row[k]));
        return { deleted: free.length, kept: batch.length - free.length };
      }).catch((err: unknown) => {
        // A foreign key the dataset does not declare: the batch was rolled back, nothing is half-done.
        if (isPgError(err) && err.code === '23503') return { deleted: 0, kept: batch.length };
        throw err;
      });
      deleted += outcome.deleted;
      kept += outcome.kept;
    }
    return { deleted, kept };
  }

  /** Runs `work` in one transaction on one connection: committed whole, or rolled back whole. */
  private async transaction<T>(ctx: ConnectorContext, work: (tx: Queryable) => Promise<T>): Promise<T> {
    ctx.signal?.throwIfAborted();
    const { db } = await this.connection();
    const tx = await this.run(() => db.connect());
    try {
      await tx.query('BEGIN');
      const result = await work(tx);
      await tx.query('COMMIT');
      tx.release();
      return result;
    } catch (err) {
      await tx.query('ROLLBACK').catch(() => undefined);
      tx.release(true);
      if (isPgError(err) && err.code === '23503') throw err;
      throw this.mapError(err);
    }
  }

  private async run<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      throw this.mapError(err);
    }
  }

  /** Driver errors as connector errors; messages carry SQLSTATE codes, never values (they can be emails). */
  private mapError(err: unknown): Error {
    if (err instanceof ConnectorError) return err;
    if (isPgError(err) && err.code) {
      const code = err.code;
      if (code === '28P01' || code === '28000') return new ConnectorAuthFailed(this.id, `the database refused the credentials (SQLSTATE ${code})`);
      // Undefined table or column, wrong type, a mask the column refuses (NULL into NOT NULL, a check):
      // the dataset does not match the database, and retrying will not change that.
      if (code.startsWith('42') || code.startsWith('22') || code.startsWith('23')) return new ConnectorMisconfigured(this.id, `the dataset does not match the database (SQLSTATE ${code})`);
      return new ConnectorUnavailable(this.id, `the database failed the statement (SQLSTATE ${code})`);
    }
    return new ConnectorUnavailable(this.id, `cannot reach the database: ${(err as Error).name}${(err as NodeJS.ErrnoException).code ? ` ${(err as NodeJS.ErrnoException).code}` : ''}`, { cause: err });
  }
}

function isPgError(err: unknown): err is Error & { code?: string } {
  const code = err instanceof Error ? (err as { code?: unknown }).code : undefined;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code);
}

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
