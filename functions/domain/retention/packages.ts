/**
 * Deletes packages whose download link has expired. On AWS the exports bucket's lifecycle rule does
 * this; the embedded runtime runs this sweep on a timer, so the download endpoint answers 410 the same way.
 */
import { DeleteObjectsCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { AppContext } from '../context.ts';

export async function sweepExpiredPackages(ctx: AppContext): Promise<number> {
  const cutoff = ctx.clock.now().getTime() - ctx.config.delivery.linkTtlDays * 86_400_000;
  const bucket = ctx.exportsBucket();
  let deleted = 0;
  let token: string | undefined;
  do {
    const page = await ctx.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'exports/', ContinuationToken: token }));
    const expired = (page.Contents ?? []).filter((o) => o.Key && o.LastModified && o.LastModified.getTime() < cutoff);
    if (expired.length) {
      await ctx.s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: expired.map((o) => ({ Key: o.Key! })), Quiet: true } }));
      deleted += expired.length;
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return deleted;
}
