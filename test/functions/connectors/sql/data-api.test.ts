/**
 * The relational connector on the RDS Data API (Aurora), with the client mocked (aws-sdk-client-mock):
 * the statements and typed parameters it sends, one transaction per erasure batch in the right order,
 * and the Data API's errors as typed connector errors. (No Data API emulator runs here: the SQL itself
 * is the shared planner's, which the engine tests run on PostgreSQL and MariaDB.)
 */
import {
  BeginTransactionCommand,
  CommitTransactionCommand,
  DatabaseErrorException,
  DatabaseResumingException,
  ExecuteStatementCommand,
  ForbiddenException,
  RDSDataClient,
  RollbackTransactionCommand,
  type ExecuteStatementCommandInput,
} from '@aws-sdk/client-rds-data';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { parseConfig, type SqlConnectorConfig } from '#commons/config';
import { ConnectorAuthFailed, ConnectorMisconfigured, ConnectorUnavailable } from '#connectors/errors';
import { ConnectorRegistry } from '#connectors/registry';
import { parseDataset } from '../../../../functions/connectors/sql/dataset.ts';
import { DataApiConnector, dataApiParameters } from '../../../../functions/connectors/sql/data-api.ts';
import type { ConnectorDeps } from '../../../../functions/connectors/types.ts';
import { readFileSync } from 'node:fs';

const rds = mockClient(RDSDataClient);
const target = {
  resourceArn: 'arn:aws:rds:eu-north-1:123456789012:cluster:product',
  secretArn: 'arn:aws:secretsmanager:eu-north-1:123456789012:secret:product-db-AbCdEf',
  database: 'product',
};
const dataset = parseDataset({
  name: 'product',
  tables: [
    { name: 'accounts', category: 'user.account', fields: [{ name: 'id' }, { name: 'email', identity: { from: 'email' } }, { name: 'full_name' }] },
    { name: 'meetings', category: 'user.content', fields: [{ name: 'id' }, { name: 'owner_id', references: 'accounts.id' }, { name: 'title' }] },
  ],
});
const alice = { email: 'alice@example.com', normalizedEmail: 'alice@example.com' };
const ctx = { requestId: 'dsar_data_api' };
const secretsRead: string[] = [];
const deps: ConnectorDeps = {
  credentials: async (name) => (secretsRead.push(name), { username: 'app', password: 'x' }),
  resolveIdentifier: async () => [],
};

function connector(kind: 'postgres' | 'mysql' = 'postgres', batchSize = 500) {
  const config = { id: 'product', kind, displayName: 'Product', enabled: true, dataApi: target, dataset, batchSize, erasure: { action: 'delete' }, objects: {} } as SqlConnectorConfig;
  return new DataApiConnector(config, deps, new RDSDataClient({ region: 'eu-north-1' }));
}

/** Rows for each table the way the Data API returns them with formatRecordsAs JSON. */
function serve(rows: Record<string, Array<Record<string, unknown>>>) {
  rds.on(ExecuteStatementCommand).callsFake((input: ExecuteStatementCommandInput) => {
    const select = /^SELECT .* FROM "public"\."(\w+)"/.exec(input.sql!)?.[1] ?? /^SELECT .* FROM `(\w+)`/.exec(input.sql!)?.[1];
    if (input.sql!.startsWith('SELECT DISTINCT')) return { formattedRecords: '[]' };
    if (!select) return { numberOfRecordsUpdated: 1 };
    // A later page: the rows after the previous page's last key (the statement's last parameter), a page at most.
    const page = Number(/LIMIT (\d+)$/.exec(input.sql!)![1]);
    const after = / > \(/.test(input.sql!) ? (input.parameters!.at(-1)!.value as { longValue: number }).longValue : undefined;
    return { formattedRecords: JSON.stringify((rows[select] ?? []).filter((r) => after === undefined || (r.id as number) > after).slice(0, page)) };
  });
}

/** The calls the client saw, as [command, sql or transaction id]. */
const calls = () =>
  rds.calls().map((c) => {
    const input = c.args[0].input as unknown as Record<string, unknown>;
    return [c.args[0].constructor.name, (input.sql as string | undefined) ?? (input.transactionId as string | undefined) ?? ''];
  });

beforeEach(() => {
  rds.reset();
  secretsRead.length = 0;
});

describe('the Data API connector', () => {
  it('sends parameterised statements with typed named parameters to the configured cluster, secret and database', async () => {
    serve({ accounts: [{ id: 1, email: 'alice@example.com', full_name: 'Alice' }], meetings: [{ id: 10, owner_id: 1, title: 'Standup' }] });
    const records = [];
    for await (const r of connector().access(alice, ctx)) records.push(r);
    expect(records.map((r) => [r.object, r.id])).toEqual([['accounts', '1'], ['meetings', '10']]);
    const sent = rds.commandCalls(ExecuteStatementCommand).map((c) => c.args[0].input);
    expect(sent).toEqual([
      { ...target, sql: 'SELECT "id", "email", "full_name" FROM "public"."accounts" WHERE "email" IN (:p1) ORDER BY "id" LIMIT 500', parameters: [{ name: 'p1', value: { stringValue: 'alice@example.com' } }], formatRecordsAs: 'JSON' },
      { ...target, sql: 'SELECT "id", "owner_id", "title" FROM "public"."meetings" WHERE "owner_id" IN (:p1) ORDER BY "id" LIMIT 500', parameters: [{ name: 'p1', value: { longValue: 1 } }], formatRecordsAs: 'JSON' },
    ]);
    // The connector read the Data API's secret (for a masking key), not a connection secret.
    expect(secretsRead).toEqual([target.secretArn]);
  });

  it('quotes with backticks on Aurora MySQL', async () => {
    serve({});
    for await (const _ of connector('mysql').access(alice, ctx)) void _;
    expect(rds.commandCalls(ExecuteStatementCommand)[0]!.args[0].input.sql ?? '').toBe('SELECT `id`, `email`, `full_name` FROM `accounts` WHERE `email` IN (:p1) ORDER BY `id` LIMIT 500');
  });

  it('keeps SQL smuggled into the identity in a parameter', async () => {
    serve({});
    const email = "x' OR '1'='1'; DROP TABLE accounts; --";
    for await (const _ of connector().access({ email, normalizedEmail: email }, ctx)) void _;
    const input = rds.commandCalls(ExecuteStatementCommand)[0]!.args[0].input;
    expect(input.sql).not.toContain('DROP');
    expect(input.parameters).toEqual([{ name: 'p1', value: { stringValue: email } }]);
  });

  it('types every kind of value the planner binds', () => {
    expect(dataApiParameters([null, undefined, 'a', 7, 1.5, true, 12345678901234567890n, new Date('2026-01-02T03:04:05.678Z'), Buffer.from('hi')])).toEqual([
      { name: 'p1', value: { isNull: true } },
      { name: 'p2', value: { isNull: true } },
      { name: 'p3', value: { stringValue: 'a' } },
      { name: 'p4', value: { longValue: 7 } },
      { name: 'p5', value: { doubleValue: 1.5 } },
      { name: 'p6', value: { booleanValue: true } },
      { name: 'p7', value: { stringValue: '12345678901234567890' }, typeHint: 'DECIMAL' },
      { name: 'p8', value: { stringValue: '2026-01-02 03:04:05.678' }, typeHint: 'TIMESTAMP' },
      { name: 'p9', value: { blobValue: Buffer.from('hi') } },
    ]);
  });

  it('erases each batch in its own transaction, children first: begin, statements in it, commit', async () => {
    serve({ accounts: [{ id: 1, email: 'alice@example.com', full_name: 'Alice' }], meetings: [{ id: 10, owner_id: 1, title: 'A' }, { id: 11, owner_id: 1, title: 'B' }] });
    let next = 0;
    rds.on(BeginTransactionCommand).callsFake(() => ({ transactionId: `tx${++next}` }));
    rds.on(CommitTransactionCommand).resolves({ transactionStatus: 'Transaction Committed' });
    const outcome = await connector('postgres', 1).erase(alice, () => ({ action: 'delete' }), ctx);
    expect(outcome.items.map((i) => [i.object, i.action, i.count])).toEqual([['meetings', 'deleted', 2], ['accounts', 'deleted', 1]]);
    const writes = calls().filter(([, what]) => !/^SELECT "id"/.test(what ?? ''));
    expect(writes).toEqual([
      ['BeginTransactionCommand', ''],
      ['ExecuteStatementCommand', 'DELETE FROM "public"."meetings" WHERE "id" = :p1'],
      ['CommitTransactionCommand', 'tx1'],
      ['BeginTransactionCommand', ''],
      ['ExecuteStatementCommand', 'DELETE FROM "public"."meetings" WHERE "id" = :p1'],
      ['CommitTransactionCommand', 'tx2'],
      ['BeginTransactionCommand', ''],
      ['ExecuteStatementCommand', 'SELECT DISTINCT "owner_id" AS "key" FROM "public"."meetings" WHERE "owner_id" IN (:p1)'],
      ['ExecuteStatementCommand', 'DELETE FROM "public"."accounts" WHERE "id" = :p1'],
      ['CommitTransactionCommand', 'tx3'],
    ]);
    // Statements of a batch run inside its transaction.
    const inTx = rds.commandCalls(ExecuteStatementCommand).filter((c) => (c.args[0].input.sql ?? '').startsWith('DELETE')).map((c) => c.args[0].input.transactionId);
    expect(inTx).toEqual(['tx1', 'tx2', 'tx3']);
    expect(rds.commandCalls(BeginTransactionCommand)[0]!.args[0].input).toEqual(target);
  });

  it('rolls a batch back when the database refuses it for an undeclared foreign key, and reports the rows kept', async () => {
    serve({ accounts: [{ id: 1, email: 'alice@example.com', full_name: 'Alice' }] });
    rds.on(ExecuteStatementCommand, { sql: 'DELETE FROM "public"."accounts" WHERE "id" = :p1' }).rejects(
      new DatabaseErrorException({ $metadata: {}, message: 'ERROR: update or delete on table "accounts" violates foreign key constraint "invoices_account_id_fkey" on table "invoices"; SQLState: 23503' }),
    );
    rds.on(BeginTransactionCommand).resolves({ transactionId: 'tx1' });
    rds.on(RollbackTransactionCommand).resolves({ transactionStatus: 'Rollback Complete' });
    const outcome = await connector().erase(alice, () => ({ action: 'delete' }), ctx);
    expect(outcome.items.find((i) => i.object === 'accounts')).toMatchObject({ action: 'retained', count: 1 });
    // Begin, the check for rows still referencing it, the refused delete, rollback.
    expect(calls().slice(-4).map(([command]) => command)).toEqual(['BeginTransactionCommand', 'ExecuteStatementCommand', 'ExecuteStatementCommand', 'RollbackTransactionCommand']);
    expect(rds.commandCalls(CommitTransactionCommand)).toHaveLength(0);
    expect(rds.commandCalls(RollbackTransactionCommand)[0]!.args[0].input).toEqual({ resourceArn: target.resourceArn, secretArn: target.secretArn, transactionId: 'tx1' });
  });

  it('turns the Data API errors into typed connector errors that quote codes, never values', async () => {
    const failWith = async (err: Error, kind: 'postgres' | 'mysql' = 'postgres') => {
      rds.reset();
      rds.on(ExecuteStatementCommand).rejects(err);
      try {
        for await (const _ of connector(kind).access(alice, ctx)) void _;
      } catch (e) {
        return e as Error;
      }
      throw new Error('no error');
    };
    const refused = await failWith(new ForbiddenException({ $metadata: {}, message: 'no' }));
    expect(refused).toBeInstanceOf(ConnectorAuthFailed);
    const missing = await failWith(new DatabaseErrorException({ $metadata: {}, message: 'ERROR: relation "accounts" does not exist, email alice@example.com; SQLState: 42P01' }));
    expect(missing).toBeInstanceOf(ConnectorMisconfigured);
    expect(missing.message).toContain('SQLSTATE 42P01');
    expect(missing.message).not.toContain('alice');
    const mysqlMissing = await failWith(new DatabaseErrorException({ $metadata: {}, message: "Database error code: 1146. Message: Table 'product.accounts' doesn't exist" }), 'mysql');
    expect(mysqlMissing).toBeInstanceOf(ConnectorMisconfigured);
    expect(mysqlMissing.message).toContain('MySQL error 1146');
    expect(await failWith(new DatabaseResumingException({ $metadata: {}, message: 'resuming' }))).toBeInstanceOf(ConnectorUnavailable);
  });
});

describe('a Data API connector in the configuration', () => {
  const example = JSON.parse(readFileSync('config/example.config.json', 'utf8')) as { connectors: Array<Record<string, unknown>> };
  const withConnector = (c: Record<string, unknown>) => ({ ...example, connectors: [...example.connectors.filter((x) => x.kind !== 'postgres'), c] });
  const base = { id: 'aurora', kind: 'mysql', displayName: 'Aurora', dataset: 'config/datasets/product.json' };

  it('is built by the registry as a Data API connector, of either engine', () => {
    const config = parseConfig(withConnector({ ...base, dataApi: target }));
    expect(new ConnectorRegistry(config, deps.credentials).get('aurora')).toBeDefined();
    expect(config.connectors.find((c) => c.id === 'aurora')).toMatchObject({ kind: 'mysql', dataApi: target });
  });

  it('must name one way to reach the database: credentials or dataApi, not both, not neither', () => {
    expect(() => parseConfig(withConnector({ ...base, dataApi: target, credentials: 'db' }))).toThrow(/either credentials .* or dataApi .*not both/);
    expect(() => parseConfig(withConnector(base))).toThrow(/either credentials .* or dataApi .*one of them/);
  });

  it('refuses a resource that is not an Aurora cluster ARN', () => {
    expect(() => parseConfig(withConnector({ ...base, dataApi: { ...target, resourceArn: 'arn:aws:rds:eu-north-1:123456789012:db:instance' } }))).toThrow(/Aurora cluster ARN/);
  });
});
