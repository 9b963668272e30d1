/**
 * What kind of failure an engine's error code is, for PostgreSQL's SQLSTATE and MySQL's error numbers.
 * One home for both: the direct drivers (postgres.ts, mysql-driver.ts) read the codes off the driver's
 * error, and the Data API (data-api.ts) reads them out of its error messages.
 */
import type { Failure } from './sql-connector.ts';

/** SQLSTATE classes: 28 refused credentials; 23503 a foreign key; 42, 22, 23 a dataset that does not match. */
export function postgresFailure(sqlState: string): Failure {
  const code = `SQLSTATE ${sqlState}`;
  if (sqlState === '28P01' || sqlState === '28000') return { kind: 'auth', code };
  if (sqlState === '23503') return { kind: 'foreign-key', code };
  if (sqlState.startsWith('42') || sqlState.startsWith('22') || sqlState.startsWith('23')) return { kind: 'mismatch', code };
  return { kind: 'unavailable', code };
}

/** Error numbers of refused credentials (1045 user, 1044 database, 1698 auth plugin). */
const MYSQL_AUTH = new Set([1044, 1045, 1698]);
/** A parent row a child still references (1451, and 1217 from older servers). */
const MYSQL_PARENT_REFERENCED = new Set([1451, 1217]);
/** Values a column refuses, under SQLSTATE HY000 (no default, wrong value, truncated, too long). */
const MYSQL_VALUE_REFUSED = new Set([1364, 1366, 1292, 1265, 1406]);
/** A table or column the dataset names that the database lacks (1146, 1054), or a NULL it refuses (1048). */
const MYSQL_MISMATCH = new Set([1146, 1054, 1048]);

/** A MySQL error number (and SQLSTATE, when known) as a failure kind. */
export function mysqlFailure(errno: number, sqlState?: string): Failure {
  const code = sqlState ? `MySQL error ${errno}, SQLSTATE ${sqlState}` : `MySQL error ${errno}`;
  if (MYSQL_AUTH.has(errno) || sqlState === '28000') return { kind: 'auth', code };
  if (MYSQL_PARENT_REFERENCED.has(errno)) return { kind: 'foreign-key', code };
  const stateMismatch = sqlState !== undefined && (sqlState.startsWith('42') || sqlState.startsWith('22') || sqlState.startsWith('23'));
  if (stateMismatch || MYSQL_VALUE_REFUSED.has(errno) || MYSQL_MISMATCH.has(errno)) return { kind: 'mismatch', code };
  return { kind: 'unavailable', code };
}
