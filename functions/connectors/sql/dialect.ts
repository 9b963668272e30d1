/**
 * What differs between the SQL engines the relational connector speaks: how an identifier is quoted,
 * how a parameter is written, and whether a batch of keys can travel as one array parameter. Everything
 * else (the plan, the walk, the erasure) is shared (plan.ts, sql-connector.ts).
 */
import type { DatasetTable } from './dataset.ts';

export interface SqlDialect {
  name: 'postgres' | 'mysql';
  /** A delimited identifier, with the engine's quote character doubled inside. */
  ident(name: string): string;
  /** The placeholder of the n-th value of a statement (1-based). */
  placeholder(n: number): string;
  /** Keys travel as one array parameter (`= ANY($1)`), or one parameter each (`IN (?, ?, ...)`). */
  arrays: boolean;
  /** The schema a table without one is in: PostgreSQL's `public`; none for MySQL (the connection's database). */
  defaultSchema?: string;
}

const doubleQuoted = (name: string) => `"${name.replace(/"/g, '""')}"`;
const backticked = (name: string) => `\`${name.replace(/`/g, '``')}\``;

/** PostgreSQL through `pg`: `$n` parameters, arrays bound whole. */
export const POSTGRES: SqlDialect = { name: 'postgres', ident: doubleQuoted, placeholder: (n) => `$${n}`, arrays: true, defaultSchema: 'public' };

/** MySQL and MariaDB through `mysql2`: `?` parameters, one per key. */
export const MYSQL: SqlDialect = { name: 'mysql', ident: backticked, placeholder: () => '?', arrays: false };

/**
 * The RDS Data API on Aurora (either engine): named parameters `:pN` and no array values, so one
 * parameter per key; identifiers as the engine underneath quotes them.
 */
export function dataApiDialect(engine: 'postgres' | 'mysql'): SqlDialect {
  const base = engine === 'postgres' ? POSTGRES : MYSQL;
  return { ...base, placeholder: (n) => `:p${n}`, arrays: false };
}

/** The table's qualified name: `schema.table`, or the table alone where the engine has no default schema. */
export function qualified(dialect: SqlDialect, table: DatasetTable): string {
  const schema = table.schema ?? dialect.defaultSchema;
  return schema ? `${dialect.ident(schema)}.${dialect.ident(table.name)}` : dialect.ident(table.name);
}
