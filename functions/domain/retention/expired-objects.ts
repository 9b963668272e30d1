/**
 * The embedded runtime's stand-in for an S3 lifecycle expiration rule: deletes the objects under a prefix
 * last written before a cutoff, page by page. One loop for the exports and the staging sweeps
 * (./packages.ts, ./staging.ts), through the batch delete of ../staging/cleanup.ts, which fails on keys
 * S3 reports it could not delete (instead of counting them as gone) and sends a batch again after a
 * server error.
 */
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { deleteKeys } from '../staging/cleanup.ts';

/** How many objects under `prefix` written before `cutoff` (epoch milliseconds) it deleted. */
export async function deleteObjectsOlderThan(s3: S3Client, bucket: string, prefix: string, cutoff: number): Promise<number> {
  let deleted = 0;
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    const expired = (page.Contents ?? []).flatMap((o) => (o.Key && o.LastModified && o.LastModified.getTime() < cutoff ? [o.Key] : []));
    if (expired.length) {
      await deleteKeys(s3, bucket, expired);
      deleted += expired.length;
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return deleted;
}
