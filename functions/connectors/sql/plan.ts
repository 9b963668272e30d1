/**
 * Plans how a dataset is walked for one subject: which tables the identity reaches directly, which are
 * reached through references (breadth first from the identity), which no path reaches (reported, never
 * scanned), and in which order erasure handles tables so foreign keys hold (rows that reference others
 * first). Every statement is parameterised: values only ever travel as `$n` parameters, and identifiers
 * come from the validated dataset and are quoted besides.
 */
import { referenceOf, type Dataset, type DatasetTable, type Identity, type Masking } from './dataset.ts';

/** `"name"` with embedded quotes doubled: the PostgreSQL rule for a delimited identifier. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function qualified(table: DatasetTable): string {
  return `${quoteIdent(table.schema)}.${quoteIdent(table.name)}`;
}

/** How rows of a table are found: by the subject's identity, or by keys already found in another table. */
export type Selector = (
  | { kind: 'identity'; column: string; identity: Identity }
  | { kind: 'reference'; column: string; from: { table: string; column: string } }
) & { /** The first page. */ sql: string; /** Every later page, after the previous page's last key. */ nextSql: string };

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

/**
 * One page of the rows whose `column` holds one of a batch of keys: `$1` the keys (one array parameter),
 * `$2` the page size. Pages follow the primary key (keyset paging), so a subject with a hundred thousand
 * rows is streamed page by page instead of read into memory at once. `after` adds `$3..` : the primary
 * key of the last row of the previous page.
 */
export function selectSql(table: DatasetTable, column: string, after = false): string {
  const fields = table.fields.map((f) => quoteIdent(f.name)).join(', ');
  const key = table.primaryKey.map(quoteIdent).join(', ');
  const from = after ? ` AND (${key}) > (${table.primaryKey.map((_, i) => `$${i + 3}`).join(', ')})` : '';
  return `SELECT ${fields} FROM ${qualified(table)} WHERE ${quoteIdent(column)} = ANY($1)${from} ORDER BY ${key} LIMIT $2`;
}

/** The statement that deletes one row by its primary key; `$1..$n` are the key columns in order. */
export function deleteSql(table: DatasetTable): string {
  return `DELETE FROM ${qualified(table)} WHERE ${keyCondition(table, 0)}`;
}

/**
 * The statement that masks one row: `$1..$m` are the masked fields' new values (in the order of
 * `maskedFields`), then the key columns.
 */
export function maskSql(table: DatasetTable): string {
  const masked = maskedFields(table);
  const sets = masked.map((f, i) => `${quoteIdent(f.name)} = $${i + 1}`).join(', ');
  return `UPDATE ${qualified(table)} SET ${sets} WHERE ${keyCondition(table, masked.length)}`;
}

/** The distinct values of `column` still present among `$1`: which parent keys some row still references. */
export function referencedSql(child: DatasetTable, column: string): string {
  return `SELECT DISTINCT ${quoteIdent(column)} AS key FROM ${qualified(child)} WHERE ${quoteIdent(column)} = ANY($1)`;
}

export function maskedFields(table: DatasetTable): Array<{ name: string; mask: Masking }> {
  return table.fields.filter((f) => f.mask).map((f) => ({ name: f.name, mask: f.mask! }));
}

function keyCondition(table: DatasetTable, offset: number): string {
  return table.primaryKey.map((k, i) => `${quoteIdent(k)} = $${offset + i + 1}`).join(' AND ');
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
        ...table.fields.filter((f) => f.identity).map((f): Selector => ({ kind: 'identity', column: f.name, identity: f.identity!, sql: selectSql(table, f.name), nextSql: selectSql(table, f.name, true) })),
        ...traversed
          .filter((e) => e.child === table.name && depth.has(e.parent))
          .map((e): Selector => ({ kind: 'reference', column: e.column, from: { table: e.parent, column: e.parentColumn }, sql: selectSql(table, e.column), nextSql: selectSql(table, e.column, true) })),
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
