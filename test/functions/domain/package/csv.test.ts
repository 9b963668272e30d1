import { describe, expect, it } from 'vitest';
import { stringify } from 'csv-stringify/sync';
import { CSV_OPTIONS, CsvWriter, csvField, type CsvLayout } from '../../../../functions/domain/package/csv.ts';

const object: CsvLayout = { columns: ['title', 'durationSeconds'], overflow: false };

const views = Array.from({ length: 5000 }, (_, i) => ({ id: `call-${i}`, data: { title: i % 100 === 0 ? `line\nbreak=${i}` : `Call ${i}`, durationSeconds: i } }));

async function write(): Promise<string[]> {
  const chunks: string[] = [];
  const csv = new CsvWriter(object, async (text) => void chunks.push(text));
  for (const view of views) if (csv.add(view)) await csv.flush();
  await csv.flush();
  return chunks;
}

describe('CsvWriter', () => {
  it('hands its output on in chunks of at least 64 KiB, not one per row', async () => {
    const chunks = await write();

    expect(chunks.length).toBeLessThan(views.length / 100);
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks.slice(0, -1)) expect(chunk.length).toBeGreaterThanOrEqual(64 * 1024);
  });

  it('writes what csv-stringify writes for the whole file at once: one BOM, CRLF rows, line breaks quoted', async () => {
    const text = (await write()).join('');

    const expected = stringify(
      [['id', 'title', 'durationSeconds'], ...views.map((v) => [v.id, v.data.title, String(v.data.durationSeconds)])],
      { bom: true, record_delimiter: 'windows', quoted_match: /[\r\n]/ },
    );
    expect(text).toBe(expected);
    expect(text.match(/\uFEFF/g)).toHaveLength(1);
    expect(text).toContain('"line\nbreak=100"');
  });

  it('writes every awkward cell as csv-stringify does: commas, quotes, both line breaks, empty cells, formulas, other scripts', async () => {
    const cells = ['', 'plain', 'a,b', 'say "hi"', '"', '""', 'x\ny', 'x\ry', 'x\r\ny', '\r\n', ' lead', 'trail ', '=1+1', "'quoted", '\t-1', 'æøå ÆØÅ', '\u2028', ',', '"a,b"\n'];
    const rows = cells.map((c, i) => [c, cells[(i + 1) % cells.length]!]);

    const mine = `\uFEFF${rows.map((r) => r.map(csvField).join(',')).join('\r\n')}\r\n`;

    expect(mine).toBe(stringify(rows, CSV_OPTIONS));
  });
});
