/**
 * Writes every entry of the package into deflated spool files, in the ZIP's order, with the second and
 * last read of each staged object (the first is planning): every record read goes into data.json and, on
 * the way, into its object's CSV, both being compressed meanwhile on the thread pool. The report needs no
 * read: planning kept the rows it shows.
 */
import { readStaged } from '../staging/reader.ts';
import schema from './data.schema.json' with { type: 'json' };
import { CsvWriter } from './csv.ts';
import { dataJson } from './data-json.ts';
import { reportHtml } from './html.ts';
import type { PlannedObject, PlannedSystem } from './plan.ts';
import { readmeText } from './readme.ts';
import type { DeflatedFile, SpoolDir } from './spool.ts';
import { batched } from './batched.ts';
import type { AssembleInput } from './types.ts';
import type { RecordView } from './view.ts';
import type { ZipEntry } from './zip.ts';

const SCHEMA_TEXT = `${JSON.stringify(schema, null, 2)}\n`;

export async function spoolEntries(input: AssembleInput, systems: PlannedSystem[], generatedAt: string, spool: SpoolDir): Promise<ZipEntry[]> {
  const closing: Array<Promise<void>> = [];
  const close = (file: DeflatedFile) => {
    const closed = file.close();
    // Awaited below; when an earlier step fails first, nobody is left to hear this one's rejection.
    closed.catch(() => undefined);
    closing.push(closed);
  };
  const entry = async (name: string, text: AsyncIterable<string> | Iterable<string>): Promise<ZipEntry> => {
    const file = spool.file();
    for await (const chunk of batched(text)) await file.write(chunk);
    close(file);
    return { name, file };
  };

  const csvs: ZipEntry[] = [];
  async function* records(o: PlannedObject): AsyncIterable<RecordView> {
    const file = spool.file();
    csvs.push({ name: o.csvPath, file });
    const csv = new CsvWriter(o, (text) => file.write(text));
    for await (const record of readStaged(input.s3, input.stagingBucket, o.stagingKey)) {
      const view = o.filter.apply(record);
      if (!view) continue;
      if (csv.add(view)) await csv.flush();
      yield view;
    }
    await csv.flush();
    close(file);
  }

  const entries: ZipEntry[] = [];
  if (input.request.type === 'access') entries.push(await entry('report.html', reportHtml(input, systems, generatedAt)));
  entries.push(await entry('data.json', dataJson(input, systems, generatedAt, records)));
  entries.push(await entry('schema.json', [SCHEMA_TEXT]));
  entries.push(...csvs);
  entries.push(await entry('README.txt', [readmeText(input, systems, generatedAt)]));
  // The deflate streams finish on the thread pool; every file is complete once these settle.
  await Promise.all(closing);
  return entries;
}
