/**
 * Staff review of a request's package: a presigned URL to the ZIP in the exports bucket, valid for the
 * configured minutes. Reading a subject's full data is a privileged act, so each call is audited with
 * the staff member (`package.reviewed`); the caller checks the role.
 */
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { gone, notFound } from '#commons/errors';
import type { AppContext } from '../context.ts';

export interface PackageReviewLink {
  url: string;
  expiresInSeconds: number;
}

export async function packageReviewUrl(ctx: AppContext, requestId: string, staffId: string): Promise<PackageReviewLink> {
  const request = await ctx.repo.find(requestId);
  if (!request) throw notFound();
  const pkg = request.package;
  if (!pkg) throw notFound('this request has no package');
  const now = ctx.clock.now();
  if (now.getTime() > Date.parse(pkg.expiresAt)) {
    throw gone('package_expired', 'the package has expired and was deleted');
  }
  const expiresInSeconds = ctx.config.delivery.presignedUrlSeconds;
  const filename = pkg.key.split('/').pop() ?? 'package.zip';
  const url = await getSignedUrl(
    ctx.s3,
    new GetObjectCommand({
      Bucket: ctx.exportsBucket(),
      Key: pkg.key,
      ResponseContentDisposition: `attachment; filename="${filename}"`,
      ResponseContentType: 'application/zip',
    }),
    { expiresIn: expiresInSeconds },
  );
  await ctx.repo.audit(requestId, staffId, 'package.reviewed', { key: pkg.key }, now);
  return { url, expiresInSeconds };
}
