/**
 * MySQL and MariaDB through `mysql2` (mysql.ts loads this module only when a MySQL connector first
 * connects; the stack ships it as its own file beside each connector function's bundle, infra/bundling.ts):
 * a small pool, real server-side prepared statements (`execute`, so values never become SQL text),
 * transactions on one pooled connection, and MySQL error numbers read into failure kinds.
 */
import mysql from 'mysql2/promise';
import { MYSQL } from './dialect.ts';
import { mysqlFailure } from './failures.ts';
import type { Failure, SqlDriver, SqlSession } from './sql-connector.ts';

/** What the driver needs of a pool; a `mysql2/promise` pool in production. */
export interface MysqlPool {
  execute(text: string, values: unknown[]): Promise<[unknown, unknown]>;
  getConnection(): Promise<MysqlPool & { beginTransaction(): Promise<void>; commit(): Promise<void>; rollback(): Promise<void>; release(): void; destroy(): void }>;
  end(): Promise<void>;
}

/** Opens the pool from the credentials: `url` (mysql://user:password@host:port/database), or the parts. */
export function openMysqlPool(c: Record<string, string>): MysqlPool {
  const options = {
    // A Lambda serves one request at a time: two connections let a transaction and a check overlap.
    connectionLimit: 2,
    connectTimeout: 10_000,
    // Idle connections close on their own, so pools of replaced connectors never pile up on the server.
    maxIdle: 0,
    idleTimeout: 10_000,
    // utf8mb4 only: every string is UTF-8, so the driver never needs another character set's tables.
    charset: 'utf8mb4',
    // Dates are read and written as UTC, as the access package states them.
    timezone: 'Z',
    // Big integers and decimals as strings: a JSON number would round them.
    supportBigNumbers: true,
    bigNumberStrings: true,
    decimalNumbers: false,
    // Key batches vary in length, and each length is its own prepared statement: keep few, the server
    // allows only so many (max_prepared_stmt_count) across all its clients.
    maxPreparedStatements: 32,
    ...(c.ssl === 'require' ? { ssl: { rejectUnauthorized: true } } : {}),
  };
  const pool = c.url
    ? mysql.createPool({ uri: c.url, ...options })
    : mysql.createPool({ host: c.host, port: c.port ? Number(c.port) : undefined, database: c.database, user: c.user, password: c.password, ...options });
  return pool as unknown as MysqlPool;
}

/** mysql2 refuses `undefined` as a parameter; SQL has NULL for it. */
const bound = (values: unknown[]) => values.map((v) => (v === undefined ? null : v));

function session(db: Pick<MysqlPool, 'execute'>): SqlSession {
  return { run: async ({ text, values }) => (await db.execute(text, bound(values)))[0] as Record<string, unknown>[] };
}

export function mysqlDriver(pool: MysqlPool): SqlDriver {
  return {
    dialect: MYSQL,
    ...session(pool),
    async transaction(work) {
      const conn = await pool.getConnection();
      try {
        await conn.beginTransaction();
        const result = await work(session(conn));
        await conn.commit();
        conn.release();
        return result;
      } catch (err) {
        // A connection whose rollback failed is in an unknown state: it is closed, not pooled again.
        await conn.rollback().then(() => conn.release(), () => conn.destroy());
        throw err;
      }
    },
    classify: classifyMysqlError,
    close: () => pool.end(),
  };
}

/** A MySQL server error (errno and SQLSTATE) as a failure kind (failures.ts); undefined for a network error. */
export function classifyMysqlError(err: unknown): Failure | undefined {
  const { errno, sqlState } = (err ?? {}) as { errno?: unknown; sqlState?: unknown };
  if (typeof errno !== 'number' || typeof sqlState !== 'string' || !/^[0-9A-Z]{5}$/.test(sqlState)) return undefined;
  return mysqlFailure(errno, sqlState);
}
