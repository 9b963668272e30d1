/**
 * One CSV file per system and object, written with csv-stringify: an `id` column, then one column per
 * flattened field path (found by the planning pass). Rows are gathered and stringified ~64 KiB at a time:
 * a chunk per row (~83 bytes) made the compressor and the streams around it 22x slower.
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
import type { Options } from 'csv-stringify';
import { stringify } from 'csv-stringify/sync';
import { cellText, OTHER_COLUMN, toCells } from './flatten.ts';
import type { PlannedObject } from './plan.ts';
import type { RecordView } from './view.ts';

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

/** Text gathered before it is handed on: large enough that per-chunk costs vanish, small enough to stay flat. */
const CHUNK = 64 * 1024;

/** Writes one object's CSV, header first, handing `write` chunks of about CHUNK characters. */
export class CsvWriter {
  private readonly index: Map<string, number>;
  private rows: string[][] = [];
  private size = 0;
  private first = true;

  constructor(
    private readonly o: PlannedObject,
    private readonly write: (text: string) => Promise<void>,
  ) {
    this.index = new Map(o.columns.map((c, i) => [c, i]));
    this.push(csvHeaders(o).map(guardCell));
  }

  /** Adds a record's row; true when a chunk is ready and `flush()` should be awaited. */
  add(view: RecordView): boolean {
    this.push([guardCell(view.id), ...toCells(view.data, this.o.columns, this.index, this.o.overflow).map(csvCell)]);
    return this.size >= CHUNK;
  }

  async flush(): Promise<void> {
    if (this.rows.length === 0) return;
    // The BOM only at the very start of the file.
    const text = stringify(this.rows, { ...CSV_OPTIONS, bom: this.first });
    this.first = false;
    this.rows = [];
    this.size = 0;
    await this.write(text);
  }

  private push(row: string[]): void {
    this.rows.push(row);
    for (const cell of row) this.size += cell.length + 1;
  }
}
