/**
 * Builds the package for an access or portability request, in three steps: plan (one read of each staged
 * object: counts, columns, the report's rows), spool (one more read, writing every entry deflated into
 * /tmp, all entries compressed at once on the thread pool), then zip those deflated entries as they are
 * into a multipart upload to the exports bucket. Memory depends on the part buffers, 64 KiB chunks and
 * the number of distinct fields, not on how many records the subject has.
 */
import { Transform } from 'node:stream';
import { Upload } from '@aws-sdk/lib-storage';
import { planPackage, type PlannedSystem } from './plan.ts';
import { spoolEntries } from './records-pass.ts';
import { SpoolDir } from './spool.ts';
import type { AssembleInput, AssembleResult } from './types.ts';
import { zipDeflated, type ZipEntry } from './zip.ts';

/** S3's smallest part: fewer bytes held in the upload's buffers (10,000 parts still allow a 50 GB ZIP). */
const PART_SIZE = 5 * 1024 * 1024;

/** `planned` is the first pass's result when the caller has already run it (to see whether anything goes in). */
export async function assemblePackage(input: AssembleInput, planned?: PlannedSystem[]): Promise<AssembleResult> {
  const now = input.now ?? new Date();
  const systems = planned ?? (await planPackage(input));
  const spool = await SpoolDir.create();
  try {
    const entries = await spoolEntries(input, systems, now.toISOString(), spool);
    const bytes = await upload(input, entries, now);
    const records = systems.reduce((n, s) => n + s.objects.reduce((m, o) => m + o.count, 0), 0);
    return { key: input.key, bytes, records, files: entries.map((e) => e.name) };
  } finally {
    await spool.remove();
  }
}

/** Streams the ZIP of the deflated entries into a multipart upload; returns the ZIP's size. */
async function upload(input: AssembleInput, entries: ZipEntry[], now: Date): Promise<number> {
  const zip = zipDeflated(entries, now);
  let bytes = 0;
  // Counts the ZIP's size on its way to S3 (a transform, so the upload's pace still holds the ZIP back).
  const body = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      done(null, chunk);
    },
  });
  zip.stream.on('error', (err) => body.destroy(err));
  zip.stream.pipe(body);
  const upload = new Upload({
    client: input.s3,
    params: {
      Bucket: input.exportsBucket,
      Key: input.key,
      Body: body,
      ContentType: 'application/zip',
      ContentDisposition: `attachment; filename="${input.request.type}-${input.request.requestId}.zip"`,
      ...(input.sse ? { ServerSideEncryption: input.sse } : {}),
    },
    partSize: PART_SIZE,
    queueSize: 2,
    leavePartsOnError: false,
  });
  try {
    await Promise.all([upload.done(), zip.done]);
  } catch (err) {
    // No half-written package may be left behind for a download link to find.
    await upload.abort().catch(() => undefined);
    zip.stream.destroy();
    body.destroy();
    throw err;
  }
  return bytes;
}
