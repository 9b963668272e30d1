import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uploadFile } from '../../../../functions/domain/package/upload.ts';
import { s3rverClient, startS3rver, type S3rverHandle } from '../../../support/s3rver.ts';

const BUCKET = 'exports';
// Small parts keep the test fast; the code is the same for S3's 5 MiB.
const PART = 64 * 1024;

let s3rver: S3rverHandle;
let dir: string;

beforeAll(async () => {
  s3rver = await startS3rver({ buckets: [BUCKET] });
  dir = await mkdtemp(join(tmpdir(), 'upload-test-'));
});

afterAll(async () => {
  await s3rver.close();
  await rm(dir, { recursive: true, force: true });
});

async function fileOf(bytes: Buffer): Promise<string> {
  const path = join(dir, `${randomBytes(6).toString('hex')}.zip`);
  await writeFile(path, bytes);
  return path;
}

const target = (key: string, s3 = s3rver.s3) => ({
  s3,
  bucket: BUCKET,
  key,
  contentType: 'application/zip',
  contentDisposition: 'attachment; filename="access-r1.zip"',
});

async function stored(key: string): Promise<Buffer> {
  const res = await s3rver.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return Buffer.from(await res.Body!.transformToByteArray());
}

describe('uploadFile', () => {
  it('stores a file of one part with one PutObject, with its content type and disposition', async () => {
    const bytes = randomBytes(PART - 10);
    await uploadFile(target('small.zip'), await fileOf(bytes), bytes.length, PART);
    expect((await stored('small.zip')).equals(bytes)).toBe(true);
    const head = await s3rver.s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'small.zip' }));
    expect(head).toMatchObject({ ContentType: 'application/zip', ContentDisposition: 'attachment; filename="access-r1.zip"' });
  });

  it('stores a larger file byte for byte in parts, sending every part from one of two reused buffers', async () => {
    const bytes = randomBytes(PART * 5 + 123);
    const client = s3rverClient(s3rver.endpoint);
    const partBodies: Uint8Array[] = [];
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'UploadPartCommand') partBodies.push((args.input as { Body: Uint8Array }).Body);
        return next(args);
      },
      { step: 'initialize' },
    );
    await uploadFile(target('large.zip', client), await fileOf(bytes), bytes.length, PART);
    client.destroy();

    expect((await stored('large.zip')).equals(bytes)).toBe(true);
    expect(partBodies.map((body) => body.length)).toEqual([PART, PART, PART, PART, PART, 123]);
    // Six parts, two buffers: no part gets memory of its own (what grew the assembly's peak before).
    expect(new Set(partBodies.map((body) => body.buffer)).size).toBe(2);
  });

  it('aborts the multipart upload when a part fails, leaving no object', async () => {
    const bytes = randomBytes(PART * 3);
    const client = s3rverClient(s3rver.endpoint);
    let parts = 0;
    const sent: string[] = [];
    client.middlewareStack.add(
      (next, context) => async (args) => {
        sent.push(context.commandName ?? "");
        if (context.commandName === 'UploadPartCommand' && ++parts === 2) throw new Error('connection reset');
        return next(args);
      },
      { step: 'initialize' },
    );
    await expect(uploadFile(target('broken.zip', client), await fileOf(bytes), bytes.length, PART)).rejects.toThrow('connection reset');
    client.destroy();

    await expect(s3rver.s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'broken.zip' }))).rejects.toThrow();
    expect(sent).toContain('AbortMultipartUploadCommand');
    expect(sent).not.toContain('CompleteMultipartUploadCommand');
  });
});
