/**
 * NotifySubject and the other closing steps: set the final status, tell the subject, and for a
 * completed request create the download link. The link points at our download endpoint with a token,
 * never at S3 directly: a presigned URL made with a Lambda role's credentials dies with them.
 */
import { hashToken, newToken } from '#commons/tokens';
import { cancelled, completion, denial, erasureReport, unverifiedClosed } from '../notifications/templates.ts';
import { closeErasure } from './erasure-report.ts';
import { retentionFields } from '../requests/retention.ts';
import { links, type AppContext } from '../context.ts';
import type { RequestStatus } from '../requests/model.ts';
import { facts } from '../requests/verification.ts';
import { DENIAL_REASONS, type DenialReason } from '../requests/staff.ts';

export type Outcome =
  | { outcome: 'completed' }
  | { outcome: 'erased' }
  | { outcome: 'denied' }
  | { outcome: 'unverified' }
  | { outcome: 'cancelled'; reason?: string };

export async function notifyOutcome(ctx: AppContext, requestId: string, outcome: Outcome): Promise<{ status: RequestStatus }> {
  const { repo, config, mailer, clock } = ctx;
  const request = await repo.get(requestId);
  const f = facts(request);
  const to = request.subject.email;
  const tag = { requestId };
  let status: RequestStatus;
  switch (outcome.outcome) {
    case 'completed': {
      if (!request.package) throw new Error(`request ${requestId} has no package to deliver`);
      const token = newToken();
      const expiresAt = request.package.expiresAt;
      await repo.putDownload({ requestId, tokenHash: hashToken(token), key: request.package.key, expiresAt });
      const missing = Object.values(request.connectors ?? {}).filter((c) => c.status === 'accepted_missing').map((c) => c.connectorId);
      status = missing.length ? 'completed_partial' : 'completed';
      await mailer.send(to, completion(config, f, links(config).download(requestId, token), expiresAt, missing), tag);
      break;
    }
    case 'erased': {
      // The subject's report is built once: a retried step re-sends the same report.
      const report = request.erasureReport ?? (await closeErasure(ctx, request));
      status = report.notErased.length ? 'completed_partial' : 'completed';
      // The report email links the status page, which shows the same report; its own token, stored
      // before the send so the link works as soon as the mail arrives (a retried step mints a new one).
      const token = newToken();
      await repo.update(requestId, { reportTokenHash: hashToken(token) });
      await mailer.send(to, erasureReport(config, f, report, links(config).status(requestId, token)), tag);
      break;
    }
    case 'denied': {
      const reason = (request.decision?.reason ?? 'other') as DenialReason;
      status = 'denied';
      await mailer.send(to, denial(config, f, DENIAL_REASONS[reason] ?? reason, request.decision?.note), tag);
      break;
    }
    case 'unverified':
      status = 'unverified_closed';
      await mailer.send(to, unverifiedClosed(config, f), tag);
      break;
    case 'cancelled':
      status = 'cancelled';
      await mailer.send(to, cancelled(config, f, outcome.reason ?? 'cancelled by our staff'), tag);
      break;
  }
  const closedAt = clock.now().toISOString();
  await repo.update(requestId, { status, closedAt, ...retentionFields(config, closedAt) });
  await repo.audit(requestId, 'system', `request.${status}`);
  for (const kind of ['verification', 'review', 'reconcile'] as const) await repo.deleteTaskToken(requestId, kind);
  return { status };
}
