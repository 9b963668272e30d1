/**
 * RecordReceipt: the first step of every execution. It gives the subject a status link (its token is
 * made here and kept only as a hash), sends the acknowledgement, and tells the workflow how review goes
 * and how long the waiting steps may wait.
 */
import { releaseMode, reviewMode } from '#commons/config';
import { hashToken, newToken } from '#commons/tokens';
import { acknowledgement, duplicateRequest } from '../notifications/templates.ts';
import { links, type AppContext } from '../context.ts';
import { translator } from '../i18n/index.ts';
import { facts } from '../requests/verification.ts';
import { acknowledgeAgent } from '../agents/agent-receipt.ts';

export interface ReceiptResult {
  requestId: string;
  type: string;
  duplicate: boolean;
  /**
   * A run reopened on a resale partner's instruction (processor mode): verified on the first run, so it
   * goes from the receipt straight to MatchPartner and staff review.
   */
  reopened: boolean;
  review: 'auto' | 'staff';
  /** Whether the package waits for staff after Assemble (the state machine's ChooseRelease). */
  release: 'automatic' | 'staff';
  timeouts: { verificationSeconds: number; staffSeconds: number };
}

export async function recordReceipt(ctx: AppContext, requestId: string): Promise<ReceiptResult> {
  const { repo, config, mailer } = ctx;
  const request = await repo.get(requestId);
  const result: ReceiptResult = {
    requestId,
    type: request.type,
    duplicate: request.status === 'duplicate',
    reopened: Boolean(request.partner?.instruction && request.verification?.verifiedAt),
    review: reviewMode(config, request.type, request.jurisdiction),
    release: releaseMode(config, request.type),
    timeouts: {
      verificationSeconds: config.verification.unverifiedTimeoutSeconds,
      staffSeconds: config.workflow.staffTaskTimeoutSeconds,
    },
  };
  // An agent's filing: the subject hears an agent filed for them, the agent gets a status-only link (each once).
  await acknowledgeAgent(ctx, request);
  // Done once: the token hash is written after the mail went out, so a step retried after a failed
  // send mails again, and one retried after success does not.
  if (request.statusTokenHash) return result;
  const token = newToken();
  const link = links(config);
  if (request.duplicateOf) {
    const original = await repo.get(request.duplicateOf);
    // The original's status link cannot be re-sent (only its hash exists): link this request's status,
    // which says it is a duplicate of the open one.
    await mailer.send(request.subject.email, duplicateRequest(config, facts(original), link.status(requestId, token, request.locale), translator(request.locale)), { requestId });
    await repo.update(requestId, { statusTokenHash: hashToken(token), acknowledgedAt: ctx.clock.now().toISOString() });
    await repo.audit(requestId, 'system', 'request.acknowledged', { duplicateOf: request.duplicateOf });
  } else {
    await mailer.send(request.subject.email, acknowledgement(config, facts(request), link.status(requestId, token, request.locale), translator(request.locale)), { requestId });
    await repo.update(requestId, { statusTokenHash: hashToken(token), acknowledgedAt: ctx.clock.now().toISOString() });
    await repo.audit(requestId, 'system', 'request.acknowledged', { dueDate: request.dueDate });
  }
  return result;
}

/**
 * The receipt's two rare ways on, as errors the workflow catches (statemachines/dsar.asl.json), so that
 * every other request goes from RecordReceipt to VerifyIdentity without a routing state (issue 18): a
 * duplicate ends there (its sender was told about the open request), and a reopened run skips
 * verification. The reopened run's receipt travels in the message, as JSON the ASL reads back.
 */
export class DuplicateRequest extends Error {
  constructor(requestId: string) {
    super(`request ${requestId} duplicates an open one; its sender was told`);
    this.name = 'DuplicateRequest';
  }
}

export class ReopenedRequest extends Error {
  constructor(receipt: ReceiptResult) {
    super(JSON.stringify(receipt));
    this.name = 'ReopenedRequest';
  }
}

/** The receipt for the usual way on (VerifyIdentity); a duplicate or a reopened run leaves as its error. */
export function usualReceipt(receipt: ReceiptResult): ReceiptResult {
  if (receipt.duplicate) throw new DuplicateRequest(receipt.requestId);
  if (receipt.reopened) throw new ReopenedRequest(receipt);
  return receipt;
}
