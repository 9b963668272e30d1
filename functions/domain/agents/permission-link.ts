/**
 * Staff open an agent's signed permission through a presigned URL that lives for the configured minutes
 * (as the package review does). Reading it is a privileged act, so each link is audited with the staff
 * member (`agent.permission_opened`); the caller checks the role.
 */
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { gone, notFound } from '#commons/errors';
import type { AppContext } from '../context.ts';
import { documentsBucket } from './permission.ts';

export interface PermissionLink {
  url: string;
  contentType: string;
  bytes: number;
  expiresInSeconds: number;
}

export async function permissionLink(ctx: AppContext, requestId: string, staffId: string): Promise<PermissionLink> {
  const request = await ctx.repo.find(requestId);
  if (!request) throw notFound();
  const permission = request.agent?.permission;
  if (!permission) throw notFound('this request was not filed by an agent');
  if (permission.deletedFor) throw gone('permission_deleted', `the signed permission was deleted by the subject's erasure (request ${permission.deletedFor.erasureRequestId})`);
  const expiresInSeconds = ctx.config.delivery.presignedUrlSeconds;
  const filename = permission.key.split('/').pop() ?? 'agent-permission';
  const url = await getSignedUrl(
    ctx.s3,
    new GetObjectCommand({
      Bucket: documentsBucket(ctx),
      Key: permission.key,
      // Shown inline in the browser's own viewer, as the type it was checked to be (never as HTML).
      ResponseContentDisposition: `inline; filename="${filename}"`,
      ResponseContentType: permission.contentType,
    }),
    { expiresIn: expiresInSeconds },
  );
  await ctx.repo.audit(requestId, staffId, 'agent.permission_opened', { key: permission.key }, ctx.clock.now());
  return { url, contentType: permission.contentType, bytes: permission.bytes, expiresInSeconds };
}
