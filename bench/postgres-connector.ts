/**
 * PostgreSQL connector benchmark: one subject with many call records in PGlite (in memory, behind its
 * socket server, read with the real `pg` driver), walked by the connector's access as the workflow's
 * collect does. It prints rows per second and the heap's high-water mark, sampled while the rows stream,
 * beside the heap before the walk: keyset pages keep it flat (the walk holds one page, plus a key per row
 * to visit each once). Nothing is asserted: figures depend on the machine, and PGlite runs its engine in
 * this same process, so they are pessimistic next to a PostgreSQL server.
 *
 *   npx tsx bench/postgres-connector.ts [rows] [batchSize]     (defaults 100,000 and 500)
 */
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { parseDataset } from '../functions/connectors/sql/dataset.ts';
import { PostgresConnector } from '../functions/connectors/sql/postgres.ts';

const ROWS = Number(process.argv[2] ?? 100_000);
const BATCH = Number(process.argv[3] ?? 500);

const db = await PGlite.create();
await db.exec(`
  CREATE TABLE accounts (id text PRIMARY KEY, email text NOT NULL);
  CREATE INDEX ON accounts (email);
  CREATE TABLE call_records (id integer PRIMARY KEY, account_id text REFERENCES accounts(id), started_at timestamptz NOT NULL, duration_seconds integer, ip_address text, device text);
  CREATE INDEX ON call_records (account_id, id);
  INSERT INTO accounts VALUES ('acc_1', 'subject@example.com'), ('acc_2', 'other@example.com');
  INSERT INTO call_records SELECT i, CASE WHEN i % 10 = 0 THEN 'acc_2' ELSE 'acc_1' END, timestamptz '2026-01-01' + i * interval '1 minute', i % 3600, '10.0.0.' || (i % 250), 'iPhone app'
    FROM generate_series(1, ${Math.ceil(ROWS / 0.9)}) AS i;
`);
const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 4 });
await server.start();

const dataset = parseDataset({
  name: 'bench',
  tables: [
    { name: 'accounts', category: 'user.account', fields: [{ name: 'id' }, { name: 'email', identity: { from: 'email' } }] },
    {
      name: 'call_records',
      category: 'user.behavior',
      fields: [{ name: 'id' }, { name: 'account_id', references: 'accounts.id' }, { name: 'started_at' }, { name: 'duration_seconds' }, { name: 'ip_address' }, { name: 'device' }],
    },
  ],
});
const connector = new PostgresConnector(
  { id: 'bench', kind: 'postgres', displayName: 'Bench', enabled: true, credentials: 'bench', dataset, batchSize: BATCH, erasure: { action: 'delete' }, objects: {} },
  { credentials: async () => ({ url: `postgres://postgres@${server.getServerConn()}/postgres` }), resolveIdentifier: async () => [] },
);

global.gc?.();
const heapBefore = process.memoryUsage().heapUsed;
let heapPeak = heapBefore;
let rows = 0;
const started = performance.now();
for await (const record of connector.access({ email: 'subject@example.com', normalizedEmail: 'subject@example.com' }, { requestId: 'bench' })) {
  if (record.object === 'call_records') rows++;
  if (rows % 5000 === 0) heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
}
const seconds = (performance.now() - started) / 1000;
const mb = (n: number) => (n / 1024 / 1024).toFixed(1);

console.log(`subject's call records streamed   ${rows.toLocaleString('en')} (of ${Math.ceil(ROWS / 0.9).toLocaleString('en')} in the table), pages of ${BATCH}`);
console.log(`rows per second                   ${Math.round(rows / seconds).toLocaleString('en')}   (${seconds.toFixed(1)} s)`);
console.log(`heap before / high-water          ${mb(heapBefore)} MB / ${mb(heapPeak)} MB   (PGlite's WASM memory is outside the JS heap)`);

await connector.close();
await server.stop();
await db.close();
