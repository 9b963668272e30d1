/**
 * The S3 emulator's process: one per data folder at a time, and gone when its parent is.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { S3_CHILD_FLAGS, startS3Emulator, type S3Emulator } from '../../../infra/local/s3-emulator.ts';
import { s3rverClient } from '../../support/s3rver.ts';

const started: S3Emulator[] = [];
let dir: string | undefined;
afterEach(async () => {
  for (const e of started.splice(0)) await e.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the S3 emulator', () => {
  it('started on a folder another emulator still serves, waits for that one to stop before it recovers and serves', async () => {
    dir = mkdtempSync(join(tmpdir(), 's3-emulator-'));
    const first = await startS3Emulator({ directory: dir, buckets: ['b1'] });
    const order: string[] = [];
    const second = startS3Emulator({ directory: dir, buckets: ['b1'] }).then((e) => {
      order.push('second serves');
      started.push(e);
      return e;
    });
    // Long enough for the second to be serving by now if it did not wait (it needs about a second).
    await new Promise((r) => setTimeout(r, 3_000));

    await first.close();
    order.push('first stopped');
    await second;

    expect(order).toEqual(['first stopped', 'second serves']);
  });

  it('runs on a bounded heap, without tsx where Node strips types, and still takes a 40 MiB multipart upload', async () => {
    dir = mkdtempSync(join(tmpdir(), 's3-emulator-'));
    const emulator = await startS3Emulator({ directory: dir, buckets: ['exports'] });
    started.push(emulator);
    const args = readFileSync(`/proc/${emulator.pid}/cmdline`, 'utf8').split('\0');
    expect(S3_CHILD_FLAGS.some((f) => f.startsWith('--max-old-space-size='))).toBe(true);
    for (const flag of S3_CHILD_FLAGS) expect(args).toContain(flag);
    if (process.features.typescript) expect(args.some((a) => a.includes('tsx'))).toBe(false);

    // What a large access package's upload does: 8 MiB parts, more in all than the emulator's heap.
    const s3 = s3rverClient(emulator.url);
    const parts = Array.from({ length: 5 }, () => randomBytes(8 * 1024 * 1024));
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'exports', Key: 'big.zip' }));
    const etags: string[] = [];
    for (const [i, body] of parts.entries()) {
      etags.push((await s3.send(new UploadPartCommand({ Bucket: 'exports', Key: 'big.zip', UploadId, PartNumber: i + 1, Body: body }))).ETag!);
    }
    await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: 'exports',
        Key: 'big.zip',
        UploadId,
        MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) },
      }),
    );
    const read = Buffer.from(await (await s3.send(new GetObjectCommand({ Bucket: 'exports', Key: 'big.zip' }))).Body!.transformToByteArray());
    s3.destroy();

    const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
    expect(read.length).toBe(40 * 1024 * 1024);
    expect(sha(read)).toBe(sha(Buffer.concat(parts)));
  }, 60_000);
});
