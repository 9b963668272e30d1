/**
 * The embedded runtime's stand-in for the staging bucket's lifecycle rule on AWS (the construct's
 * `stagingRetentionDays`, default 100): staged objects older than that are deleted. Steps delete staging
 * as soon as a package is built or an erasure closed; this catches what a failed or abandoned request
 * left behind, so a laptop keeps a subject's staged records no longer than AWS would.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { STAGING_ROOT } from '../staging/keys.ts';
import { deleteObjectsOlderThan } from './expired-objects.ts';

/**
 * The staging bucket's lifecycle expiration on AWS (infra/stack/dsar-orchestrator.ts uses this value)
 * and the local sweep's. Longer than the longest extended statutory period (GDPR and UK: three months;
 * CCPA, VCDPA, CPA: 90 days), because an open request may wait that long for staff before its package
 * is built, and its staged records must still be there. In the normal course they are deleted as soon
 * as the package is built; this only bounds what an abandoned request leaves behind.
 */
export const STAGING_RETENTION_DAYS = 100;

export async function sweepExpiredStaging(
  s3: S3Client,
  bucket: string,
  now: Date,
  retentionDays = STAGING_RETENTION_DAYS,
): Promise<number> {
  return deleteObjectsOlderThan(s3, bucket, `${STAGING_ROOT}/`, now.getTime() - retentionDays * 86_400_000);
}
