/**
 * Builds the package for an access or portability request: a ZIP produced as a stream (yazl) and piped
 * into a multipart upload to the exports bucket. Each staged object is read twice: once to plan (counts,
 * columns, the report's rows), once to write data.json into the ZIP and the object's CSV into a spool
 * file that the ZIP takes up after data.json. Entries are added lazily, so each is generated only when
 * the ZIP reaches it; memory depends on the part buffers and the number of distinct fields, not on how
 * many records the subject has.
 */
import { Transform, type Readable } from 'node:stream';
import { Upload } from '@aws-sdk/lib-storage';
import { ZipFile } from 'yazl';
import schema from './data.schema.json' with { type: 'json' };
import { dataJson } from './data-json.ts';
import { reportHtml } from './html.ts';
import { planPackage, type PlannedSystem } from './plan.ts';
import { readmeText } from './readme.ts';
import { RecordsPass } from './records-pass.ts';
import { SpoolDir } from './spool.ts';
import { textStream } from './text-stream.ts';
import type { AssembleInput, AssembleResult } from './types.ts';

const PART_SIZE = 8 * 1024 * 1024;
const SCHEMA_BYTES = Buffer.from(`${JSON.stringify(schema, null, 2)}\n`, 'utf8');

export async function assemblePackage(input: AssembleInput): Promise<AssembleResult> {
  const now = input.now ?? new Date();
  const systems = await planPackage(input);
  const spool = await SpoolDir.create();
  try {
    return await writePackage(input, systems, spool, now);
  } finally {
    await spool.remove();
  }
}

async function writePackage(input: AssembleInput, systems: PlannedSystem[], spool: SpoolDir, now: Date): Promise<AssembleResult> {
  const generatedAt = now.toISOString();
  const pass = new RecordsPass(input, spool);

  let failure: ((err: Error) => void) | undefined;
  const failed = new Promise<never>((_, reject) => (failure = reject));
  failed.catch(() => undefined);
  const fail = (err: unknown) => failure!(err instanceof Error ? err : new Error(String(err)));

  const zip = new ZipFile();
  zip.on('error', fail);
  const files: string[] = [];
  const entry = { mtime: now, mode: 0o100644 };
  // yazl pipes an entry's stream without listening for its errors; an unheard error would stall the ZIP.
  const open = new Set<Readable>();
  const lazy = (name: string, make: () => Readable) => {
    files.push(name);
    zip.addReadStreamLazy(name, entry, (cb) => {
      let stream: Readable;
      try {
        stream = make();
      } catch (err) {
        // Thrown inside yazl's callback it would escape as an uncaught exception; failing aborts the upload.
        fail(err);
        return;
      }
      stream.on('error', fail);
      open.add(stream);
      stream.on('close', () => open.delete(stream));
      cb(null, stream);
    });
  };

  if (input.request.type === 'access') lazy('report.html', () => textStream(reportHtml(input, systems, generatedAt)));
  // data.json's stream is the records pass: it also writes every CSV, so the CSVs must come after it.
  lazy('data.json', () => textStream(dataJson(input, systems, generatedAt, (o) => pass.records(o))));
  files.push('schema.json');
  zip.addBuffer(SCHEMA_BYTES, 'schema.json', entry);
  for (const system of systems) for (const o of system.objects) lazy(o.csvPath, () => pass.csv(o).read());
  files.push('README.txt');
  zip.addBuffer(Buffer.from(readmeText(input, systems, generatedAt), 'utf8'), 'README.txt', entry);
  zip.end();

  let bytes = 0;
  // Counts the ZIP's size on its way to S3 (a transform, so the upload's pace still holds the ZIP back).
  const body = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      done(null, chunk);
    },
  });
  zip.outputStream.on('error', fail);
  zip.outputStream.pipe(body);

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
    await Promise.race([upload.done(), failed]);
  } catch (err) {
    // No half-written package may be left behind for a download link to find.
    await upload.abort().catch(() => undefined);
    // Closes the staged objects' downloads that the stalled ZIP would otherwise hold open.
    for (const stream of open) stream.destroy();
    body.destroy();
    throw err;
  }
  const records = systems.reduce((n, s) => n + s.objects.reduce((m, o) => m + o.count, 0), 0);
  return { key: input.key, bytes, records, files };
}
