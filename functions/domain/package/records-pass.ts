/**
 * The second and last read of each staged object (the first is planning): every record read goes into
 * data.json as it streams into the ZIP and, on the way, into the object's CSV, which is spooled until the
 * ZIP reaches its entry. The report needs no read: planning kept the rows it shows.
 */
import { readStaged } from '../staging/reader.ts';
import { CsvWriter } from './csv.ts';
import type { PlannedObject } from './plan.ts';
import type { SpoolDir, SpoolFile } from './spool.ts';
import type { AssembleInput } from './types.ts';
import type { RecordView } from './view.ts';

export class RecordsPass {
  private readonly csvs = new Map<PlannedObject, SpoolFile>();

  constructor(
    private readonly input: AssembleInput,
    private readonly spool: SpoolDir,
  ) {}

  /** The object's records as they go into the package; its CSV is complete once the iteration ends. */
  async *records(o: PlannedObject): AsyncIterable<RecordView> {
    const file = await this.spool.file();
    this.csvs.set(o, file);
    try {
      const csv = new CsvWriter(o, (text) => file.write(text));
      for await (const record of readStaged(this.input.s3, this.input.stagingBucket, o.stagingKey)) {
        const view = o.filter.apply(record);
        if (!view) continue;
        if (csv.add(view)) await csv.flush();
        yield view;
      }
      await csv.flush();
    } finally {
      await file.close();
    }
  }

  /** The object's CSV, read back from its spool file; only after `records(o)` has run to its end. */
  csv(o: PlannedObject): SpoolFile {
    const file = this.csvs.get(o);
    if (!file) throw new Error(`the CSV of ${o.csvPath} was asked for before its records were read`);
    return file;
  }
}
