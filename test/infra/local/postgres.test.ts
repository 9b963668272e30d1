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
  postgres = await startPostgres({ host: '127.0.0.1', port: 0, dataDir: dir, people: [ALICE, BOB] });
}, 60_000);

afterAll(async () => {
  await postgres?.close();
  await rm(dir, { recursive: true, force: true });
});

async function query(text: string): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ connectionString: postgres.url });
  await client.connect();
  try {
    return (await client.query(text)).rows as Record<string, unknown>[];
  } finally {
    await client.end();
  }
}

describe("the embedded runtime's product database", () => {
  // Postgres's default of 128 MB lands in PGlite's WebAssembly memory, which never shrinks: it was a
  // large part of the runtime's resident memory at rest (docs/benchmarks.md, "Embedded runtime memory").
  it('runs with 16 MB of shared buffers, not the 128 MB default', async () => {
    expect(await query('SHOW shared_buffers')).toEqual([{ shared_buffers: '16MB' }]);
  });

  it("still serves the seeded rows (alice's account)", async () => {
    expect(await query(`SELECT email FROM accounts WHERE email = '${ALICE.email}'`)).toEqual([{ email: ALICE.email }]);
  });
});
