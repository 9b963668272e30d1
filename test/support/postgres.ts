/**
 * PostgreSQL engines for the relational connector's tests: always PGlite (the WASM build of Postgres) in
 * this process behind its socket server, so the real `pg` driver talks the wire protocol to it; and a
 * PostgreSQL server too when `DSAR_TEST_POSTGRES_URL` names one (.ci/run starts Debian's as root).
 */
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import pg from 'pg';

export interface TestPostgres {
  engine: string;
  url: string;
  /** Runs SQL on its own connection (setup and checks, outside the connector). */
  sql(text: string, values?: unknown[]): Promise<Record<string, unknown>[]>;
  stop(): Promise<void>;
}

async function client(url: string) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  return c;
}

export async function startPglite(): Promise<TestPostgres> {
  const db = await PGlite.create();
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 4 });
  await server.start();
  const url = `postgres://postgres@${server.getServerConn()}/postgres`;
  const c = await client(url);
  return {
    engine: 'PGlite',
    url,
    sql: async (text, values) => (await c.query(text, values)).rows,
    stop: async () => {
      await c.end();
      await server.stop();
      await db.close();
    },
  };
}

export async function connectServer(url: string): Promise<TestPostgres> {
  const c = await client(url);
  return { engine: 'PostgreSQL server', url, sql: async (text, values) => (await c.query(text, values)).rows, stop: () => c.end() };
}

/** The engines this run has: PGlite always, the server when the environment names one. */
export const ENGINES: Array<{ name: string; start(): Promise<TestPostgres> }> = [
  { name: 'PGlite', start: startPglite },
  ...(process.env.DSAR_TEST_POSTGRES_URL ? [{ name: 'PostgreSQL server', start: () => connectServer(process.env.DSAR_TEST_POSTGRES_URL!) }] : []),
];
