/**
 * The work of assembly that grows with the records, cut into slices: a slice is a byte range of one
 * staged object (staging/reader.ts reads the records whose line starts in it). Planning a slice counts
 * its records, collects its CSV columns and keeps its first report rows; spooling a slice writes its
 * records' part of data.json and its rows of the object's CSV as deflated segments (spool.ts), which
 * the main thread then joins into the entries. A slice needs nothing from another slice but what
 * planning found (the object's columns, whether records came before it), so slices run in any order on
 * any thread: in this one for small packages, on worker threads for large ones (slice-pool.ts).
 *
 * Everything a slice needs crosses a thread boundary, so it is plain data (structured-clone safe).
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { DsarConfig } from '#commons/config';
import { readStaged, type ByteRange } from '../staging/reader.ts';
import { CsvWriter } from './csv.ts';
import { ColumnSet } from './flatten.ts';
import { Redaction, type WithheldPart } from './redaction.ts';
import { DeflatedFile, type Segment } from './spool.ts';
import type { PackageType } from './types.ts';
import { RecordFilter, connectorConfig, objectMeta, type RecordView } from './view.ts';

/** What every slice of one package shares (sent once to each worker). */
export interface SliceSettings {
  stagingBucket: string;
  config: DsarConfig;
  mode: PackageType;
  withheld: WithheldPart[];
  /** Report rows to keep per object (0 for portability, which has no report). */
  keep: number;
}

export interface StagedObjectRef {
  connectorId: string;
  displayName: string;
  object: string;
  stagingKey: string;
}

export interface SliceJob {
  ref: StagedObjectRef;
  range: ByteRange;
}

export interface SlicePlan {
  count: number;
  /** Paths in order of first appearance, at most MAX_COLUMNS. */
  columns: string[];
  overflow: boolean;
  /** The slice's first `keep` records. */
  preview: RecordView[];
}

export interface SpoolJob extends SliceJob {
  columns: string[];
  overflow: boolean;
  /** Whether an earlier slice of the object has records, so this slice's first record follows a comma. */
  afterRecords: boolean;
  dataPath: string;
  csvPath: string;
}

export interface SliceSpool {
  data: Segment;
  csv: Segment;
}

/** Text handed to a deflate stream at once: per-chunk costs vanish, memory stays flat. */
const CHUNK = 64 * 1024;

/** Plans and spools slices of one package; built once per thread, with that thread's S3 client. */
export class SliceWorker {
  private readonly filters = new Map<string, RecordFilter>();
  private stopped = false;

  constructor(
    private readonly s3: S3Client,
    private readonly settings: SliceSettings,
  ) {}

  /** The package's rules for one object: the same filter whichever thread builds it. */
  filter(ref: StagedObjectRef): RecordFilter {
    const id = `${ref.connectorId}\u0000${ref.object}`;
    let filter = this.filters.get(id);
    if (!filter) {
      const { config, mode, withheld } = this.settings;
      const meta = objectMeta(connectorConfig(config, ref.connectorId), ref.displayName, ref.object);
      filter = new RecordFilter(meta, mode, new Redaction(withheld, ref.connectorId, ref.object));
      this.filters.set(id, filter);
    }
    return filter;
  }

  /**
   * Ends the work: a slice running stops at its next record and later ones do not start, so nothing
   * writes into the spool directory once the package has failed and the directory is being removed.
   */
  stop(): void {
    this.stopped = true;
  }

  private async *views(job: SliceJob): AsyncIterable<RecordView> {
    const filter = this.filter(job.ref);
    if (this.stopped) throw new Error('package assembly stopped');
    for await (const record of readStaged(this.s3, this.settings.stagingBucket, job.ref.stagingKey, job.range)) {
      if (this.stopped) throw new Error('package assembly stopped');
      const view = filter.apply(record);
      if (view) yield view;
    }
  }

  async plan(job: SliceJob): Promise<SlicePlan> {
    if (this.stopped) throw new Error('package assembly stopped');
    const columns = new ColumnSet();
    const preview: RecordView[] = [];
    let count = 0;
    for await (const view of this.views(job)) {
      count += 1;
      columns.add(view.data);
      if (preview.length < this.settings.keep) preview.push(view);
    }
    return { count, columns: columns.columns, overflow: columns.overflow, preview };
  }

  async spool(job: SpoolJob): Promise<SliceSpool> {
    if (this.stopped) throw new Error('package assembly stopped');
    const data = new DeflatedFile(job.dataPath);
    const csvFile = new DeflatedFile(job.csvPath);
    try {
      const csv = new CsvWriter(job, (text) => csvFile.write(text), { header: false });
      let parts: string[] = [];
      let size = 0;
      let comma = job.afterRecords;
      for await (const view of this.views(job)) {
        const text = JSON.stringify(view);
        parts.push(comma ? `,${text}` : text);
        comma = true;
        size += text.length + 1;
        if (size >= CHUNK) {
          await data.write(parts.join(''));
          parts = [];
          size = 0;
        }
        if (csv.add(view)) await csv.flush();
      }
      if (parts.length) await data.write(parts.join(''));
      await csv.flush();
      await Promise.all([data.close(), csvFile.close()]);
      return { data: data.segment, csv: csvFile.segment };
    } catch (err) {
      await Promise.all([data.discard(), csvFile.discard()]);
      throw err;
    }
  }
}
