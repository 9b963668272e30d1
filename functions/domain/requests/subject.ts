/**
 * What the subject may see: the status of their request (with the token from their acknowledgement
 * email) and the download of their package (with the token from the completion email).
 */
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { forbidden, gone, notFound } from '#commons/errors';
import { hashToken, sameHash } from '#commons/tokens';
import type { AppContext } from '../context.ts';
import type { RequestRecord } from './model.ts';

/** The statuses as the subject reads them: internal steps collapse into "in progress". */
const PUBLIC_STATUS: Record<RequestRecord['status'], string> = {
  awaiting_verification: 'awaiting_verification',
  unverified_closed: 'closed_unverified',
  awaiting_review: 'in_review',
  denied: 'denied',
  in_progress: 'in_progress',
  awaiting_staff: 'in_progress',
  assembling: 'in_progress',
  completed: 'completed',
  completed_partial: 'completed',
  cancelled: 'cancelled',
  duplicate: 'duplicate',
};

async function withToken(ctx: AppContext, requestId: string, token: string | undefined): Promise<RequestRecord> {
  const request = await ctx.repo.find(requestId);
  if (!request) throw notFound();
  if (!token || !request.statusTokenHash || !sameHash(hashToken(token), request.statusTokenHash)) {
    throw forbidden('invalid_token', 'the link is not valid for this request');
  }
  return request;
}

export async function subjectStatus(ctx: AppContext, requestId: string, token: string | undefined) {
  const r = await withToken(ctx, requestId, token);
  return {
    requestId: r.requestId,
    type: r.type,
    status: PUBLIC_STATUS[r.status],
    receivedDate: r.receivedDate,
    dueDate: r.dueDate,
    jurisdiction: r.jurisdiction,
    verified: Boolean(r.verification?.verifiedAt),
    ...(r.duplicateOf ? { duplicateOf: r.duplicateOf } : {}),
    ...(r.status === 'denied' && r.decision?.reason ? { denialReason: r.decision.reason } : {}),
    ...(r.closedAt ? { closedAt: r.closedAt } : {}),
    // What an erasure did, for the subject's status page (counts, bases and dates; never data).
    ...(r.erasureReport
      ? {
          erasureReport: {
            completedAt: r.erasureReport.completedAt,
            systems: r.erasureReport.systems.map(({ displayName, items, confirmed }) => ({ displayName, items, confirmed })),
            recipientsNotified: r.erasureReport.recipientsNotified,
            notErased: r.erasureReport.notErased.map(({ displayName, reason }) => ({ displayName, reason })),
          },
        }
      : {}),
  };
}

/** Checks the download token and returns a presigned URL that lives for minutes. */
export async function downloadUrl(ctx: AppContext, requestId: string, token: string | undefined): Promise<string> {
  const item = await ctx.repo.download(requestId);
  if (!item) throw notFound('no download for this request');
  if (!token || !sameHash(hashToken(token), item.tokenHash)) throw forbidden('invalid_token', 'the download link is not valid');
  if (ctx.clock.now().getTime() > Date.parse(item.expiresAt)) {
    throw gone('link_expired', 'the download link has expired and the package was deleted; you can make a new request');
  }
  const filename = item.key.split('/').pop() ?? 'package.zip';
  await ctx.repo.audit(requestId, 'subject', 'package.downloaded');
  return getSignedUrl(
    ctx.s3,
    new GetObjectCommand({
      Bucket: ctx.exportsBucket(),
      Key: item.key,
      ResponseContentDisposition: `attachment; filename="${filename}"`,
      ResponseContentType: 'application/zip',
    }),
    { expiresIn: ctx.config.delivery.presignedUrlSeconds },
  );
}
