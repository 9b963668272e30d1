/**
 * A MySQL or MariaDB database of the company's own (kind `mysql`): the shared relational connector
 * (sql-connector.ts) on the `mysql2` driver of mysql-driver.ts. The driver and its dependencies weigh
 * more than every other connector together, so they are not in the connector functions' bundles: this
 * module imports the driver file when a MySQL connector first connects. Bundled, that file is
 * `mysql-driver.mjs` beside the function's `index.mjs` (infra/bundling.ts builds it); run from source
 * (the embedded runtime, tests), it is the TypeScript module itself.
 */
import type { SqlConnectorConfig } from '#commons/config';
import type { ConnectorDeps } from '../types.ts';
import { SqlConnector } from './sql-connector.ts';
import type * as Driver from './mysql-driver.ts';

/** The driver module's file, next to this module's own (a variable, so bundlers leave the import alone). */
const DRIVER_FILE = import.meta.url.endsWith('.ts') ? './mysql-driver.ts' : './mysql-driver.mjs';

let driver: Promise<typeof Driver> | undefined;

/** The `mysql2` driver module, imported once per process on first use. */
export function loadMysqlDriver(): Promise<typeof Driver> {
  driver ??= import(DRIVER_FILE) as Promise<typeof Driver>;
  driver.catch(() => (driver = undefined));
  return driver;
}

export class MysqlConnector extends SqlConnector {
  constructor(config: SqlConnectorConfig, deps: ConnectorDeps, openPool?: (credentials: Record<string, string>) => Driver.MysqlPool) {
    super(config, deps, async (credentials) => {
      const d = await loadMysqlDriver();
      return d.mysqlDriver((openPool ?? d.openMysqlPool)(credentials));
    });
  }
}
