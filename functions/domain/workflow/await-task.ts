/**
 * The Lambda behind every `.waitForTaskToken` step: it stores the token with the request (so the API
 * can complete the step later), then does what the step needs to get going: email the verification
 * code, or tell staff that a decision is waiting (a review, failed connectors, a step that failed).
 */
import { logger } from '#commons/observability';
import { staffAttention } from '../notifications/staff-mails.ts';
import { links, type AppContext } from '../context.ts';
import type { TaskKind } from '../requests/model.ts';
import { issueCode } from '../requests/verification.ts';
import { partnerHold } from '../partners/match.ts';

export async function awaitTask(ctx: AppContext, requestId: string, kind: TaskKind, token: string): Promise<void> {
  const { repo, mailer, config } = ctx;
  // Store the token before anything announces the step, so whoever acts on the announcement finds it.
  await repo.putTaskToken(requestId, kind, token);
  const request = await repo.get(requestId);
  const consoleUrl = links(config).console(requestId);
  switch (kind) {
    case 'verification':
      // A resumed or retried step finds a code already sent and still valid: do not send another.
      if (!request.verification || Date.parse(request.verification.expiresAt) < ctx.clock.now().getTime()) {
        await issueCode(ctx, request);
      }
      return;
    case 'review':
      // The preview is over (counted, or given up on): staff may decide now. Verification set the status
      // already (as a rule): writing it again would only rewrite the request's metrics fact.
      await repo.update(requestId, request.status === 'awaiting_review' ? {} : { status: 'awaiting_review' }, { onlyIf: ['awaiting_review', 'awaiting_verification'], remove: ['previewPending'] });
      await repo.audit(requestId, 'system', 'review.requested', { type: request.type });
      // A resale partner's end user is forwarded rather than reviewed: staff are told which partner.
      const what = partnerHold(request) ? `${request.type} request of an end user of resale partner ${request.partner!.name} to forward` : `${request.type} request to review`;
      await mailer.send(config.email.staff, staffAttention(config, requestId, what, consoleUrl), { requestId });
      return;
    case 'reconcile': {
      const failed = Object.values(request.connectors ?? {}).filter((c) => c.status === 'failed').map((c) => c.connectorId);
      // From collection (in_progress), an erasure staff accepted as partial (assembling), or a retried step.
      await repo.update(requestId, { status: 'awaiting_staff' }, { onlyIf: ['in_progress', 'assembling', 'awaiting_staff'] });
      await repo.audit(requestId, 'system', 'connectors.awaiting_staff', { failed });
      await mailer.send(config.email.staff, staffAttention(config, requestId, `connectors failed: ${failed.join(', ')}`, consoleUrl), { requestId });
      return;
    }
    case 'release':
      // From Assemble (assembling), or a resumed or retried step that finds it waiting already.
      await repo.update(requestId, { status: 'awaiting_release' }, { onlyIf: ['assembling', 'awaiting_release'] });
      await repo.audit(requestId, 'system', 'release.requested', { type: request.type });
      await mailer.send(config.email.staff, staffAttention(config, requestId, `${request.type} package to review and release`, consoleUrl), { requestId });
      return;
    case 'lift':
      // NotifyRestricted put the request in `restricted` and told the subject; it waits for staff to
      // announce the lifting and then lift (../restriction/lifting.ts). Nothing to chase: it is answered.
      await repo.audit(requestId, 'system', 'restriction.awaiting_lift', {});
      return;
    case 'attention': {
      // RecordFailure put the request on the staff queue (awaiting_staff, with the failed step) already.
      const a = request.attention;
      try {
        await mailer.send(config.email.staff, staffAttention(config, requestId, `step ${a?.step ?? 'unknown'} failed (${a?.error ?? 'unknown error'})`, consoleUrl), { requestId });
      } catch (err) {
        // The mail is a courtesy: the request is on the queue and in the escalation digest. Failing here
        // would leave the one state that gets a request unstuck with no way on.
        logger.error('could not mail staff about a failed step', { requestId, error: (err as Error).name });
        await repo.audit(requestId, 'system', 'attention.staff_not_mailed', { error: (err as Error).name });
      }
      return;
    }
  }
}
