/**
 * Plans how a dataset is walked for one subject: which tables the identity reaches directly, which are
 * reached through references (breadth first from the identity), which no path reaches (reported, never
 * scanned), and in which order erasure handles tables so foreign keys hold (rows that reference others
 * first). Every statement is parameterised: values only ever travel as parameters (written as the
 * engine's dialect writes them, dialect.ts), and identifiers come from the validated dataset and are
 * quoted besides.
 */
import { referenceOf, type Dataset, type DatasetTable, type Identity, type Masking } from './dataset.ts';
import { qualified, type SqlDialect } from './dialect.ts';

/** How rows of a table are found: by the subject's identity, or by keys already found in another table. */
export type Selector = { kind: 'identity'; column: string; identity: Identity } | { kind: 'reference'; column: string; from: { table: string; column: string } };

export interface TablePlan {
  table: DatasetTable;
  /** Breadth-first distance from the identity: 0 for tables the identity reaches directly. */
  depth: number;
  selectors: Selector[];
}

/** A reference between two declared tables: `child.column` holds values of `parent.parentColumn`. */
export interface Reference {
  child: string;
  column: string;
  parent: string;
  parentColumn: string;
}

export interface Plan {
  /** Reachable tables, breadth first from the identity. */
  tables: TablePlan[];
  /** Tables no identity and no chain of references reaches: they are reported, never read. */
  unreachable: string[];
  /** Reachable tables in the order erasure handles them: a table before every table it references. */
  erasureOrder: string[];
  /** Tables that reference each other in a cycle, so no order keeps every foreign key: erased in declared order. */
  cyclic: string[];
  references: Reference[];
}

/** A statement and its values, in the order its placeholders stand. */
export interface Statement {
  text: string;
  values: unknown[];
}

/** Collects a statement's values and writes each one's placeholder as the dialect does. */
class Values {
  readonly list: unknown[] = [];
  constructor(private readonly dialect: SqlDialect) {}

  add(value: unknown): string {
    this.list.push(value);
    return this.dialect.placeholder(this.list.length);
  }

  /** `column` holds one of `keys`: one array parameter where the engine binds arrays, else one parameter per key. */
  oneOf(column: string, keys: unknown[]): string {
    if (!keys.length) throw new Error('oneOf needs at least one key');
    const col = this.dialect.ident(column);
    return this.dialect.arrays ? `${col} = ANY(${this.add(keys)})` : `${col} IN (${keys.map((k) => this.add(k)).join(', ')})`;
  }
}

/**
 * One page of the rows whose `column` holds one of a batch of keys. Pages follow the primary key (keyset
 * paging), so a subject with a hundred thousand rows is streamed page by page instead of read into memory
 * at once; `after` is the last row of the previous page. The page size is the configuration's validated
 * integer, written into the statement (MySQL's prepared LIMIT refuses some numeric parameter types).
 */
export function selectPage(dialect: SqlDialect, table: DatasetTable, column: string, keys: unknown[], pageSize: number, after?: Record<string, unknown>): Statement {
  if (!Number.isSafeInteger(pageSize) || pageSize < 1) throw new Error(`page size must be a positive integer, not ${pageSize}`);
  const v = new Values(dialect);
  const fields = table.fields.map((f) => dialect.ident(f.name)).join(', ');
  const key = table.primaryKey.map((k) => dialect.ident(k)).join(', ');
  const where = v.oneOf(column, keys);
  const from = after ? ` AND (${key}) > (${table.primaryKey.map((k) => v.add(after[k])).join(', ')})` : '';
  return { text: `SELECT ${fields} FROM ${qualified(dialect, table)} WHERE ${where}${from} ORDER BY ${key} LIMIT ${pageSize}`, values: v.list };
}

/** Deletes one row by its primary key. */
export function deleteRow(dialect: SqlDialect, table: DatasetTable, row: Record<string, unknown>): Statement {
  const v = new Values(dialect);
  return { text: `DELETE FROM ${qualified(dialect, table)} WHERE ${keyCondition(dialect, table, row, v)}`, values: v.list };
}

/** Masks one row: `masked` are the new values of `maskedFields(table)`, in that order. */
export function maskRow(dialect: SqlDialect, table: DatasetTable, masked: unknown[], row: Record<string, unknown>): Statement {
  const v = new Values(dialect);
  const sets = maskedFields(table).map((f, i) => `${dialect.ident(f.name)} = ${v.add(masked[i])}`).join(', ');
  return { text: `UPDATE ${qualified(dialect, table)} SET ${sets} WHERE ${keyCondition(dialect, table, row, v)}`, values: v.list };
}

/** The distinct values of `column` among `keys` that rows of `child` still hold (as column `key`). */
export function stillReferenced(dialect: SqlDialect, child: DatasetTable, column: string, keys: unknown[]): Statement {
  const v = new Values(dialect);
  const where = v.oneOf(column, keys);
  return { text: `SELECT DISTINCT ${dialect.ident(column)} AS ${dialect.ident('key')} FROM ${qualified(dialect, child)} WHERE ${where}`, values: v.list };
}

export function maskedFields(table: DatasetTable): Array<{ name: string; mask: Masking }> {
  return table.fields.filter((f) => f.mask).map((f) => ({ name: f.name, mask: f.mask! }));
}

function keyCondition(dialect: SqlDialect, table: DatasetTable, row: Record<string, unknown>, v: Values): string {
  return table.primaryKey.map((k) => `${dialect.ident(k)} = ${v.add(row[k])}`).join(' AND ');
}

export function referencesOf(dataset: Dataset): Reference[] {
  return dataset.tables.flatMap((t) =>
    t.fields.flatMap((f) => {
      const ref = referenceOf(f);
      if (!ref) return [];
      const [parent, parentColumn] = ref.to.split('.') as [string, string];
      return [{ child: t.name, column: f.name, parent, parentColumn }];
    }),
  );
}

export function planDataset(dataset: Dataset): Plan {
  const byName = new Map(dataset.tables.map((t) => [t.name, t]));
  const references = referencesOf(dataset);
  const traversed = dataset.tables.flatMap((t) =>
    t.fields.filter((f) => referenceOf(f)?.traverse).map((f) => {
      const [parent, parentColumn] = referenceOf(f)!.to.split('.') as [string, string];
      return { child: t.name, column: f.name, parent, parentColumn };
    }),
  );

  // Breadth first from the tables the identity reaches; each table is visited once, so cycles end.
  const depth = new Map<string, number>();
  let frontier = dataset.tables.filter((t) => t.fields.some((f) => f.identity)).map((t) => t.name);
  for (const name of frontier) depth.set(name, 0);
  for (let d = 1; frontier.length; d++) {
    const next: string[] = [];
    for (const parent of frontier) {
      for (const edge of traversed.filter((e) => e.parent === parent && !depth.has(e.child))) {
        depth.set(edge.child, d);
        next.push(edge.child);
      }
    }
    frontier = next;
  }

  const tables: TablePlan[] = dataset.tables
    .filter((t) => depth.has(t.name))
    .map((table) => ({
      table,
      depth: depth.get(table.name)!,
      selectors: [
        ...table.fields.filter((f) => f.identity).map((f): Selector => ({ kind: 'identity', column: f.name, identity: f.identity! })),
        ...traversed
          .filter((e) => e.child === table.name && depth.has(e.parent))
          .map((e): Selector => ({ kind: 'reference', column: e.column, from: { table: e.parent, column: e.parentColumn } })),
      ],
    }))
    .sort((a, b) => a.depth - b.depth);

  const reachable = new Set(tables.map((t) => t.table.name));
  const { order, cyclic } = childrenFirst(
    dataset.tables.map((t) => t.name).filter((n) => reachable.has(n)),
    references.filter((r) => r.child !== r.parent && byName.has(r.parent)),
  );
  return {
    tables,
    unreachable: dataset.tables.map((t) => t.name).filter((n) => !reachable.has(n)),
    erasureOrder: order,
    cyclic,
    references,
  };
}

/**
 * Orders tables so each comes before every table it references (Kahn's algorithm on the reversed
 * edges). Tables caught in a reference cycle have no such order: they follow, in declared order, and the
 * connector relies on the database refusing a delete that would orphan a row (reported, not forced).
 */
function childrenFirst(names: string[], references: Reference[]): { order: string[]; cyclic: string[] } {
  const among = new Set(names);
  const edges = references.filter((r) => among.has(r.child) && among.has(r.parent));
  // A parent waits for each distinct child that references it.
  const waitingOn = new Map(names.map((n) => [n, new Set(edges.filter((e) => e.parent === n).map((e) => e.child))]));
  const order: string[] = [];
  let ready = names.filter((n) => waitingOn.get(n)!.size === 0);
  while (ready.length) {
    order.push(...ready);
    const done = new Set(ready);
    ready = [];
    for (const n of names) {
      const waits = waitingOn.get(n)!;
      if (order.includes(n) || waits.size === 0) continue;
      for (const child of done) waits.delete(child);
      if (waits.size === 0) ready.push(n);
    }
  }
  const cyclic = names.filter((n) => !order.includes(n));
  return { order: [...order, ...cyclic], cyclic };
}
