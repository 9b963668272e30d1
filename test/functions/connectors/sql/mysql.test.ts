/**
 * The MySQL connector against a real MySQL-compatible server (MariaDB in CI, .ci/run), where
 * DSAR_TEST_MYSQL_URL names one. Without it: a failure in CI, a skip with the reason printed elsewhere
 * (test/support/mysql.ts). The cases every dialect answers are in ./engine-suite.ts; here the MySQL
 * schema (a database per test, InnoDB for real foreign keys), and a login the server itself refuses.
 */
import { describe, expect, it } from 'vitest';
import { ConnectorAuthFailed } from '#connectors/errors';
import { MysqlConnector } from '../../../../functions/connectors/sql/mysql.ts';
import { connectMysql, MYSQL_MISSING, MYSQL_URL } from '../../../support/mysql.ts';
import { alice, all, describeSqlConnector } from './engine-suite.ts';

/** The example product schema, with real foreign keys (InnoDB), in a fresh database. */
function ddl(s: string): string {
  return `
    DROP DATABASE IF EXISTS ${s};
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

if (!MYSQL_URL && process.env.CI === 'true') {
  describe('the MySQL connector on a MySQL server', () => {
    it('has a server to run on in CI', () => {
      throw new Error(MYSQL_MISSING);
    });
  });
} else if (!MYSQL_URL) {
  console.log(`Skipping the MySQL connector's engine tests: ${MYSQL_MISSING}`);
}

describeSqlConnector(
  {
    title: 'the MySQL connector on a MySQL server',
    kind: 'mysql',
    requestId: 'dsar_mysql',
    start: () => connectMysql(MYSQL_URL!),
    productSchema: ddl,
    undeclaredForeignKey: 'CREATE TABLE $S.invoices (id int PRIMARY KEY, account_id int NOT NULL, FOREIGN KEY (account_id) REFERENCES $S.accounts(id)) ENGINE=InnoDB; INSERT INTO $S.invoices VALUES (1, 1);',
    deviceNotNull: 'ALTER TABLE $S.call_records MODIFY device varchar(64) NOT NULL;',
    missingTable: /dataset does not match the database \(MySQL error 1146, SQLSTATE 42S02\)/,
    connector: (config, deps) => new MysqlConnector(config, deps),
  },
  ({ datasetIn, track }) => {
    it('says the credentials were refused when the server refuses them', async () => {
      const url = new URL(MYSQL_URL!);
      url.username = 'nobody_here';
      url.password = 'wrong';
      const bad = track(
        new MysqlConnector(
          { id: 'product', kind: 'mysql', displayName: 'P', enabled: true, credentials: 'x', dataset: datasetIn('dsar_test'), batchSize: 10, erasure: { action: 'delete' }, objects: {} },
          { credentials: async () => ({ url: url.href }), resolveIdentifier: async () => [] },
        ),
      );
      await expect(all(bad.access(alice, { requestId: 'dsar_mysql' }))).rejects.toBeInstanceOf(ConnectorAuthFailed);
    });
  },
  !MYSQL_URL,
);
