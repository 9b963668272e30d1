/**
 * The end of an erasure: the report of what was deleted, anonymized and retained (with basis and
 * period), which recipients were told (GDPR Art. 19), and what staff accepted as not erased. It holds
 * counts only; the erased data is not kept anywhere: the request's staging data is deleted, and so are
 * the staging data and packages of the subject's earlier requests.
 */
import { enabledConnectors } from '#commons/config';
import { logger } from '#commons/observability';
import { recipientErasureNotice } from '../notifications/templates.ts';
import { deleteStaging } from '../staging/index.ts';
import { deleteSubjectCopies } from './subject-copies.ts';
import type { AppContext } from '../context.ts';
import type { ErasureReport, RequestRecord } from '../requests/model.ts';

export async function buildErasureReport(ctx: AppContext, request: RequestRecord): Promise<ErasureReport> {
  const { config, mailer, clock } = ctx;
  const completedAt = clock.now().toISOString();
  const outcomes = request.connectors ?? {};
  const confirmation = request.erasureConfirmation?.connectors ?? {};
  const systems: ErasureReport['systems'] = [];
  const recipientsNotified: ErasureReport['recipientsNotified'] = [];
  const notErased: ErasureReport['notErased'] = [];

  for (const c of enabledConnectors(config)) {
    const outcome = outcomes[c.id];
    if (!outcome) continue;
    if (outcome.status === 'accepted_missing') {
      notErased.push({ connectorId: c.id, displayName: c.displayName, reason: request.partialAcceptance?.reason ?? 'accepted by staff' });
      continue;
    }
    const check = confirmation[c.id];
    systems.push({
      connectorId: c.id,
      displayName: c.displayName,
      items: outcome.erasure ?? [],
      confirmed: check?.verifiable === false ? 'not_verifiable' : Boolean(check && !check.error && Object.keys(check.residual).length === 0),
    });
    // A processor's system erased through its API has been told by that very call. Records only kept
    // (retain) or not found mean nothing was sent to it, so it was not told.
    const touched = (outcome.erasure ?? []).some((i) => (i.action === 'deleted' || i.action === 'anonymized') && i.count > 0);
    if (c.kind !== 'dynamodb' && c.kind !== 's3' && touched) {
      recipientsNotified.push({ name: c.displayName, how: 'erasure_api', at: outcome.finishedAt ?? completedAt });
    }
  }

  for (const recipient of config.privacyNotice.recipients.filter((r) => r.notifyEmail)) {
    try {
      await mailer.send(recipient.notifyEmail!, recipientErasureNotice(config, request.requestId, request.subject.email, completedAt));
      recipientsNotified.push({ name: recipient.name, how: 'email', at: clock.now().toISOString() });
    } catch (err) {
      // Not told is not reported as told; staff see it in the log and the audit trail.
      logger.warn('recipient erasure notice failed', { requestId: request.requestId, recipient: recipient.name, error: (err as Error).name });
    }
  }
  return { completedAt, systems, recipientsNotified, notErased };
}

export async function closeErasure(ctx: AppContext, request: RequestRecord): Promise<ErasureReport> {
  const report = await buildErasureReport(ctx, request);
  await deleteStaging(ctx.s3, ctx.stagingBucket(), request.requestId);
  await deleteSubjectCopies(ctx, request);
  await ctx.repo.update(request.requestId, { erasureReport: report });
  await ctx.repo.audit(request.requestId, 'system', 'erasure.reported', {
    recipientsNotified: report.recipientsNotified.map((r) => r.name),
    notErased: report.notErased.map((n) => n.connectorId),
  });
  return report;
}
