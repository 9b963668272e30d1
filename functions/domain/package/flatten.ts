/**
 * Flattening nested records into columns for the CSV files and the report's tables: nested objects
 * become dot-joined paths (`address.city`) down to a fixed depth; arrays and anything deeper stay one
 * cell holding JSON, so one record never turns into an unbounded number of columns.
 */
import { isPlainObject } from './view.ts';

export const MAX_DEPTH = 3;
/** Beyond this many distinct paths in one object, further paths share one JSON cell (`_other`). */
export const MAX_COLUMNS = 500;
export const OTHER_COLUMN = '_other';

export function flatten(data: Record<string, unknown>, visit: (path: string, value: unknown) => void, prefix = '', depth = 1): void {
  // for...in over a parsed record visits its own keys in Object.entries' order without building an
  // array of pairs per record (this runs for every record in both passes; JSON.parse makes no inherited keys).
  for (const key in data) {
    if (!Object.hasOwn(data, key)) continue;
    const value = data[key];
    const path = prefix ? `${prefix}.${key}` : key;
    if (depth < MAX_DEPTH && isPlainObject(value) && hasKeys(value)) flatten(value, visit, path, depth + 1);
    else visit(path, value);
  }
}

function hasKeys(value: Record<string, unknown>): boolean {
  for (const key in value) if (Object.hasOwn(value, key)) return true;
  return false;
}

/** The union of paths of an object's records, in order of first appearance; fed record by record. */
export class ColumnSet {
  private readonly paths = new Map<string, number>();
  overflow = false;

  add(data: Record<string, unknown>): void {
    flatten(data, (path) => this.addPath(path));
  }

  /** Paths another set found, in its order (slices of one object merged in the object's order). */
  addPaths(paths: readonly string[]): void {
    for (const path of paths) this.addPath(path);
  }

  private addPath(path: string): void {
    if (this.paths.has(path)) return;
    if (this.paths.size >= MAX_COLUMNS) this.overflow = true;
    else this.paths.set(path, this.paths.size);
  }

  get columns(): string[] {
    return [...this.paths.keys()];
  }
}

/** One record as cells in the order of `columns` (plus `_other` when the object overflowed). */
export function toCells(data: Record<string, unknown>, columns: string[], index: Map<string, number>, overflow: boolean): unknown[] {
  const cells: unknown[] = new Array(columns.length + (overflow ? 1 : 0)).fill(undefined);
  let other: Record<string, unknown> | undefined;
  flatten(data, (path, value) => {
    const i = index.get(path);
    if (i !== undefined) cells[i] = value;
    else if (overflow) (other ??= {})[path] = value;
  });
  if (overflow && other) cells[columns.length] = other;
  return cells;
}

/** A cell's text before any output-specific escaping: JSON for arrays and objects, empty for null. */
export function cellText(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value);
}
