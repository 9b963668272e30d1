/**
 * One CSV file per system and object, streamed with csv-stringify: an `id` column, then one column per
 * flattened field path (found by the planning pass).
 *
 * Spreadsheet programs run a cell that starts with `=`, `+`, `-` or `@` (or a tab or carriage return
 * followed by one) as a formula, so such cells are prefixed with a single quote. Numbers and booleans
 * are written as they are: they cannot hold a formula. README.txt in the package says so.
 *
 * The guard looks at the start of a cell, so a cell must never be split into rows: csv-stringify quotes a
 * field holding the delimiter, a quote or its own record delimiter (`\r\n` here), but not one holding a
 * bare `\n` or `\r`, which spreadsheet programs read as a row break. `x\n=cmd|...` from a connector would
 * then start a row with a live formula. Every field holding either is quoted; a quoted field is one cell
 * whatever lines it has, and a spreadsheet starts a formula only at the start of a cell.
 */
import { pipeline, Readable } from 'node:stream';
import { stringify, type Options } from 'csv-stringify';
import { readStaged } from '../staging/reader.ts';
import { cellText, OTHER_COLUMN, toCells } from './flatten.ts';
import type { PlannedObject } from './plan.ts';
import type { AssembleInput } from './types.ts';

const FORMULA_START = /^[=+\-@\t\r]/;

/** How every CSV in the package is written; the BOM makes spreadsheet programs read UTF-8, not a legacy code page. */
const CSV_OPTIONS = { bom: true, record_delimiter: 'windows', quoted_match: /[\r\n]/ } as const satisfies Options;

/** Guards one text cell against formula injection. */
export function guardCell(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

function csvCell(value: unknown): string {
  const text = cellText(value);
  return typeof value === 'string' || (value !== null && typeof value === 'object') ? guardCell(text) : text;
}

/** Column headers: `id`, then the field paths; a field path that repeats one already taken gets a suffix. */
export function csvHeaders(o: PlannedObject): string[] {
  const taken = new Set<string>(['id']);
  const headers = ['id'];
  for (const path of [...o.columns, ...(o.overflow ? [OTHER_COLUMN] : [])]) {
    let h = path === 'id' ? 'data.id' : path;
    for (let n = 2; taken.has(h); n++) h = `${path} (${n})`;
    taken.add(h);
    headers.push(h);
  }
  return headers;
}

export function csvStream(input: AssembleInput, o: PlannedObject, onError: (err: Error) => void): Readable {
  const index = new Map(o.columns.map((c, i) => [c, i]));
  async function* rows(): AsyncIterable<string[]> {
    yield csvHeaders(o).map(guardCell);
    for await (const record of readStaged(input.s3, input.stagingBucket, o.stagingKey)) {
      const view = o.filter.apply(record);
      if (!view) continue;
      yield [guardCell(view.id), ...toCells(view.data, o.columns, index, o.overflow).map(csvCell)];
    }
  }
  const stringifier = stringify(CSV_OPTIONS);
  pipeline(Readable.from(rows()), stringifier, (err) => {
    if (err) onError(err);
  });
  return stringifier;
}
