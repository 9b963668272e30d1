/**
 * Deletes staged records as soon as nothing needs them any more: Assemble removes a request's staging
 * area once its ZIP is written (access, portability), closing an erasure removes its own, and an erasure
 * also removes the staging areas and packages of the subject's earlier requests (workflow/subject-copies.ts). The
 * staging bucket's lifecycle rule on AWS (and the embedded runtime's sweep, retention/staging.ts) catch
 * whatever a failed step left behind.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { DeleteObjectsCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { stagingPrefix } from './keys.ts';

/** Rounds of our own on top of the SDK's retries for a batch that fails with a server error. */
const BATCH_ATTEMPTS = 5;

/** Deletes every object under `staging/<requestId>/`; returns how many were deleted. */
export function deleteStaging(s3: S3Client, bucket: string, requestId: string): Promise<number> {
  return deletePrefix(s3, bucket, stagingPrefix(requestId));
}

/** Deletes every object under `prefix` in `bucket`; returns how many were deleted. */
export async function deletePrefix(s3: S3Client, bucket: string, prefix: string): Promise<number> {
  let deleted = 0;
  let token: string | undefined;
  do {
    // A page holds at most 1000 keys, which is also the DeleteObjects limit: one batch per page.
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token, MaxKeys: 1000 }),
    );
    const keys = (page.Contents ?? []).flatMap((o) => (o.Key ? [o.Key] : []));
    if (keys.length > 0) {
      await deleteBatch(s3, bucket, keys);
      deleted += keys.length;
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return deleted;
}

/** Deletes the given keys in batches of at most 1000 (the DeleteObjects limit). */
export async function deleteKeys(s3: S3Client, bucket: string, keys: string[]): Promise<void> {
  for (let i = 0; i < keys.length; i += 1000) await deleteBatch(s3, bucket, keys.slice(i, i + 1000));
}

async function deleteBatch(s3: S3Client, bucket: string, keys: string[]): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      const res = await s3.send(
        new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true } }),
      );
      if (res.Errors && res.Errors.length > 0) {
        const first = res.Errors[0]!;
        throw new Error(`could not delete ${res.Errors.length} staged object(s), first ${first.Key}: ${first.Code ?? 'unknown'}`);
      }
      return;
    } catch (err) {
      // Deleting a key that is already gone succeeds, so a batch is safe to send again after a server
      // error. s3rver needs this: it deletes a batch in parallel and races itself removing the emptied
      // folders, answering InternalError after deleting most of the batch.
      if (!isServerError(err) || attempt >= BATCH_ATTEMPTS) throw err;
      await sleep(50 * attempt);
    }
  }
}

function isServerError(err: unknown): boolean {
  const status = (err as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
  return typeof status === 'number' && status >= 500;
}
