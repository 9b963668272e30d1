/**
 * Builds the package for an access or portability request, in three steps: plan (one read of each staged
 * object: counts, columns, the report's rows), spool (one more read, writing every entry deflated into
 * /tmp), then zip those deflated entries as they are into one more file there and upload it to the
 * exports bucket from two reused part buffers (upload.ts). Both
 * reads are cut into slices (byte ranges of the staged objects, slices.ts), which run in this thread or,
 * when `parallel.workers` asks for it, on worker threads (slice-pool.ts). Memory
 * depends on the two part buffers, 64 KiB chunks, the number of threads and the number of distinct
 * fields, not on how many records the subject has.
 */
import { createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { planPackage, REPORT_ROWS, sliceObjects, type PlannedSystem } from './plan.ts';
import { spoolEntries } from './records-pass.ts';
import { InThreadRunner, WorkerPool, type SliceRunner } from './slice-pool.ts';
import { SliceWorker, type SliceSettings } from './slices.ts';
import { SpoolDir, type SegmentedEntry } from './spool.ts';
import type { AssembleInput, AssembleResult } from './types.ts';
import { uploadFile } from './upload.ts';
import { zipDeflated } from './zip.ts';

/**
 * Records per slice: about 11 MiB of staged call records, a few hundred milliseconds of parsing, so a
 * slice is worth handing to a thread and a large object spreads evenly over the threads.
 */
export const SLICE_RECORDS = 50_000;

/**
 * Worker threads by default: none. Measured on the shared 2-vCPU machine (docs/benchmarks.md), two
 * worker threads made 1M records 10-30% faster when the cores were free (slower under load) but added
 * ~120 MiB of resident memory (each thread is a V8 heap with its own copy of the modules), against a
 * target of 256 MB that one thread already misses. `parallel.workers` (one per vCPU: Lambda gives 1 per
 * 1,769 MB) turns them on; that has not been measured on Lambda yet.
 */
const DEFAULT_WORKERS = 1;

/**
 * `onlyIf` sees what the first pass found and may decide there is nothing to build (the workflow's
 * "nothing portable"): then nothing is written and the answer is undefined.
 */
export async function assemblePackage(input: AssembleInput): Promise<AssembleResult>;
export async function assemblePackage(input: AssembleInput, options: { onlyIf: (systems: PlannedSystem[]) => boolean }): Promise<AssembleResult | undefined>;
export async function assemblePackage(input: AssembleInput, options?: { onlyIf: (systems: PlannedSystem[]) => boolean }): Promise<AssembleResult | undefined> {
  const now = input.now ?? new Date();
  const settings: SliceSettings = {
    stagingBucket: input.stagingBucket,
    config: input.config,
    mode: input.request.type,
    withheld: (input.withheld ?? []).map(({ connectorId, object, recordId, field }) => ({ connectorId, object, ...(recordId !== undefined ? { recordId } : {}), ...(field !== undefined ? { field } : {}) })),
    keep: input.request.type === 'access' ? REPORT_ROWS : 0,
  };
  const local = new SliceWorker(input.s3, settings);
  const sliceRecords = input.parallel?.sliceRecords ?? SLICE_RECORDS;
  const sliced = await sliceObjects(input, sliceRecords);
  const slices = sliced.reduce((n, s) => n + s.objects.reduce((m, o) => m + o.ranges.length, 0), 0);
  const staged = input.sources.reduce((n, s) => n + s.objects.reduce((m, o) => m + Math.max(0, o.count), 0), 0);
  // Threads only for more than a slice's worth of records: starting one costs more than a few small objects.
  const workers = staged > sliceRecords ? Math.min(input.parallel?.workers ?? DEFAULT_WORKERS, slices) : 1;
  const runner: SliceRunner = workers > 1 ? await WorkerPool.start(workers, input.s3, settings) : new InThreadRunner(local);
  const spool = await SpoolDir.create();
  try {
    const systems = await planPackage(sliced, runner, local);
    if (options && !options.onlyIf(systems)) return undefined;
    const entries = await spoolEntries(input, systems, now.toISOString(), spool, runner);
    const bytes = await upload(input, entries, now, spool);
    const records = systems.reduce((n, s) => n + s.objects.reduce((m, o) => m + o.count, 0), 0);
    return { key: input.key, bytes, records, files: entries.map((e) => e.name) };
  } finally {
    await runner.close();
    await spool.remove();
  }
}

/**
 * Writes the ZIP of the deflated entries into the spool directory, then uploads that file (upload.ts);
 * returns the ZIP's size. The ZIP on disk, not streamed, lets the upload send parts from two reused
 * buffers; it costs one more write and read of the ZIP's bytes on /tmp.
 */
async function upload(input: AssembleInput, entries: SegmentedEntry[], now: Date, spool: SpoolDir): Promise<number> {
  const path = spool.path();
  const zip = zipDeflated(entries, now);
  await Promise.all([pipeline(zip.stream, createWriteStream(path)), zip.done]);
  const { size } = await stat(path);
  await uploadFile(
    {
      s3: input.s3,
      bucket: input.exportsBucket,
      key: input.key,
      contentType: 'application/zip',
      contentDisposition: `attachment; filename="${input.request.type}-${input.request.requestId}.zip"`,
      ...(input.sse ? { sse: input.sse } : {}),
    },
    path,
    size,
  );
  return size;
}
