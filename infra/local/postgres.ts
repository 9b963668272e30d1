/**
 * The example company's product database in the embedded runtime: a real PostgreSQL engine with no
 * install and no root (PGlite, the WASM build of Postgres) persisted under the data folder, served on
 * 127.0.0.1 by PGlite's socket server so the connector's own `pg` driver talks the wire protocol to it.
 *
 * PGlite runs in a child process (postgres-child.ts) started when a client connects and ended when no
 * client has been connected for a while (`idleMs`): its WebAssembly memory and compiled code take
 * 150-350 MB that a process never gives back, which made the runtime miss its memory target at rest
 * (docs/benchmarks.md, "Embedded runtime memory"). The runtime listens on the port itself and passes
 * each connection through; a client waits at most one PGlite start (a few seconds) for its first answer.
 * Seeded once, in one transaction, with the demo people (demo/people.ts): alice has rows in several
 * related tables, bob one support ticket, carol nothing, and the crowd rows of their own, some with
 * addresses that look like alice's.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { ALICE, BOB, type DemoPerson } from './demo/people.ts';
import { typescriptChildArgs } from './node-child.ts';
import { makePrivate } from './private-files.ts';

export interface LocalPostgres {
  url: string;
  /** The key the connector's keyed-hash masking uses (what the secret's `maskingKey` holds on AWS). */
  maskingKey: string;
  /** Whether PGlite's process is running now (it starts on a connection and ends when idle). */
  engineRunning(): boolean;
  close(): Promise<void>;
}

/** How many crowd people get product rows: enough that a wrong filter exports strangers, quick to seed. */
export const PRODUCT_CROWD = 200;

const SCHEMA = `
  CREATE TABLE accounts (id text PRIMARY KEY, email text NOT NULL, full_name text, phone text, preferred_language text, created_at timestamptz NOT NULL);
  CREATE INDEX accounts_email ON accounts (email);
  CREATE TABLE meetings (id integer PRIMARY KEY, owner_id text NOT NULL REFERENCES accounts(id), title text NOT NULL, scheduled_at timestamptz NOT NULL);
  CREATE INDEX meetings_owner ON meetings (owner_id);
  CREATE TABLE meeting_participants (id integer PRIMARY KEY, meeting_id integer NOT NULL REFERENCES meetings(id), account_id text REFERENCES accounts(id), joined_at timestamptz);
  CREATE INDEX participants_account ON meeting_participants (account_id);
  CREATE TABLE call_records (id integer PRIMARY KEY, account_id text REFERENCES accounts(id), started_at timestamptz NOT NULL, duration_seconds integer NOT NULL, ip_address text, device text);
  CREATE INDEX calls_account ON call_records (account_id);
  CREATE TABLE support_tickets (id integer PRIMARY KEY, requester_email text, subject text NOT NULL, body text, created_at timestamptz NOT NULL);
  CREATE INDEX tickets_email ON support_tickets (requester_email);
  CREATE TABLE audit_log (id integer PRIMARY KEY, actor text NOT NULL, action text NOT NULL, at timestamptz NOT NULL);
`;

type Row = Record<string, string | number | null>;

/** The product database's rows for the demo people, deterministic like the rest of the demo. */
export function productRows(people: DemoPerson[]): Record<string, Row[]> {
  const rows: Record<string, Row[]> = { accounts: [], meetings: [], meeting_participants: [], call_records: [], support_tickets: [], audit_log: [] };
  let meeting = 1;
  let participant = 1;
  let call = 1;
  let ticket = 1;
  const at = (day: number, hour = 9) => new Date(Date.UTC(2026, 0, 1 + day, hour)).toISOString();
  const account = (p: DemoPerson) =>
    rows.accounts!.push({ id: p.accountId, email: p.email, full_name: p.name, phone: p.phone, preferred_language: p.language, created_at: at(p.index % 300) });
  const crowd = people.filter((p) => p.index > 2).slice(0, PRODUCT_CROWD);
  for (const p of [ALICE, ...crowd]) {
    account(p);
    const meetings = p === ALICE ? 2 : 1;
    for (let m = 0; m < meetings; m++) {
      const id = meeting++;
      rows.meetings!.push({ id, owner_id: p.accountId, title: `${p === ALICE ? 'Design review' : 'Weekly sync'} ${m + 1}`, scheduled_at: at(m + 10) });
      rows.meeting_participants!.push({ id: participant++, meeting_id: id, account_id: p.accountId, joined_at: at(m + 10, 10) });
    }
    const calls = p === ALICE ? 3 : 1;
    for (let c = 0; c < calls; c++) {
      rows.call_records!.push({ id: call++, account_id: p.accountId, started_at: at(c + 20), duration_seconds: 60 * (c + 1), ip_address: `10.0.${p.index % 250}.${c + 1}`, device: c % 2 ? 'macOS app' : 'iPhone app' });
    }
    if (p === ALICE || p.index % 5 === 0) {
      rows.support_tickets!.push({ id: ticket++, requester_email: p.email, subject: 'Camera not detected', body: 'The camera is not found when I join a meeting.', created_at: at(30) });
    }
  }
  // Bob never signed up, but wrote to support once.
  rows.support_tickets!.push({ id: ticket++, requester_email: BOB.email, subject: 'Pricing question', body: 'Do you offer a discount for schools?', created_at: at(31) });
  rows.audit_log!.push({ id: 1, actor: ALICE.accountId, action: 'login', at: at(40) });
  return rows;
}

/** `INSERT ... VALUES ($1, $2), ...` for one table's rows, values as parameters. */
function insert(table: string, rows: Row[]): { sql: string; params: unknown[] } {
  const columns = Object.keys(rows[0]!);
  const params: unknown[] = [];
  const tuples = rows.map((r) => `(${columns.map((c) => `$${params.push(r[c])}`).join(', ')})`);
  return { sql: `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${tuples.join(', ')}`, params };
}

/** The masking key of this data folder: generated once, readable by the owner only. */
function maskingKey(dataDir: string): string {
  const file = join(dataDir, 'postgres-masking-key');
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString('base64url'), { mode: 0o600, flag: 'wx' });
  return readFileSync(file, 'utf8').trim();
}

/**
 * Postgres's settings for the demo database. shared_buffers: Postgres's default is 128 MB, which PGlite
 * places in its WebAssembly memory, and a WebAssembly memory never shrinks; the demo's few thousand rows
 * need a fraction of that (docs/benchmarks.md, "Embedded runtime memory").
 */
export const POSTGRESQL_CONF = ['shared_buffers = 16MB'];

/** How long PGlite's process stays after its last client disconnected (the connectors' pools close idle connections after 10 s). */
export const POSTGRES_IDLE_MS = 15_000;

/** PGlite and its socket server in this process, seeded with `rows` if the folder is new: what postgres-child.ts runs. */
export async function servePostgres(options: { host: string; port: number; dataDir: string; rows: Record<string, Row[]> }): Promise<{ port: number; close(): Promise<void> }> {
  // PGlite's file system layer writes its files world-readable (0666) whatever the umask: the folder is
  // made private before it starts, and every file in it tightened once it has written them and on stop.
  const directory = join(options.dataDir, 'postgres');
  makePrivate(directory);
  const db = await PGlite.create(directory, { postgresqlconf: POSTGRESQL_CONF });
  const seeded = (await db.query<{ t: string | null }>(`SELECT to_regclass('public.accounts')::text AS t`)).rows[0]?.t;
  if (!seeded) {
    await db.transaction(async (tx) => {
      await tx.exec(SCHEMA);
      for (const [table, rows] of Object.entries(options.rows)) {
        for (let i = 0; i < rows.length; i += 500) {
          const { sql, params } = insert(table, rows.slice(i, i + 500));
          await tx.query(sql, params);
        }
      }
    });
  }
  // Each function's connector keeps a small pool; the socket server queues their statements on the one engine.
  const server = new PGLiteSocketServer({ db, host: options.host, port: options.port, maxConnections: 32 });
  await server.start();
  makePrivate(directory);
  return {
    port: Number(server.getServerConn().split(':').pop()),
    close: async () => {
      await server.stop();
      await db.close();
      makePrivate(directory);
    },
  };
}

/**
 * PGlite's process: started on demand (at most one at a time; a new one waits for the previous one to
 * have exited, so two never open the folder), ended `idleMs` after the last user released it.
 */
class PostgresProcess {
  private child: ChildProcess | undefined;
  private ready: Promise<number> | undefined;
  private exited: Promise<void> = Promise.resolve();
  private users = 0;
  private idleTimer: NodeJS.Timeout | undefined;

  // Plain fields, not parameter properties: the child loads this file with Node's type stripping.
  private readonly start: { dataDir: string; rows: Record<string, Row[]> };
  private readonly idleMs: number;

  constructor(start: { dataDir: string; rows: Record<string, Row[]> }, idleMs: number) {
    this.start = start;
    this.idleMs = idleMs;
  }

  running(): boolean {
    return this.child !== undefined;
  }

  /** The port PGlite's own server listens on, once it runs; holds the process until `release()`. */
  acquire(): Promise<number> {
    this.users += 1;
    clearTimeout(this.idleTimer);
    this.ready ??= this.spawn();
    return this.ready;
  }

  release(): void {
    this.users -= 1;
    if (this.users > 0) return;
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => void this.stop(), this.idleMs);
    // Waiting to stop an idle database must not keep the runtime alive.
    this.idleTimer.unref();
  }

  /** Ends the process (on `stop` it closes PGlite cleanly) and waits for it to exit. */
  async stop(): Promise<void> {
    clearTimeout(this.idleTimer);
    const child = this.child;
    this.child = undefined;
    this.ready = undefined;
    child?.stdin?.end('stop\n');
    await this.exited;
  }

  private async spawn(): Promise<number> {
    await this.exited;
    // Own process group: a Ctrl-C reaches the runtime, which stops this in order; its stdin ends if the runtime dies.
    const child = spawn(process.execPath, typescriptChildArgs('./postgres-child.ts'), {
      env: { ...process.env, NODE_OPTIONS: '' },
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });
    this.child = child;
    this.exited = once(child, 'close').then(() => {
      if (this.child === child) {
        this.child = undefined;
        this.ready = undefined;
      }
    });
    let stdout = '';
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-4000)));
    child.stdin!.on('error', () => undefined);
    child.stdin!.write(`${JSON.stringify(this.start)}\n`);
    return new Promise<number>((resolve, reject) => {
      child.stdout!.setEncoding('utf8').on('data', (d: string) => {
        stdout += d;
        const line = /^(\{.*\})\n/.exec(stdout);
        if (line) resolve((JSON.parse(line[1]!) as { port: number }).port);
      });
      void this.exited.then(() => reject(new Error(`the product database's process exited before it was ready: ${stderr.trim()}`)));
    });
  }
}

export async function startPostgres(options: { host: string; port: number; dataDir: string; people: DemoPerson[]; idleMs?: number }): Promise<LocalPostgres> {
  const engine = new PostgresProcess({ dataDir: options.dataDir, rows: productRows(options.people) }, options.idleMs ?? POSTGRES_IDLE_MS);
  // Started once now, so a first start seeds the folder and a broken database fails the start, not a request.
  try {
    await engine.acquire();
  } finally {
    engine.release();
  }
  const connections = new Set<Socket>();
  const front = createServer((socket) => {
    connections.add(socket);
    socket.on('error', () => undefined);
    socket.once('close', () => {
      connections.delete(socket);
      engine.release();
    });
    // The client's first bytes wait in the socket until it is piped (nothing reads it before).
    engine.acquire().then(
      (port) => {
        if (socket.destroyed) return;
        const upstream = connect(port, '127.0.0.1');
        upstream.on('error', () => socket.destroy());
        upstream.once('close', () => socket.destroy());
        socket.once('close', () => upstream.destroy());
        socket.pipe(upstream).pipe(socket);
      },
      () => socket.destroy(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    front.once('error', reject);
    front.listen(options.port, options.host, () => resolve());
  });
  const { port } = front.address() as AddressInfo;
  const directory = join(options.dataDir, 'postgres');
  return {
    url: `postgres://postgres@${options.host}:${port}/postgres`,
    maskingKey: maskingKey(options.dataDir),
    engineRunning: () => engine.running(),
    close: async () => {
      await new Promise<void>((resolve) => {
        front.close(() => resolve());
        for (const socket of connections) socket.destroy();
      });
      await engine.stop();
      makePrivate(directory);
    },
  };
}
