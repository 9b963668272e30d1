/**
 * PostgreSQL through `pg`, for the relational connector (sql-connector.ts holds the walk and the erasure):
 * a small pool, transactions on one pooled connection, and SQLSTATE codes read into failure kinds.
 */
import pg from 'pg';
import type { SqlConnectorConfig } from '#commons/config';
import type { ConnectorDeps } from '../types.ts';
import { POSTGRES } from './dialect.ts';
import { postgresFailure } from './failures.ts';
import { SqlConnector, type Failure, type SqlDriver } from './sql-connector.ts';

/** What the driver needs of a database connection; a `pg.Pool` in production. */
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

export function postgresDriver(pool: Queryable): SqlDriver {
  return {
    dialect: POSTGRES,
    run: async ({ text, values }) => (await pool.query(text, values)).rows,
    async transaction(work) {
      const tx = await pool.connect();
      try {
        await tx.query('BEGIN');
        const result = await work({ run: async ({ text, values }) => (await tx.query(text, values)).rows });
        await tx.query('COMMIT');
        tx.release();
        return result;
      } catch (err) {
        await tx.query('ROLLBACK').catch(() => undefined);
        tx.release(true);
        throw err;
      }
    },
    classify: classifyPgError,
    close: async () => void (await pool.end?.()),
  };
}

/** A `pg` error's SQLSTATE as a failure kind (failures.ts); undefined for a network error. */
export function classifyPgError(err: unknown): Failure | undefined {
  const code = err instanceof Error ? (err as { code?: unknown }).code : undefined;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? postgresFailure(code) : undefined;
}

/** A PostgreSQL database of the company's own (kind `postgres`), through `pg`. */
export class PostgresConnector extends SqlConnector {
  constructor(config: SqlConnectorConfig, deps: ConnectorDeps, openPool: PoolFactory = openPgPool) {
    super(config, deps, (credentials) => postgresDriver(openPool(credentials)));
  }
}
