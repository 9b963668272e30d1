/**
 * ensureBucket tells a missing bucket from a broken one: only the first is created.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HeadBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { ensureBucket } from '../../../infra/local/seed.ts';
import { startS3rver, type S3rverHandle } from '../../support/s3rver.ts';

let emulator: S3rverHandle | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

describe('ensureBucket', () => {
  it('creates a bucket that is missing', async () => {
    emulator = await startS3rver();

    await ensureBucket(emulator.s3, 'dsar-exports');

    expect((await emulator.s3.send(new HeadBucketCommand({ Bucket: 'dsar-exports' }))).$metadata.httpStatusCode).toBe(200);
  });

  it('leaves a bucket that is there as it is', async () => {
    emulator = await startS3rver({ buckets: ['dsar-exports'] });
    await emulator.s3.send(new PutObjectCommand({ Bucket: 'dsar-exports', Key: 'k', Body: 'x' }));

    await ensureBucket(emulator.s3, 'dsar-exports');

    expect(readdirSync(join(emulator.directory, 'dsar-exports'))).toContain('k._S3rver_object');
  });

  it('reports a bucket the emulator cannot read, naming it, instead of failing to create it', async () => {
    emulator = await startS3rver({ buckets: ['dsar-staging'] });
    await emulator.s3.send(new PutObjectCommand({ Bucket: 'dsar-staging', Key: 'staging/dsar_x/a.jsonl', Body: 'x' }));
    // What an in-place write killed half-way used to leave (HEAD on a bucket lists it, and the listing fails).
    writeFileSync(join(emulator.directory, 'dsar-staging', 'staging/dsar_x/a.jsonl._S3rver_metadata.json'), '');

    const failure = await ensureBucket(emulator.s3, 'dsar-staging').then(() => undefined, (err: Error) => err);

    expect(failure?.message).toMatch(/the local bucket dsar-staging exists but the S3 emulator cannot read it \(HEAD answered 500/);
    expect(failure?.message).not.toMatch(/BucketAlreadyExists/);
  });
});
