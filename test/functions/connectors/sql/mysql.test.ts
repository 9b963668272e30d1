/**
 * The MySQL connector against a real MySQL-compatible server (MariaDB in CI, .ci/run), where
 * DSAR_TEST_MYSQL_URL names one. Without it: a failure in CI, a skip with the reason printed elsewhere
 * (test/support/mysql.ts). Each test gets its own database, named as the dataset's schema.
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { MysqlConnectorConfig } from '#commons/config';
import { ConnectorAuthFailed, ConnectorMisconfigured } from '#connectors/errors';
import { parseDataset, type Dataset } from '../../../../functions/connectors/sql/dataset.ts';
import { MysqlConnector } from '../../../../functions/connectors/sql/mysql.ts';
import type { ConnectorDeps, DataRecord, ErasureItem } from '../../../../functions/connectors/types.ts';
import { connectMysql, MYSQL_MISSING, MYSQL_URL, type TestMysql } from '../../../support/mysql.ts';

const MASKING_KEY = 'test-masking-key';
const product = JSON.parse(readFileSync('config/datasets/product.json', 'utf8')) as { tables: Array<Record<string, unknown>> };
const alice = { email: 'Alice@Example.com', normalizedEmail: 'alice@example.com' };
const ctx = { requestId: 'dsar_mysql' };
let databases = 0;

/** The example product schema, with real foreign keys (InnoDB), in a fresh database. */
function ddl(s: string): string {
  return `
    CREATE DATABASE ${s} CHARACTER SET utf8mb4;
    CREATE TABLE ${s}.accounts (id int PRIMARY KEY, email varchar(255) NOT NULL, full_name varchar(255), phone varchar(64), preferred_language varchar(16), created_at timestamp(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)) ENGINE=InnoDB;
    CREATE TABLE ${s}.meetings (id int PRIMARY KEY, owner_id int NOT NULL, title varchar(255), scheduled_at datetime, FOREIGN KEY (owner_id) REFERENCES ${s}.accounts(id)) ENGINE=InnoDB;
    CREATE TABLE ${s}.meeting_participants (id int PRIMARY KEY, meeting_id int NOT NULL, account_id int, joined_at datetime, FOREIGN KEY (meeting_id) REFERENCES ${s}.meetings(id), FOREIGN KEY (account_id) REFERENCES ${s}.accounts(id)) ENGINE=InnoDB;
    CREATE TABLE ${s}.call_records (id int PRIMARY KEY, account_id int, started_at datetime, duration_seconds int, ip_address varchar(64), device varchar(64), FOREIGN KEY (account_id) REFERENCES ${s}.accounts(id)) ENGINE=InnoDB;
    CREATE TABLE ${s}.support_tickets (id int PRIMARY KEY, requester_email varchar(255), subject varchar(255), body text, created_at timestamp(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)) ENGINE=InnoDB;
    CREATE TABLE ${s}.audit_log (id int PRIMARY KEY, actor varchar(255), action varchar(64)) ENGINE=InnoDB;
    INSERT INTO ${s}.accounts (id, email, full_name, phone) VALUES (1, 'alice@example.com', 'Alice Ærø', '+47 1111'), (2, 'bob@example.com', 'Bob', '+47 2222');
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

if (!MYSQL_URL && process.env.CI === 'true') {
  describe('the MySQL connector on a MySQL server', () => {
    it('has a server to run on in CI', () => {
      throw new Error(MYSQL_MISSING);
    });
  });
} else if (!MYSQL_URL) {
  console.log(`Skipping the MySQL connector's engine tests: ${MYSQL_MISSING}`);
}

describe.skipIf(!MYSQL_URL)('the MySQL connector on a MySQL server', () => {
  let db: TestMysql;
  const opened: MysqlConnector[] = [];
  beforeAll(async () => {
    db = await connectMysql(MYSQL_URL!);
  });
  afterEach(async () => {
    for (const c of opened.splice(0)) await c.close();
  });
  afterAll(async () => {
    await db?.stop();
  });

  /** A fresh copy of the product database and a connector on it. */
  async function setup(extra = '', dataset?: (s: string) => Dataset, batchSize = 500) {
    const s = `t${process.pid}_${++databases}`;
    await db.sql(`DROP DATABASE IF EXISTS ${s};` + ddl(s) + extra.replaceAll('$S', s));
    const deps: ConnectorDeps = {
      credentials: async () => ({ url: MYSQL_URL!, maskingKey: MASKING_KEY }),
      resolveIdentifier: async () => ['1'],
    };
    const config = { id: 'product', kind: 'mysql', displayName: 'Product database', enabled: true, credentials: 'product-db', dataset: (dataset ?? datasetIn)(s), batchSize, erasure: { action: 'delete' }, objects: {} } as MysqlConnectorConfig;
    const connector = new MysqlConnector(config, deps);
    opened.push(connector);
    return { s, connector };
  }

  it("finds the subject's rows in every table a reference reaches, and nobody else's", async () => {
    const { connector } = await setup();
    const records = await all(connector.access(alice, ctx));
    expect(countBy(records)).toEqual({ accounts: 1, support_tickets: 1, meetings: 2, meeting_participants: 2, call_records: 2 });
    const account = records.find((r) => r.object === 'accounts')!;
    // utf8mb4 text survives the driver without iconv-lite; dates become ISO strings.
    expect(account).toMatchObject({ id: '1', data: { id: 1, email: 'alice@example.com', full_name: 'Alice Ærø', phone: '+47 1111' } });
    expect(account.data.created_at).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(records.filter((r) => r.object === 'call_records').map((r) => r.id).sort()).toEqual(['1000', '1001']);
    expect(connector.plan.unreachable).toEqual(['audit_log']);
  });

  it('finds nothing for SQL smuggled into the identity, and changes nothing', async () => {
    const { s, connector } = await setup();
    for (const email of ["x' OR '1'='1", `alice@example.com'; DROP TABLE ${s}.accounts; --`, 'alice@example.com\\', "%' OR email LIKE '%", 'x` OR 1=1 -- ']) {
      const subject = { email, normalizedEmail: email };
      expect(await all(connector.access(subject, ctx))).toEqual([]);
      const outcome = await connector.erase(subject, () => ({ action: 'delete' }), ctx);
      expect(outcome.items.every((i) => i.action === 'not_found')).toBe(true);
    }
    expect(await db.sql(`SELECT count(*) AS n FROM ${s}.accounts`)).toEqual([{ n: 2 }]);
  });

  it('erases children before the rows they reference, masks what is anonymized, and the read-back finds nothing', async () => {
    const { s, connector } = await setup();
    const reported: ErasureItem[] = [];
    const outcome = await connector.erase(alice, () => ({ action: 'delete' }), { ...ctx, erased: async (i) => void reported.push(i) });
    expect(outcome.items.map((i) => [i.object, i.action, i.count])).toEqual([
      ['meeting_participants', 'deleted', 2],
      ['call_records', 'anonymized', 2],
      ['support_tickets', 'anonymized', 1],
      ['meetings', 'deleted', 2],
      ['accounts', 'deleted', 1],
    ]);
    expect(reported).toEqual(outcome.items);
    expect(await db.sql(`SELECT id FROM ${s}.meeting_participants ORDER BY id`)).toEqual([{ id: 102 }]);
    expect(await db.sql(`SELECT id FROM ${s}.accounts`)).toEqual([{ id: 2 }]);
    expect(await all(connector.access(alice, ctx))).toEqual([]);
  });

  it('masks with null, a fixed string and a keyed hash', async () => {
    const { s, connector } = await setup();
    await connector.erase(alice, () => ({ action: 'delete' }), ctx);
    expect(await db.sql(`SELECT id, account_id, ip_address, device, duration_seconds FROM ${s}.call_records ORDER BY id`)).toEqual([
      { id: 1000, account_id: null, ip_address: null, device: '[erased]', duration_seconds: 60 },
      { id: 1001, account_id: null, ip_address: null, device: '[erased]', duration_seconds: 90 },
      { id: 1002, account_id: 2, ip_address: '10.0.0.3', device: 'Pixel', duration_seconds: 30 },
    ]);
    const [ticket] = await db.sql(`SELECT requester_email, subject, body FROM ${s}.support_tickets WHERE id = 5000`);
    expect(ticket).toEqual({ requester_email: createHmac('sha256', MASKING_KEY).update('alice@example.com').digest('hex'), subject: 'Cannot join', body: '[erased]' });
  });

  it('reports a row other kept rows reference as retained, instead of orphaning them', async () => {
    const { s, connector } = await setup(`INSERT INTO $S.meeting_participants (id, meeting_id, account_id) VALUES (103, 11, 2);`);
    const outcome = await connector.erase(alice, () => ({ action: 'delete' }), ctx);
    const of = (object: string) => outcome.items.filter((i) => i.object === object).map((i) => [i.action, i.count]);
    expect(of('meetings')).toEqual([['deleted', 1], ['retained', 1]]);
    expect(of('accounts')).toEqual([['retained', 1]]);
    expect(await db.sql(`SELECT id FROM ${s}.meetings ORDER BY id`)).toEqual([{ id: 11 }, { id: 12 }]);
  });

  it('rolls a batch back whole when a foreign key the dataset does not declare refuses it', async () => {
    const { s, connector } = await setup(`CREATE TABLE $S.invoices (id int PRIMARY KEY, account_id int NOT NULL, FOREIGN KEY (account_id) REFERENCES $S.accounts(id)) ENGINE=InnoDB; INSERT INTO $S.invoices VALUES (1, 1);`);
    const outcome = await connector.erase(alice, () => ({ action: 'delete' }), ctx);
    expect(outcome.items.find((i) => i.object === 'accounts')).toMatchObject({ action: 'retained', count: 1 });
    expect(await db.sql(`SELECT count(*) AS n FROM ${s}.accounts`)).toEqual([{ n: 2 }]);
  });

  it('says the dataset does not match when the database refuses a mask, and leaves the batch as it was', async () => {
    const { s, connector } = await setup(`ALTER TABLE $S.call_records MODIFY device varchar(64) NOT NULL;`, (schema) => {
      const d = datasetIn(schema);
      d.tables.find((t) => t.name === 'call_records')!.fields.find((f) => f.name === 'device')!.mask = { strategy: 'null' };
      return d;
    });
    await expect(connector.erase(alice, () => ({ action: 'delete' }), ctx)).rejects.toBeInstanceOf(ConnectorMisconfigured);
    expect(await db.sql(`SELECT ip_address FROM ${s}.call_records WHERE id IN (1000, 1001) ORDER BY id`)).toEqual([{ ip_address: '10.0.0.1' }, { ip_address: '10.0.0.2' }]);
  });

  it('walks keys in batches and rows in pages: batches and pages of one find the same rows', async () => {
    const { connector } = await setup('', undefined, 1);
    expect(countBy(await all(connector.access(alice, ctx)))).toEqual({ accounts: 1, support_tickets: 1, meetings: 2, meeting_participants: 2, call_records: 2 });
  });

  it('says the dataset does not match when a declared table is missing', async () => {
    const { connector } = await setup('DROP TABLE $S.support_tickets;');
    await expect(all(connector.access(alice, ctx))).rejects.toThrow(/dataset does not match the database \(MySQL error 1146, SQLSTATE 42S02\)/);
  });

  it('says the credentials were refused when the server refuses them', async () => {
    const url = new URL(MYSQL_URL!);
    url.username = 'nobody_here';
    url.password = 'wrong';
    const bad = new MysqlConnector(
      { id: 'product', kind: 'mysql', displayName: 'P', enabled: true, credentials: 'x', dataset: datasetIn('dsar_test'), batchSize: 10, erasure: { action: 'delete' }, objects: {} },
      { credentials: async () => ({ url: url.href }), resolveIdentifier: async () => [] },
    );
    opened.push(bad);
    await expect(all(bad.access(alice, ctx))).rejects.toBeInstanceOf(ConnectorAuthFailed);
  });
});
