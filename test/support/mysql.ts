/**
 * A MySQL-compatible server for the MySQL connector's engine tests, where `DSAR_TEST_MYSQL_URL` names one
 * (.ci/run starts Debian's MariaDB as root). There is no embedded MySQL engine, so without the URL the
 * tests cannot run: in CI (CI=true) that is a failure, elsewhere they are skipped with the reason printed.
 */
import mysql from 'mysql2/promise';

export interface TestMysql {
  url: string;
  /** Runs SQL on its own connection (setup and checks, outside the connector); several statements allowed. */
  sql(text: string, values?: unknown[]): Promise<Record<string, unknown>[]>;
  stop(): Promise<void>;
}

export const MYSQL_URL = process.env.DSAR_TEST_MYSQL_URL;

/** Why the engine tests do not run here, when they do not. */
export const MYSQL_MISSING =
  'DSAR_TEST_MYSQL_URL is not set, so the MySQL connector was not tested against a server. ' +
  'Set it to mysql://user@host:port/database (a user that may create databases), or run .ci/run as root, which starts Debian\'s MariaDB.';

export async function connectMysql(url: string): Promise<TestMysql> {
  const c = await mysql.createConnection({ uri: url, multipleStatements: true, timezone: 'Z' });
  return {
    url,
    sql: async (text, values) => {
      const [rows] = await c.query(text, values);
      return (Array.isArray(rows) ? rows : []) as Record<string, unknown>[];
    },
    stop: () => c.end(),
  };
}
