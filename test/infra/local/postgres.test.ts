import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALICE, BOB } from '../../../infra/local/demo/people.ts';
import { startPostgres, type LocalPostgres } from '../../../infra/local/postgres.ts';

let dir: string;
let postgres: LocalPostgres;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'local-postgres-'));
  // A short idle time so the test sees the database's process come and go.
  postgres = await startPostgres({ host: '127.0.0.1', port: 0, dataDir: dir, people: [ALICE, BOB], idleMs: 200 });
}, 60_000);

afterAll(async () => {
  await postgres?.close();
  await rm(dir, { recursive: true, force: true });
});

async function stopped(): Promise<void> {
  const deadline = Date.now() + 20_000; // a limit for a stuck process, not a speed requirement
  while (postgres.engineRunning()) {
    if (Date.now() > deadline) throw new Error('the database process is still running with no client');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function query(text: string): Promise<{ rows: Record<string, unknown>[]; runningMeanwhile: boolean }> {
  const client = new pg.Client({ connectionString: postgres.url });
  await client.connect();
  try {
    const { rows } = await client.query(text);
    return { rows: rows as Record<string, unknown>[], runningMeanwhile: postgres.engineRunning() };
  } finally {
    await client.end();
  }
}

describe("the embedded runtime's product database", () => {
  // PGlite's WebAssembly memory and compiled code stay in a process for good (150-350 MB): it lives in a
  // process of its own only while clients are connected (docs/benchmarks.md, "Embedded runtime memory").
  it('has no process running while no client is connected, once seeded', async () => {
    await stopped();
  });

  it('starts it again for a client, with the seeded rows, and ends it once the client is gone', async () => {
    await stopped();
    const answer = await query(`SELECT email FROM accounts WHERE email = '${ALICE.email}'`);
    expect(answer).toEqual({ rows: [{ email: ALICE.email }], runningMeanwhile: true });
    await stopped();
  });

  it('serves several clients at once from one process', async () => {
    const answers = await Promise.all([query('SELECT 1 AS one'), query('SELECT 2 AS two'), query('SELECT 3 AS three')]);
    expect(answers.map((a) => a.rows)).toEqual([[{ one: 1 }], [{ two: 2 }], [{ three: 3 }]]);
  });

  // Postgres's default of 128 MB lands in PGlite's WebAssembly memory, which never shrinks.
  it('runs with 16 MB of shared buffers, not the 128 MB default', async () => {
    expect((await query('SHOW shared_buffers')).rows).toEqual([{ shared_buffers: '16MB' }]);
  });
});
