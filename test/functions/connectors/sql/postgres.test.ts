/**
 * The PostgreSQL connector against a real engine: PGlite always, and a PostgreSQL server when
 * DSAR_TEST_POSTGRES_URL names one (CI as root). Each test gets its own schema, so engines can be shared.
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { PostgresConnectorConfig } from '#commons/config';
import { discover } from '#connectors/discovery';
import { ConnectorAuthFailed, ConnectorMisconfigured } from '#connectors/errors';
import { parseDataset, type Dataset } from '../../../../functions/connectors/sql/dataset.ts';
import { openPgPool, PostgresConnector } from '../../../../functions/connectors/sql/postgres.ts';
import type { ConnectorDeps, DataRecord, ErasureItem } from '../../../../functions/connectors/types.ts';
import { ENGINES, type TestPostgres } from '../../../support/postgres.ts';
import type { EventEmitter } from 'node:events';

const MASKING_KEY = 'test-masking-key';
const product = JSON.parse(readFileSync('config/datasets/product.json', 'utf8')) as { tables: Array<Record<string, unknown>> };
const alice = { email: 'Alice@Example.com', normalizedEmail: 'alice@example.com' };
const ctx = { requestId: 'dsar_pg' };
let schemas = 0;

/** The example product schema, with real foreign keys, in a fresh schema. */
function ddl(s: string): string {
  return `
    CREATE SCHEMA ${s};
    CREATE TABLE ${s}.accounts (id int PRIMARY KEY, email text NOT NULL, full_name text, phone text, preferred_language text, created_at timestamptz NOT NULL DEFAULT now());
    CREATE TABLE ${s}.meetings (id int PRIMARY KEY, owner_id int NOT NULL REFERENCES ${s}.accounts(id), title text, scheduled_at timestamptz);
    CREATE TABLE ${s}.meeting_participants (id int PRIMARY KEY, meeting_id int NOT NULL REFERENCES ${s}.meetings(id), account_id int REFERENCES ${s}.accounts(id), joined_at timestamptz);
    CREATE TABLE ${s}.call_records (id int PRIMARY KEY, account_id int REFERENCES ${s}.accounts(id), started_at timestamptz, duration_seconds int, ip_address text, device text);
    CREATE TABLE ${s}.support_tickets (id int PRIMARY KEY, requester_email text, subject text, body text, created_at timestamptz NOT NULL DEFAULT now());
    CREATE TABLE ${s}.audit_log (id int PRIMARY KEY, actor text, action text);
    INSERT INTO ${s}.accounts (id, email, full_name, phone) VALUES (1, 'alice@example.com', 'Alice', '+47 1111'), (2, 'bob@example.com', 'Bob', '+47 2222');
    INSERT INTO ${s}.meetings (id, owner_id, title) VALUES (10, 1, 'Alice standup'), (11, 1, 'Alice review'), (12, 2, 'Bob sync');
    INSERT INTO ${s}.meeting_participants (id, meeting_id, account_id) VALUES (100, 10, 1), (101, 12, 1), (102, 12, 2);
    INSERT INTO ${s}.call_records (id, account_id, duration_seconds, ip_address, device) VALUES (1000, 1, 60, '10.0.0.1', 'iPhone'), (1001, 1, 90, '10.0.0.2', 'Mac'), (1002, 2, 30, '10.0.0.3', 'Pixel');
    INSERT INTO ${s}.support_tickets (id, requester_email, subject, body) VALUES (5000, 'alice@example.com', 'Cannot join', 'My camera fails'), (5001, 'bob@example.com', 'Invoice', 'Wrong VAT');
    INSERT INTO ${s}.audit_log (id, actor, action) VALUES (1, 'alice@example.com', 'login');`;
}

function datasetIn(s: string): Dataset {
  return parseDataset({ ...product, $schema: undefined, tables: product.tables.map((t) => ({ ...t, schema: s })) });
}

async function all<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

const countBy = (records: DataRecord[]) => records.reduce<Record<string, number>>((acc, r) => ({ ...acc, [r.object]: (acc[r.object] ?? 0) + 1 }), {});

describe.each(ENGINES)('the PostgreSQL connector on $name', (engine) => {
  let pg: TestPostgres;
  const opened: PostgresConnector[] = [];
  beforeAll(async () => {
    pg = await engine.start();
  });
  afterEach(async () => {
    for (const c of opened.splice(0)) await c.close();
  });
  afterAll(async () => {
    await pg.stop();
  });

  /** A fresh copy of the product database and a connector on it. */
  async function setup(extra = '', dataset?: (s: string) => Dataset, batchSize = 500) {
    const s = `t${process.pid}_${++schemas}`;
    await pg.sql(ddl(s) + extra.replaceAll('$S', s));
    const deps: ConnectorDeps = {
      credentials: async () => ({ url: pg.url, maskingKey: MASKING_KEY }),
      resolveIdentifier: async () => ['1'],
    };
    const config = { id: 'product', kind: 'postgres', displayName: 'Product database', enabled: true, credentials: 'product-db', dataset: (dataset ?? datasetIn)(s), batchSize, erasure: { action: 'delete' }, objects: {} } as PostgresConnectorConfig;
    const connector = new PostgresConnector(config, deps);
    opened.push(connector);
    return { s, connector };
  }

  it("finds the subject's rows in every table a reference reaches, and nobody else's", async () => {
    const { connector } = await setup();
    const records = await all(connector.access(alice, ctx));
    expect(countBy(records)).toEqual({ accounts: 1, support_tickets: 1, meetings: 2, meeting_participants: 2, call_records: 2 });
    const account = records.find((r) => r.object === 'accounts')!;
    expect(account).toMatchObject({ id: '1', data: { id: 1, email: 'alice@example.com', full_name: 'Alice', phone: '+47 1111' } });
    // Dates become ISO strings, as JSON holds them.
    expect(account.data.created_at).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(records.filter((r) => r.object === 'call_records').map((r) => r.id).sort()).toEqual(['1000', '1001']);
  });

  it("counts the subject's rows per table for the preview exactly as access exports them, and writes nothing", async () => {
    const { s, connector } = await setup();
    expect(await discover(connector, alice, ctx)).toEqual(countBy(await all(connector.access(alice, ctx))));
    expect(await discover(connector, { email: 'carol@example.com', normalizedEmail: 'carol@example.com' }, ctx)).toEqual({});
    expect(await pg.sql(`SELECT count(*)::int AS n FROM ${s}.accounts`)).toEqual([{ n: 2 }]);
  });

  it('never reads a table that no path reaches, and says so in its plan', async () => {
    const { connector } = await setup();
    expect(connector.plan.unreachable).toEqual(['audit_log']);
    const records = await all(connector.access(alice, ctx));
    expect(records.some((r) => r.object === 'audit_log')).toBe(false);
  });

  it('finds nothing for SQL smuggled into the identity, and changes nothing', async () => {
    const { s, connector } = await setup();
    for (const email of ["x' OR '1'='1", `alice@example.com'; DROP TABLE ${s}.accounts; --`, 'alice@example.com\\', "%' OR email LIKE '%"]) {
      const subject = { email, normalizedEmail: email };
      expect(await all(connector.access(subject, ctx))).toEqual([]);
      const outcome = await connector.erase(subject, () => ({ action: 'delete' }), ctx);
      expect(outcome.items.every((i) => i.action === 'not_found')).toBe(true);
    }
    expect(await pg.sql(`SELECT count(*)::int AS n FROM ${s}.accounts`)).toEqual([{ n: 2 }]);
  });

  it('erases children before the rows they reference, masks what is anonymized, and leaves a row others still reference', async () => {
    const { s, connector } = await setup();
    const reported: ErasureItem[] = [];
    const outcome = await connector.erase(alice, () => ({ action: 'delete' }), { ...ctx, erased: async (i) => void reported.push(i) });
    // Meeting 12 is Bob's: Alice's participation in it goes, Bob's stays. Both of Alice's meetings go,
    // after their participants; her account goes last, once no call record points at it.
    expect(outcome.items.map((i) => [i.object, i.action, i.count])).toEqual([
      ['meeting_participants', 'deleted', 2],
      ['call_records', 'anonymized', 2],
      ['support_tickets', 'anonymized', 1],
      ['meetings', 'deleted', 2],
      ['accounts', 'deleted', 1],
    ]);
    expect(reported).toEqual(outcome.items);
    expect(await pg.sql(`SELECT id FROM ${s}.meeting_participants ORDER BY id`)).toEqual([{ id: 102 }]);
    expect(await pg.sql(`SELECT id FROM ${s}.accounts`)).toEqual([{ id: 2 }]);
    // The read-back finds nothing of hers.
    expect(await all(connector.access(alice, ctx))).toEqual([]);
  });

  it('masks with null, a fixed string and a keyed hash', async () => {
    const { s, connector } = await setup();
    await connector.erase(alice, () => ({ action: 'delete' }), ctx);
    expect(await pg.sql(`SELECT id, account_id, ip_address, device, duration_seconds FROM ${s}.call_records ORDER BY id`)).toEqual([
      { id: 1000, account_id: null, ip_address: null, device: '[erased]', duration_seconds: 60 },
      { id: 1001, account_id: null, ip_address: null, device: '[erased]', duration_seconds: 90 },
      { id: 1002, account_id: 2, ip_address: '10.0.0.3', device: 'Pixel', duration_seconds: 30 },
    ]);
    const [ticket] = await pg.sql(`SELECT requester_email, subject, body FROM ${s}.support_tickets WHERE id = 5000`);
    expect(ticket).toEqual({ requester_email: createHmac('sha256', MASKING_KEY).update('alice@example.com').digest('hex'), subject: 'Cannot join', body: '[erased]' });
  });

  it('reports a row other kept rows reference as retained, instead of orphaning them', async () => {
    // Bob participates in Alice's meeting 11: that participation is his, so the meeting stays, and so
    // does Alice's account, which the meeting's owner_id still holds.
    const { s, connector } = await setup(`INSERT INTO $S.meeting_participants (id, meeting_id, account_id) VALUES (103, 11, 2);`);
    const outcome = await connector.erase(alice, () => ({ action: 'delete' }), ctx);
    const of = (object: string) => outcome.items.filter((i) => i.object === object).map((i) => [i.action, i.count]);
    expect(of('meetings')).toEqual([['deleted', 1], ['retained', 1]]);
    expect(of('accounts')).toEqual([['retained', 1]]);
    expect(outcome.items.find((i) => i.object === 'accounts')!.legalBasis).toMatch(/referenced/);
    expect(await pg.sql(`SELECT id FROM ${s}.meetings ORDER BY id`)).toEqual([{ id: 11 }, { id: 12 }]);
  });

  it('rolls a batch back whole when a foreign key the dataset does not declare refuses it', async () => {
    const { s, connector } = await setup(`CREATE TABLE $S.invoices (id int PRIMARY KEY, account_id int NOT NULL REFERENCES $S.accounts(id)); INSERT INTO $S.invoices VALUES (1, 1);`);
    const outcome = await connector.erase(alice, () => ({ action: 'delete' }), ctx);
    expect(outcome.items.find((i) => i.object === 'accounts')).toMatchObject({ action: 'retained', count: 1 });
    expect(await pg.sql(`SELECT count(*)::int AS n FROM ${s}.accounts`)).toEqual([{ n: 2 }]);
  });

  it('says the dataset does not match when the database refuses a mask, and leaves the batch as it was', async () => {
    const { s, connector } = await setup(`ALTER TABLE $S.call_records ALTER COLUMN device SET NOT NULL;`, (schema) => {
      const d = datasetIn(schema);
      const calls = d.tables.find((t) => t.name === 'call_records')!;
      calls.fields.find((f) => f.name === 'device')!.mask = { strategy: 'null' };
      return d;
    });
    await expect(connector.erase(alice, () => ({ action: 'delete' }), ctx)).rejects.toBeInstanceOf(ConnectorMisconfigured);
    expect(await pg.sql(`SELECT ip_address FROM ${s}.call_records WHERE id IN (1000, 1001) ORDER BY id`)).toEqual([{ ip_address: '10.0.0.1' }, { ip_address: '10.0.0.2' }]);
  });

  it('walks keys in batches and rows in pages: batches and pages of one find the same rows', async () => {
    const { connector } = await setup('', undefined, 1);
    expect(countBy(await all(connector.access(alice, ctx)))).toEqual({ accounts: 1, support_tickets: 1, meetings: 2, meeting_participants: 2, call_records: 2 });
  });

  it('reaches a table through an identifier another connector resolves', async () => {
    const { connector } = await setup('', (s) =>
      parseDataset({ name: 'ids', tables: [{ name: 'call_records', schema: s, category: 'user.behavior', fields: [{ name: 'id' }, { name: 'account_id', identity: { from: 'connector', connectorId: 'accounts', attribute: 'accountId' } }] }] }),
    );
    expect((await all(connector.access(alice, ctx))).map((r) => r.id).sort()).toEqual(['1000', '1001']);
  });

  it('says the credentials were refused when the database refuses them', async () => {
    const bad = new PostgresConnector(
      { id: 'product', kind: 'postgres', displayName: 'P', enabled: true, credentials: 'x', dataset: datasetIn('public'), batchSize: 10, erasure: { action: 'delete' }, objects: {} },
      { credentials: async () => ({ url: pg.url.replace('postgres@', 'postgres:wrong@').replace(/\/postgres$/, '/nope') }), resolveIdentifier: async () => [] },
      () => ({ query: async () => Promise.reject(Object.assign(new Error('password authentication failed'), { code: '28P01' })), connect: async () => Promise.reject(new Error('unused')) }),
    );
    await expect(all(bad.access(alice, ctx))).rejects.toBeInstanceOf(ConnectorAuthFailed);
  });
});

describe('the connection pool', () => {
  it('outlives the server dropping an idle connection, which pg reports as an error event on the pool', async () => {
    const pool = openPgPool({ url: 'postgres://postgres@127.0.0.1:1/postgres' }) as unknown as EventEmitter & { end(): Promise<void> };
    // Without a listener, EventEmitter throws an 'error' event, and in a Lambda that ends the process.
    expect(() => pool.emit('error', new Error('Connection terminated unexpectedly'))).not.toThrow();
    await pool.end();
  });
});
