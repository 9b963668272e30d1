/**
 * One CSV file per system and object: an `id` column, then one column per flattened field path (found by
 * the planning pass). Each row is written as text straight from the record's cells and rows are handed on
 * ~64 KiB at a time: a chunk per row (~83 bytes) made the compressor and the streams around it 22x slower.
 *
 * The text is exactly what csv-stringify writes with CSV_OPTIONS (test/functions/domain/package/csv.test.ts
 * holds the two side by side): a cell is quoted when it holds a comma, a quote, a carriage return or a line
 * feed, quotes doubled inside. Formatting rows here instead of through csv-stringify took the CSV's share of
 * the records pass from ~2.5 us to ~0.5 us per record (its per-cell option handling and casting were the
 * largest single cost of assembly in a CPU profile of 100k records).
 *
 * Spreadsheet programs run a cell that starts with `=`, `+`, `-` or `@` (or a tab or carriage return
 * followed by one) as a formula, so such cells are prefixed with a single quote. Numbers and booleans
 * are written as they are: they cannot hold a formula. README.txt in the package says so.
 *
 * The guard looks at the start of a cell, so a cell must never be split into rows: a field holding the
 * delimiter, a quote, `\r` or `\n` is quoted, and a quoted field is one cell whatever lines it has; a
 * spreadsheet starts a formula only at the start of a cell. (`x\n=cmd|...` from a connector would otherwise
 * start a row with a live formula.)
 */
import type { Options } from 'csv-stringify';
import { cellText, OTHER_COLUMN, toCells } from './flatten.ts';
import type { PlannedObject } from './plan.ts';
import type { RecordView } from './view.ts';

const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * The csv-stringify options whose output the writer reproduces (kept as the reference the test compares
 * with); the BOM makes spreadsheet programs read UTF-8, not a legacy code page.
 */
export const CSV_OPTIONS = { bom: true, record_delimiter: 'windows', quoted_match: /[\r\n]/ } as const satisfies Options;

const BOM = '\uFEFF';
const ROW_END = '\r\n';
const NEEDS_QUOTES = /[",\r\n]/;

/** One field as CSV text: quoted, quotes doubled, when it holds a delimiter, a quote or a line break. */
export function csvField(text: string): string {
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Guards one text cell against formula injection. */
export function guardCell(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

function csvCell(value: unknown): string {
  const text = cellText(value);
  return typeof value === 'string' || (value !== null && typeof value === 'object') ? guardCell(text) : text;
}

/** Column headers: `id`, then the field paths; a field path that repeats one already taken gets a suffix. */
export function csvHeaders(o: CsvLayout): string[] {
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

/** The columns of one object's CSV, as planning found them. */
export type CsvLayout = Pick<PlannedObject, 'columns' | 'overflow'>;

/** The start of an object's CSV: the BOM and the header row. */
export function csvHeaderText(o: CsvLayout): string {
  return `${BOM}${csvHeaders(o).map((h) => csvField(guardCell(h))).join(',')}${ROW_END}`;
}

/**
 * Writes CSV rows, handing `write` chunks of about CHUNK characters: a whole file (BOM and header first),
 * or with `header: false` only rows, a slice of a file whose header is written elsewhere.
 */
export class CsvWriter {
  private readonly index: Map<string, number>;
  private rows: string[] = [];
  private size = 0;
  private first: boolean;

  constructor(
    private readonly o: CsvLayout,
    private readonly write: (text: string) => Promise<void>,
    { header = true }: { header?: boolean } = {},
  ) {
    this.index = new Map(o.columns.map((c, i) => [c, i]));
    this.first = header;
    if (header) this.push(csvHeaders(o).map((h) => csvField(guardCell(h))).join(','));
  }

  /** Adds a record's row; true when a chunk is ready and `flush()` should be awaited. */
  add(view: RecordView): boolean {
    let row = csvField(guardCell(view.id));
    for (const cell of toCells(view.data, this.o.columns, this.index, this.o.overflow)) row += `,${csvField(csvCell(cell))}`;
    this.push(row);
    return this.size >= CHUNK;
  }

  async flush(): Promise<void> {
    if (this.rows.length === 0) return;
    // The BOM only at the very start of the file.
    const text = `${this.first ? BOM : ''}${this.rows.join(ROW_END)}${ROW_END}`;
    this.first = false;
    this.rows = [];
    this.size = 0;
    await this.write(text);
  }

  private push(row: string): void {
    this.rows.push(row);
    this.size += row.length + ROW_END.length;
  }
}
