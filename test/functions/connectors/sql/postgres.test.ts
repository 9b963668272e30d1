/**
 * The PostgreSQL connector against a real engine: PGlite always, and a PostgreSQL server when
 * DSAR_TEST_POSTGRES_URL names one (CI as root). The cases every dialect answers are in ./engine-suite.ts;
 * here the PostgreSQL schema, and what is PostgreSQL's own (the credentials error code, the pg pool).
 */
import { describe, expect, it } from 'vitest';
import type { EventEmitter } from 'node:events';
import { ConnectorAuthFailed } from '#connectors/errors';
import { openPgPool, PostgresConnector } from '../../../../functions/connectors/sql/postgres.ts';
import { ENGINES } from '../../../support/postgres.ts';
import { alice, all, describeSqlConnector } from './engine-suite.ts';

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
    INSERT INTO ${s}.accounts (id, email, full_name, phone) VALUES (1, 'alice@example.com', 'Alice Ærø', '+47 1111'), (2, 'bob@example.com', 'Bob', '+47 2222');
    INSERT INTO ${s}.meetings (id, owner_id, title) VALUES (10, 1, 'Alice standup'), (11, 1, 'Alice review'), (12, 2, 'Bob sync');
    INSERT INTO ${s}.meeting_participants (id, meeting_id, account_id) VALUES (100, 10, 1), (101, 12, 1), (102, 12, 2);
    INSERT INTO ${s}.call_records (id, account_id, duration_seconds, ip_address, device) VALUES (1000, 1, 60, '10.0.0.1', 'iPhone'), (1001, 1, 90, '10.0.0.2', 'Mac'), (1002, 2, 30, '10.0.0.3', 'Pixel');
    INSERT INTO ${s}.support_tickets (id, requester_email, subject, body) VALUES (5000, 'alice@example.com', 'Cannot join', 'My camera fails'), (5001, 'bob@example.com', 'Invoice', 'Wrong VAT');
    INSERT INTO ${s}.audit_log (id, actor, action) VALUES (1, 'alice@example.com', 'login');`;
}

for (const engine of ENGINES) {
  describeSqlConnector(
    {
      title: `the PostgreSQL connector on ${engine.name}`,
      kind: 'postgres',
      requestId: 'dsar_pg',
      start: engine.start,
      productSchema: ddl,
      undeclaredForeignKey: 'CREATE TABLE $S.invoices (id int PRIMARY KEY, account_id int NOT NULL REFERENCES $S.accounts(id)); INSERT INTO $S.invoices VALUES (1, 1);',
      deviceNotNull: 'ALTER TABLE $S.call_records ALTER COLUMN device SET NOT NULL;',
      missingTable: /dataset does not match the database \(SQLSTATE 42P01\)/,
      connector: (config, deps) => new PostgresConnector(config, deps),
    },
    ({ engine: db, datasetIn }) => {
      it('says the credentials were refused when the database refuses them', async () => {
        const bad = new PostgresConnector(
          { id: 'product', kind: 'postgres', displayName: 'P', enabled: true, credentials: 'x', dataset: datasetIn('public'), batchSize: 10, erasure: { action: 'delete' }, objects: {} },
          { credentials: async () => ({ url: db().url.replace('postgres@', 'postgres:wrong@').replace(/\/postgres$/, '/nope') }), resolveIdentifier: async () => [] },
          () => ({ query: async () => Promise.reject(Object.assign(new Error('password authentication failed'), { code: '28P01' })), connect: async () => Promise.reject(new Error('unused')) }),
        );
        await expect(all(bad.access(alice, { requestId: 'dsar_pg' }))).rejects.toBeInstanceOf(ConnectorAuthFailed);
      });
    },
  );
}

describe('the connection pool', () => {
  it('outlives the server dropping an idle connection, which pg reports as an error event on the pool', async () => {
    const pool = openPgPool({ url: 'postgres://postgres@127.0.0.1:1/postgres' }) as unknown as EventEmitter & { end(): Promise<void> };
    // Without a listener, EventEmitter throws an 'error' event, and in a Lambda that ends the process.
    expect(() => pool.emit('error', new Error('Connection terminated unexpectedly'))).not.toThrow();
    await pool.end();
  });
});
