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
import type { RequestRecord } from '../requests/model.ts';
import { StateConflict } from '../requests/repository.ts';
import { verificationWaiver } from '../requests/verification-waiver.ts';

export interface ReceiptResult {
  requestId: string;
  type: string;
  duplicate: boolean;
  /** No code is asked (a marketing opt-out: ../requests/verification-waiver.ts): IsDuplicate skips VerifyIdentity. */
  verificationWaived: boolean;
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
  const request = await waiveVerification(ctx, await repo.get(requestId));
  const result: ReceiptResult = {
    requestId,
    type: request.type,
    duplicate: request.status === 'duplicate',
    verificationWaived: request.status !== 'duplicate' && Boolean(request.verificationWaived),
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
    await mailer.send(request.subject.email, acknowledgement(config, facts(request), link.status(requestId, token, request.locale), translator(request.locale), { codeWaived: Boolean(request.verificationWaived) }), { requestId });
    await repo.update(requestId, { statusTokenHash: hashToken(token), acknowledgedAt: ctx.clock.now().toISOString() });
    await repo.audit(requestId, 'system', 'request.acknowledged', { dueDate: request.dueDate });
  }
  return result;
}

/**
 * A request that needs no code goes straight on to review: recorded once (the write is conditional, so a
 * retried step finds it done), with why on the audit trail. Nothing is marked verified: the request may
 * act on marketing flags, and every step that reads data still refuses it.
 */
async function waiveVerification(ctx: AppContext, request: RequestRecord): Promise<RequestRecord> {
  const reason = verificationWaiver(ctx.config, request);
  if (!reason || request.verificationWaived || request.status !== 'awaiting_verification') return request;
  const at = ctx.clock.now().toISOString();
  try {
    await ctx.repo.update(request.requestId, { status: 'awaiting_review', verificationWaived: { reason, at } }, { onlyIf: ['awaiting_verification'], absent: ['verificationWaived'] });
  } catch (err) {
    if (!(err instanceof StateConflict)) throw err;
    // Cancelled meanwhile, or a retried step whose first try recorded it: whatever is on record stands.
    return ctx.repo.get(request.requestId);
  }
  await ctx.repo.audit(request.requestId, 'system', 'verification.waived', { reason, ...(reason === 'configuration' ? { setting: 'verification.marketing_opt_out' } : { law: '11 CCR §7026(d)' }) });
  return { ...request, status: 'awaiting_review', verificationWaived: { reason, at } };
}

/**
 * The receipt's rare ways on, as errors the workflow catches (statemachines/dsar.asl.json), so that
 * every other request goes from RecordReceipt to VerifyIdentity without a routing state (issue 18): a
 * duplicate ends there (its sender was told about the open request), and a reopened run and a marketing
 * opt-out that needs no code skip verification. Their receipt travels in the message, as JSON the ASL
 * reads back.
 */
export class DuplicateRequest extends Error {
  constructor(requestId: string) {
    super(`request ${requestId} duplicates an open one; its sender was told`);
    this.name = 'DuplicateRequest';
  }
}

/** A marketing opt-out that needs no code: on to MatchPartner without VerifyIdentity, the receipt in the message. */
export class VerificationWaived extends Error {
  constructor(receipt: ReceiptResult) {
    super(JSON.stringify(receipt));
    this.name = 'VerificationWaived';
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
  if (receipt.verificationWaived) throw new VerificationWaived(receipt);
  return receipt;
}
