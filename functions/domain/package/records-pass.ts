/**
 * Writes every entry of the package as deflated segments (spool.ts), in the ZIP's order, with the second
 * and last read of each staged object (the first is planning): every slice of an object (slices.ts)
 * writes its records' part of data.json and its rows of the object's CSV, on the runner's threads, while
 * this thread writes the report (from the rows planning kept), the text around the records and the CSV
 * headers. An entry is then its segments in order: this thread's text, the slices' parts, more text.
 */
import schema from './data.schema.json' with { type: 'json' };
import { csvHeaderText } from './csv.ts';
import { dataJson } from './data-json.ts';
import { reportHtml } from './html.ts';
import type { PlannedObject, PlannedSystem } from './plan.ts';
import { readmeText } from './readme.ts';
import type { SliceRunner } from './slice-pool.ts';
import type { SliceSpool } from './slices.ts';
import { SegmentedEntry, type Segment, type SpoolDir } from './spool.ts';
import type { AssembleInput } from './types.ts';

const SCHEMA_TEXT = `${JSON.stringify(schema, null, 2)}\n`;

/** Text gathered before it is handed to the compressor: per-chunk costs vanish, memory stays flat. */
const CHUNK = 64 * 1024;

export async function spoolEntries(input: AssembleInput, systems: PlannedSystem[], generatedAt: string, spool: SpoolDir, runner: SliceRunner): Promise<SegmentedEntry[]> {
  // Every slice is handed out at once; the runner decides how many run together.
  const spooled = new Map<PlannedObject, Promise<SliceSpool[]>>();
  for (const o of systems.flatMap((s) => s.objects)) {
    let before = 0;
    const jobs = o.slices.map((slice) => {
      const afterRecords = before > 0;
      before += slice.count;
      return runner.spool({ ref: o.ref, range: slice.range, columns: o.columns, overflow: o.overflow, afterRecords, dataPath: spool.path(), csvPath: spool.path() });
    });
    const all = Promise.all(jobs);
    // Awaited below; when an earlier step fails first, nobody is left to hear this one's rejection.
    all.catch(() => undefined);
    spooled.set(o, all);
  }
  const slicesOf = async (o: PlannedObject, part: 'data' | 'csv'): Promise<Segment[]> => (await spooled.get(o)!).map((s) => s[part]);

  /** An entry from text, with the records' segments of each object where the text names the object. */
  const entry = async (name: string, parts: Iterable<string | PlannedObject>): Promise<SegmentedEntry> => {
    const segments: Segment[] = [];
    let file = spool.file();
    let text: string[] = [];
    let size = 0;
    const flush = async () => {
      if (text.length) await file.write(text.join(''));
      text = [];
      size = 0;
    };
    for (const part of parts) {
      if (typeof part === 'string') {
        text.push(part);
        size += part.length;
        if (size >= CHUNK) await flush();
        continue;
      }
      await flush();
      await file.close();
      segments.push(file.segment, ...(await slicesOf(part, 'data')));
      file = spool.file();
    }
    await flush();
    await file.close();
    segments.push(file.segment);
    return new SegmentedEntry(name, segments);
  };

  const entries: SegmentedEntry[] = [];
  if (input.request.type === 'access') entries.push(await entry('report.html', reportHtml(input, systems, generatedAt)));
  entries.push(await entry('data.json', dataJson(input, systems, generatedAt)));
  entries.push(await entry('schema.json', [SCHEMA_TEXT]));
  for (const o of systems.flatMap((s) => s.objects)) {
    const header = await entry(o.csvPath, [csvHeaderText(o)]);
    entries.push(new SegmentedEntry(o.csvPath, [...header.segments, ...(await slicesOf(o, 'csv'))]));
  }
  entries.push(await entry('README.txt', [readmeText(input, systems, generatedAt)]));
  return entries;
}
