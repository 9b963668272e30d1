/**
 * Makes dynalite's secondary indexes agree with its items again after a kill.
 *
 * dynalite keeps everything in one LevelDB, whose log has every write before dynalite answers: a kill
 * loses no answered write. But a PutItem/UpdateItem/DeleteItem is several LevelDB writes (the item's old
 * index entries deleted, its new ones put, then the item), not one batch. A kill between them leaves an
 * index entry for a version of the item that was never stored (a request listed under a status it never
 * reached) or no entry for one that was (a request missing from a queue), and later writes do not clean
 * that up: they compute index changes from the stored item.
 *
 * Before dynalite opens its folder, this recomputes every index entry from the items with dynalite's own
 * functions and writes the difference in one atomic batch. Items are the truth: the interrupted call
 * never answered, so its caller retries it (a workflow step re-runs).
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';

const require = createRequire(import.meta.url);
const dynaliteRequire = createRequire(require.resolve('dynalite'));

interface TableDescription {
  TableName: string;
  KeySchema: unknown[];
  AttributeDefinitions: unknown[];
  GlobalSecondaryIndexes?: Array<{ IndexName: string }>;
  LocalSecondaryIndexes?: Array<{ IndexName: string }>;
}
type Item = Record<string, unknown>;
const dynaliteDb = dynaliteRequire('./db') as {
  getIndexActions(indexes: unknown[], existingItem: Item | undefined, item: Item, table: TableDescription): { puts: Array<{ index: string; key: string; item: Item }> };
};
interface LevelDb {
  open(): Promise<void>;
  close(): Promise<void>;
  iterator(options: { gte: string; lt: string }): AsyncIterable<[string, unknown]>;
  batch(ops: Array<{ type: 'put'; key: string; value: unknown } | { type: 'del'; key: string }>): Promise<void>;
}
const { Level } = dynaliteRequire('level') as { Level: new (path: string, options: { valueEncoding: 'json' }) => LevelDb };

export interface IndexRepair {
  /** Index entries with no item behind them, or for another version of it, removed. */
  removed: number;
  /** Index entries an item lacked, or whose copy of it was stale, written. */
  written: number;
}

/** Every key under `prefix` (which ends in `~`, the separator dynalite puts after each name). */
function under(prefix: string) {
  return { gte: prefix, lt: `${prefix.slice(0, -1)}\x7f` };
}

export async function repairIndexes(dir: string): Promise<IndexRepair> {
  const repair: IndexRepair = { removed: 0, written: 0 };
  // LevelDB's folder holds CURRENT once created; nothing to repair in a folder dynalite never opened.
  if (!existsSync(join(dir, 'CURRENT'))) return repair;
  const db = new Level(dir, { valueEncoding: 'json' });
  await db.open();
  try {
    const tables: TableDescription[] = [];
    for await (const [, table] of db.iterator(under('table~'))) tables.push(table as TableDescription);
    for (const table of tables) {
      const indexes = [
        ['local', table.LocalSecondaryIndexes ?? []],
        ['global', table.GlobalSecondaryIndexes ?? []],
      ] as const;
      if (indexes.every(([, list]) => list.length === 0)) continue;
      const expected = new Map<string, Item>();
      for await (const [, item] of db.iterator(under(`item-${table.TableName}~`))) {
        for (const [type, list] of indexes) {
          for (const put of dynaliteDb.getIndexActions(list, undefined, item as Item, table).puts) {
            expected.set(`index-${type}~${table.TableName}~${put.index}~${put.key}`, put.item);
          }
        }
      }
      const ops: Parameters<LevelDb['batch']>[0] = [];
      for (const [type, list] of indexes) {
        for (const index of list) {
          for await (const [key, value] of db.iterator(under(`index-${type}~${table.TableName}~${index.IndexName}~`))) {
            const wanted = expected.get(key);
            expected.delete(key);
            if (wanted === undefined) {
              ops.push({ type: 'del', key });
              repair.removed += 1;
            } else if (!isDeepStrictEqual(wanted, value)) {
              ops.push({ type: 'put', key, value: wanted });
              repair.written += 1;
            }
          }
        }
      }
      for (const [key, value] of expected) {
        ops.push({ type: 'put', key, value });
        repair.written += 1;
      }
      if (ops.length) await db.batch(ops);
    }
  } finally {
    await db.close();
  }
  return repair;
}
