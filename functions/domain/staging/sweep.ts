/**
 * The embedded runtime's stand-in for the staging bucket's lifecycle rule on AWS (the construct's
 * `stagingRetentionDays`, default 30): staged objects older than that are deleted. Steps delete staging
 * as soon as a package is built or an erasure closed; this catches what a failed or abandoned request
 * left behind, so a laptop keeps a subject's staged records no longer than AWS would.
 */
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { deleteKeys } from './cleanup.ts';
import { STAGING_ROOT } from './keys.ts';

/** Same default as the staging bucket's lifecycle expiration in infra/stack/dsar-orchestrator.ts. */
export const STAGING_RETENTION_DAYS = 30;

export async function sweepExpiredStaging(
  s3: S3Client,
  bucket: string,
  now: Date,
  retentionDays = STAGING_RETENTION_DAYS,
): Promise<number> {
  const cutoff = now.getTime() - retentionDays * 86_400_000;
  let deleted = 0;
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `${STAGING_ROOT}/`, ContinuationToken: token }));
    const expired = (page.Contents ?? []).flatMap((o) => (o.Key && o.LastModified && o.LastModified.getTime() < cutoff ? [o.Key] : []));
    if (expired.length) {
      await deleteKeys(s3, bucket, expired);
      deleted += expired.length;
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return deleted;
}
