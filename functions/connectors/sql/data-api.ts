/**
 * Aurora through the RDS Data API (`dataApi` in the connector's configuration): the same relational
 * connector (sql-connector.ts) over HTTPS, with no VPC and no connection pool. Statements go as
 * ExecuteStatement with typed named parameters (`:p1`, ...; the Data API takes no array values, so key
 * batches are `IN` lists), rows come back as JSON, and each erasure batch is one
 * BeginTransaction ... CommitTransaction (RollbackTransaction on failure). The Data API signs in to the
 * database with the secret `secretArn` names; the connector also reads `maskingKey` from it.
 */
import {
  BeginTransactionCommand,
  CommitTransactionCommand,
  ExecuteStatementCommand,
  RDSDataClient,
  RollbackTransactionCommand,
  type SqlParameter,
} from '@aws-sdk/client-rds-data';
import type { SqlConnectorConfig } from '#commons/config';
import type { ConnectorDeps } from '../types.ts';
import { dataApiDialect } from './dialect.ts';
import { mysqlFailure, postgresFailure } from './failures.ts';
import { SqlConnector, type Failure, type SqlDriver, type SqlSession } from './sql-connector.ts';
import type { Statement } from './plan.ts';

export interface DataApiTarget {
  resourceArn: string;
  secretArn: string;
  database: string;
}

/** A statement value as the Data API types it; parameter n is named `pn`, as the dialect writes it. */
export function dataApiParameters(values: unknown[]): SqlParameter[] {
  return values.map((value, i) => ({ name: `p${i + 1}`, ...typed(value) }) as SqlParameter);
}

function typed(value: unknown): Omit<SqlParameter, 'name'> {
  if (value === null || value === undefined) return { value: { isNull: true } };
  if (typeof value === 'string') return { value: { stringValue: value } };
  if (typeof value === 'boolean') return { value: { booleanValue: value } };
  if (typeof value === 'number') return Number.isInteger(value) ? { value: { longValue: value } } : { value: { doubleValue: value } };
  // Beyond a double's integers: as text the database casts, never rounded.
  if (typeof value === 'bigint') return { value: { stringValue: value.toString() }, typeHint: 'DECIMAL' };
  if (value instanceof Date) return { value: { stringValue: value.toISOString().replace('T', ' ').replace('Z', '') }, typeHint: 'TIMESTAMP' };
  if (value instanceof Uint8Array) return { value: { blobValue: value } };
  throw new TypeError(`a ${typeof value} cannot be a Data API parameter`);
}

export function dataApiDriver(client: Pick<RDSDataClient, 'send'>, target: DataApiTarget, engine: 'postgres' | 'mysql'): SqlDriver {
  const execute = async ({ text, values }: Statement, transactionId?: string) => {
    const out = await client.send(
      new ExecuteStatementCommand({ ...target, sql: text, parameters: dataApiParameters(values), formatRecordsAs: 'JSON', ...(transactionId ? { transactionId } : {}) }),
    );
    // DML returns no records; a SELECT returns them as one JSON array of objects keyed by column.
    return out.formattedRecords ? (JSON.parse(out.formattedRecords) as Record<string, unknown>[]) : [];
  };
  const { resourceArn, secretArn } = target;
  return {
    dialect: dataApiDialect(engine),
    run: (statement) => execute(statement),
    async transaction(work) {
      const { transactionId } = await client.send(new BeginTransactionCommand({ ...target }));
      if (!transactionId) throw new Error('the Data API began a transaction without an id');
      const tx: SqlSession = { run: (statement) => execute(statement, transactionId) };
      let result;
      try {
        result = await work(tx);
      } catch (err) {
        await client.send(new RollbackTransactionCommand({ resourceArn, secretArn, transactionId })).catch(() => undefined);
        throw err;
      }
      await client.send(new CommitTransactionCommand({ resourceArn, secretArn, transactionId }));
      return result;
    },
    classify: (err) => classifyDataApiError(err, engine),
    // Nothing to close: every call is its own HTTPS request.
    close: async () => undefined,
  };
}

/** Exceptions that mean the Data API refused the caller or could not use the secret: a person must act. */
const REFUSED = new Set(['AccessDeniedException', 'ForbiddenException', 'SecretsErrorException', 'InvalidSecretException']);
/** Exceptions that mean the configuration names something that is not there, or is not set up for the Data API. */
const NOT_THERE = new Set(['DatabaseNotFoundException', 'NotFoundException', 'HttpEndpointNotEnabledException', 'UnsupportedResultException', 'InvalidResourceStateException']);
/** Exceptions worth another try: a paused cluster resuming, a timeout, the service itself. */
const TRANSIENT = new Set([
  'DatabaseResumingException',
  'DatabaseUnavailableException',
  'StatementTimeoutException',
  'ServiceUnavailableError',
  'InternalServerErrorException',
  'ThrottlingException',
  'TransactionNotFoundException',
]);

/**
 * A Data API error as a failure kind. The database's own error arrives inside the message (Aurora
 * PostgreSQL: `...; SQLState: 23503`; Aurora MySQL: `Database error code: 1451. Message: ...`): only that
 * code is kept, never the message, which can quote the values (an email).
 */
export function classifyDataApiError(err: unknown, engine: 'postgres' | 'mysql'): Failure | undefined {
  const name = err instanceof Error ? err.name : undefined;
  if (!name || !/Exception$|Error$/.test(name) || name === 'Error' || name === 'TypeError') return undefined;
  if (REFUSED.has(name)) return { kind: 'auth', code: name };
  if (NOT_THERE.has(name)) return { kind: 'mismatch', code: name };
  if (TRANSIENT.has(name)) return { kind: 'unavailable', code: name };
  if (name === 'DatabaseErrorException' || name === 'BadRequestException') {
    const message = (err as Error).message;
    const sqlState = /SQLState: ([0-9A-Z]{5})/.exec(message)?.[1];
    const errno = /Database error code: (\d+)/.exec(message)?.[1];
    if (engine === 'postgres' && sqlState) return { ...postgresFailure(sqlState), code: `${name}, SQLSTATE ${sqlState}` };
    if (engine === 'mysql' && errno) return { ...mysqlFailure(Number(errno)), code: `${name}, MySQL error ${errno}` };
    // A statement the Data API refused without a database code (a malformed parameter, a result too large).
    return { kind: 'mismatch', code: name };
  }
  return undefined;
}

/** A relational connector whose configuration has `dataApi`: Aurora PostgreSQL or Aurora MySQL, by its kind. */
export class DataApiConnector extends SqlConnector {
  constructor(config: SqlConnectorConfig, deps: ConnectorDeps, client: Pick<RDSDataClient, 'send'> = new RDSDataClient({})) {
    if (!config.dataApi) throw new Error(`connector ${config.id} has no dataApi`);
    const target = config.dataApi;
    super(config, deps, () => dataApiDriver(client, target, config.kind));
  }
}
