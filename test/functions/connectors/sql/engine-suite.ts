/**
 * The relational connector against a real engine, one suite for every dialect. PostgreSQL and MySQL
 * are the same SqlConnector over a dialect (functions/connectors/sql/sql-connector.ts), so they must
 * answer the same cases the same way; only the engine's DDL, a few statements and how the connector is
 * built differ, and each dialect's file (postgres.test.ts, mysql.test.ts) says those and adds what is its
 * own. Each test gets its own schema (a database on MySQL), so engines can be shared.
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SqlConnectorConfig } from '#commons/config';
import { discover } from '#connectors/discovery';
import { ConnectorMisconfigured } from '#connectors/errors';
import { parseDataset, type Dataset } from '../../../../functions/connectors/sql/dataset.ts';
import type { SqlConnector } from '../../../../functions/connectors/sql/sql-connector.ts';
import type { ConnectorDeps, DataRecord, ErasureItem } from '../../../../functions/connectors/types.ts';

export const MASKING_KEY = 'test-masking-key';
const product = JSON.parse(readFileSync('config/datasets/product.json', 'utf8')) as { tables: Array<Record<string, unknown>> };
export const alice = { email: 'Alice@Example.com', normalizedEmail: 'alice@example.com' };

/** A running engine: its URL for the connector, and SQL on a connection of its own for setup and checks. */
export interface TestEngine {
  url: string;
  /** Several statements allowed. */
  sql(text: string, values?: unknown[]): Promise<Record<string, unknown>[]>;
  stop(): Promise<void>;
}

export interface DialectUnderTest {
  /** The suite's title: the connector and the engine it runs on. */
  title: string;
  kind: SqlConnectorConfig['kind'];
  requestId: string;
  start(): Promise<TestEngine>;
  /**
   * The example product schema with real foreign keys, in a fresh schema (database) `s`: accounts (Alice,
   * with a name outside ASCII, and Bob), meetings and their participants, call records, support tickets,
   * and an audit log no path reaches.
   */
  productSchema(s: string): string;
  /** SQL (`$S` is the schema) adding an invoice of Alice's whose foreign key the dataset does not declare. */
  undeclaredForeignKey: string;
  /** SQL (`$S`) making call_records.device NOT NULL. */
  deviceNotNull: string;
  /** What the connector says when a table the dataset declares is missing. */
  missingTable: RegExp;
  connector(config: SqlConnectorConfig, deps: ConnectorDeps): SqlConnector;
}

/** What a dialect's own tests get from the suite. */
export interface Suite {
  engine(): TestEngine;
  datasetIn(s: string): Dataset;
  /** Closes the connector after the test. */
  track<C extends SqlConnector>(connector: C): C;
}

export function datasetIn(s: string): Dataset {
  return parseDataset({ ...product, $schema: undefined, tables: product.tables.map((t) => ({ ...t, schema: s })) });
}

export async function all<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

const countBy = (records: DataRecord[]) => records.reduce<Record<string, number>>((acc, r) => ({ ...acc, [r.object]: (acc[r.object] ?? 0) + 1 }), {});

let schemas = 0;

/** The suite on `dialect`, plus the dialect's own tests (`more`) in the same describe. */
export function describeSqlConnector(dialect: DialectUnderTest, more?: (suite: Suite) => void, skip = false): void {
  describe.skipIf(skip)(dialect.title, () => {
    let db: TestEngine;
    const opened: SqlConnector[] = [];
    const ctx = { requestId: dialect.requestId };
    beforeAll(async () => {
      db = await dialect.start();
    });
    afterEach(async () => {
      for (const c of opened.splice(0)) await c.close();
    });
    afterAll(async () => {
      await db?.stop();
    });

    const rows = async (s: string, table: string): Promise<number> => Number((await db.sql(`SELECT count(*) AS n FROM ${s}.${table}`))[0]!.n);

    /** A fresh copy of the product database and a connector on it. */
    async function setup(extra = '', dataset?: (s: string) => Dataset, batchSize = 500) {
      const s = `t${process.pid}_${++schemas}`;
      await db.sql(dialect.productSchema(s) + extra.replaceAll('$S', s));
      const deps: ConnectorDeps = {
        credentials: async () => ({ url: db.url, maskingKey: MASKING_KEY }),
        resolveIdentifier: async () => ['1'],
      };
      const config = { id: 'product', kind: dialect.kind, displayName: 'Product database', enabled: true, credentials: 'product-db', dataset: (dataset ?? datasetIn)(s), batchSize, erasure: { action: 'delete' }, objects: {} } as SqlConnectorConfig;
      const connector = dialect.connector(config, deps);
      opened.push(connector);
      return { s, connector };
    }

    it("finds the subject's rows in every table a reference reaches, and nobody else's", async () => {
      const { connector } = await setup();
      const records = await all(connector.access(alice, ctx));
      expect(countBy(records)).toEqual({ accounts: 1, support_tickets: 1, meetings: 2, meeting_participants: 2, call_records: 2 });
      const account = records.find((r) => r.object === 'accounts')!;
      // Text outside ASCII survives the driver; dates become ISO strings, as JSON holds them.
      expect(account).toMatchObject({ id: '1', data: { id: 1, email: 'alice@example.com', full_name: 'Alice Ærø', phone: '+47 1111' } });
      expect(account.data.created_at).toMatch(/^\d{4}-\d\d-\d\dT/);
      expect(records.filter((r) => r.object === 'call_records').map((r) => r.id).sort()).toEqual(['1000', '1001']);
    });

    it("counts the subject's rows per table for the preview exactly as access exports them, and writes nothing", async () => {
      const { s, connector } = await setup();
      expect(await discover(connector, alice, ctx)).toEqual(countBy(await all(connector.access(alice, ctx))));
      expect(await discover(connector, { email: 'carol@example.com', normalizedEmail: 'carol@example.com' }, ctx)).toEqual({});
      expect(await rows(s, 'accounts')).toBe(2);
    });

    it('never reads a table that no path reaches, and says so in its plan', async () => {
      const { connector } = await setup();
      expect(connector.plan.unreachable).toEqual(['audit_log']);
      const records = await all(connector.access(alice, ctx));
      expect(records.some((r) => r.object === 'audit_log')).toBe(false);
    });

    it('finds nothing for SQL smuggled into the identity, and changes nothing', async () => {
      const { s, connector } = await setup();
      for (const email of ["x' OR '1'='1", `alice@example.com'; DROP TABLE ${s}.accounts; --`, 'alice@example.com\\', "%' OR email LIKE '%", 'x` OR 1=1 -- ']) {
        const subject = { email, normalizedEmail: email };
        expect(await all(connector.access(subject, ctx))).toEqual([]);
        const outcome = await connector.erase(subject, () => ({ action: 'delete' }), ctx);
        expect(outcome.items.every((i) => i.action === 'not_found')).toBe(true);
      }
      expect(await rows(s, 'accounts')).toBe(2);
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
      expect(await db.sql(`SELECT id FROM ${s}.meeting_participants ORDER BY id`)).toEqual([{ id: 102 }]);
      expect(await db.sql(`SELECT id FROM ${s}.accounts`)).toEqual([{ id: 2 }]);
      // The read-back finds nothing of hers.
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
      // Bob participates in Alice's meeting 11: that participation is his, so the meeting stays, and so
      // does Alice's account, which the meeting's owner_id still holds.
      const { s, connector } = await setup(`INSERT INTO $S.meeting_participants (id, meeting_id, account_id) VALUES (103, 11, 2);`);
      const outcome = await connector.erase(alice, () => ({ action: 'delete' }), ctx);
      const of = (object: string) => outcome.items.filter((i) => i.object === object).map((i) => [i.action, i.count]);
      expect(of('meetings')).toEqual([['deleted', 1], ['retained', 1]]);
      expect(of('accounts')).toEqual([['retained', 1]]);
      expect(outcome.items.find((i) => i.object === 'accounts')!.legalBasis).toMatch(/referenced/);
      expect(await db.sql(`SELECT id FROM ${s}.meetings ORDER BY id`)).toEqual([{ id: 11 }, { id: 12 }]);
    });

    it('rolls a batch back whole when a foreign key the dataset does not declare refuses it', async () => {
      const { s, connector } = await setup(dialect.undeclaredForeignKey);
      const outcome = await connector.erase(alice, () => ({ action: 'delete' }), ctx);
      expect(outcome.items.find((i) => i.object === 'accounts')).toMatchObject({ action: 'retained', count: 1 });
      expect(await rows(s, 'accounts')).toBe(2);
    });

    it('says the dataset does not match when the database refuses a mask, and leaves the batch as it was', async () => {
      const { s, connector } = await setup(dialect.deviceNotNull, (schema) => {
        const d = datasetIn(schema);
        d.tables.find((t) => t.name === 'call_records')!.fields.find((f) => f.name === 'device')!.mask = { strategy: 'null' };
        return d;
      });
      await expect(connector.erase(alice, () => ({ action: 'delete' }), ctx)).rejects.toBeInstanceOf(ConnectorMisconfigured);
      expect(await db.sql(`SELECT ip_address FROM ${s}.call_records WHERE id IN (1000, 1001) ORDER BY id`)).toEqual([{ ip_address: '10.0.0.1' }, { ip_address: '10.0.0.2' }]);
    });

    it('says the dataset does not match when a declared table is missing', async () => {
      const { connector } = await setup('DROP TABLE $S.support_tickets;');
      await expect(all(connector.access(alice, ctx))).rejects.toThrow(dialect.missingTable);
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

    more?.({
      engine: () => db,
      datasetIn,
      track: (connector) => {
        opened.push(connector);
        return connector;
      },
    });
  });
}
