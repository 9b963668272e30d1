/**
 * The first of the two reads of the staged records: for every object, how many records go into this
 * package, which columns its CSV needs, and (for the access report) its first REPORT_ROWS records. The
 * second read (records-pass.ts) writes data.json and the CSVs. A large object is cut into byte ranges
 * (slices.ts) that are planned apart, on several threads, and merged here in order: counts add up,
 * columns join in order of first appearance (as one pass over the whole object would find them), the
 * report's rows are the first slices' first rows. Nothing here grows with the number of records, only
 * with the number of distinct field paths (which `ColumnSet` caps) and the report's fixed number of rows.
 */
import type { Origin } from '#commons/config';
import { stagedSize, type ByteRange } from '../staging/reader.ts';
import { ColumnSet } from './flatten.ts';
import { FolderNames } from './paths.ts';
import type { SliceRunner } from './slice-pool.ts';
import type { SliceWorker, StagedObjectRef } from './slices.ts';
import type { AssembleInput } from './types.ts';
import { Redaction } from './redaction.ts';
import { connectorConfig, objectMeta, type RecordFilter, type RecordView } from './view.ts';

/** Records per object the access report shows; the rest are in data.json and the CSV. */
export const REPORT_ROWS = 500;

export interface PlannedSlice {
  range: ByteRange;
  /** Records of the slice that go into this package. */
  count: number;
}

export interface PlannedObject {
  ref: StagedObjectRef;
  object: string;
  category: string;
  origin: Origin;
  filter: RecordFilter;
  /** Records that go into this package. */
  count: number;
  columns: string[];
  /** Whether some paths did not get a column of their own and share the `_other` cell. */
  overflow: boolean;
  /** Entry name of the object's CSV in the ZIP. */
  csvPath: string;
  /** The first REPORT_ROWS records, kept from this pass so the report needs no read of its own (access only). */
  preview: RecordView[];
  slices: PlannedSlice[];
}

export interface PlannedSystem {
  connectorId: string;
  displayName: string;
  objects: PlannedObject[];
}

/** The staged objects that may go into the package, each cut into the byte ranges its slices read. */
export interface SlicedObject {
  ref: StagedObjectRef;
  category: string;
  origin: Origin;
  ranges: ByteRange[];
}

export interface SlicedSystem {
  connectorId: string;
  displayName: string;
  folder: string;
  objects: SlicedObject[];
}

/**
 * Which objects to read and in how many slices: an object of more than `sliceRecords` records is cut
 * into about one slice per `sliceRecords` (its byte size from S3, split evenly; slices.ts finds the
 * line boundaries), the rest are read whole.
 */
export async function sliceObjects(input: AssembleInput, sliceRecords: number): Promise<SlicedSystem[]> {
  const folders = new FolderNames();
  const systems: SlicedSystem[] = [];
  for (const source of input.sources) {
    const connector = connectorConfig(input.config, source.connectorId);
    const objects: SlicedObject[] = [];
    for (const staged of source.objects) {
      // Nothing was staged for an empty object; reading its key would fail.
      if (staged.count <= 0) continue;
      // Staff withheld the whole object before release: the package does not name it.
      if (new Redaction(input.withheld ?? [], source.connectorId, staged.object).wholeObject) continue;
      const meta = objectMeta(connector, source.displayName, staged.object);
      const ref = { connectorId: source.connectorId, displayName: source.displayName, object: staged.object, stagingKey: staged.stagingKey };
      objects.push({ ref, category: meta.category, origin: meta.origin, ranges: await ranges(input, ref, staged.count, sliceRecords) });
    }
    systems.push({ connectorId: source.connectorId, displayName: source.displayName, folder: folders.take(source.connectorId, 'system', ''), objects });
  }
  return systems;
}

async function ranges(input: AssembleInput, ref: StagedObjectRef, count: number, sliceRecords: number): Promise<ByteRange[]> {
  const wanted = Math.ceil(count / sliceRecords);
  if (wanted <= 1) return [{ start: 0, end: Infinity }];
  const size = await stagedSize(input.s3, input.stagingBucket, ref.stagingKey);
  const n = Math.max(1, Math.min(wanted, size));
  return Array.from({ length: n }, (_, i) => ({ start: Math.floor((size * i) / n), end: i === n - 1 ? Infinity : Math.floor((size * (i + 1)) / n) }));
}

export async function planPackage(sliced: SlicedSystem[], runner: SliceRunner, local: SliceWorker): Promise<PlannedSystem[]> {
  // Every slice of every object is handed out at once; the runner decides how many run together.
  const plans = sliced.map((s) => s.objects.map((o) => Promise.all(o.ranges.map((range) => runner.plan({ ref: o.ref, range })))));
  // Heard below; when one fails first, nobody is left to hear the others' rejections.
  for (const p of plans.flat()) p.catch(() => undefined);
  const systems: PlannedSystem[] = [];
  for (const [si, system] of sliced.entries()) {
    const files = new FolderNames();
    const objects: PlannedObject[] = [];
    for (const [oi, o] of system.objects.entries()) {
      const slices = await plans[si]![oi]!;
      const count = slices.reduce((n, s) => n + s.count, 0);
      // Portability leaves out objects with nothing provided or observed in them.
      if (count === 0) continue;
      const columns = new ColumnSet();
      let overflow = false;
      for (const s of slices) {
        columns.addPaths(s.columns);
        overflow ||= s.overflow;
      }
      objects.push({
        ref: o.ref,
        object: o.ref.object,
        category: o.category,
        origin: o.origin,
        filter: local.filter(o.ref),
        count,
        columns: columns.columns,
        overflow: overflow || columns.overflow,
        csvPath: `csv/${system.folder}/${files.take(o.ref.object, 'object', '.csv')}`,
        preview: slices.flatMap((s) => s.preview).slice(0, REPORT_ROWS),
        slices: o.ranges.map((range, i) => ({ range, count: slices[i]!.count })),
      });
    }
    systems.push({ connectorId: system.connectorId, displayName: system.displayName, objects });
  }
  return systems;
}
