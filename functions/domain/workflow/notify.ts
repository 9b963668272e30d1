/**
 * NotifySubject and the other closing steps: claim the close (a conditional write on the status the
 * step expects), tell the subject once, then set the final status, so a closed request has always been
 * told; for a completed request the mail carries the download link. The
 * link points at our download endpoint with a token, never at S3 directly: a presigned URL made with a
 * Lambda role's credentials dies with them.
 */
import { connectorName, storedNameIn } from '#commons/config';
import { hashToken, newToken } from '#commons/tokens';
import { cancelled, completion, denial, erasureReport, unverifiedClosed } from '../notifications/templates.ts';
import { closeErasure } from './erasure-report.ts';
import { erasureReportIn } from './erasure-report-language.ts';
import { translator } from '../i18n/index.ts';
import { retentionFields } from '../retention/subjects.ts';
import { requestTimeZone } from '../deadlines/request-zone.ts';
import { links, type AppContext } from '../context.ts';
import type { DenialReason, RequestStatus } from '../requests/model.ts';
import { facts } from '../requests/verification.ts';
import { mailOnce } from '../notifications/once.ts';
import { openFollowUps } from '../todos/index.ts';
import { nothingHeld } from '../notifications/nothing-held.ts';
import { forwardedToSubjectMail, partnerForwardMail } from '../notifications/partner-forward.ts';
import { closingMailKey, PARTNER_MAIL, partnerOf } from '../partners/match.ts';
import { optOutConfirmation } from '../notifications/opt-out.ts';
import { liftedMail } from '../notifications/restriction.ts';
import { tellThirdParties } from '../suppression/third-parties.ts';
import { rectificationReport } from '../notifications/rectification.ts';
import { tellRestrictionRecipients } from '../restriction/recipients.ts';
import { tellRectificationRecipients } from '../rectification/recipients.ts';

export type Outcome =
  | { outcome: 'completed' }
  | { outcome: 'erased' }
  | { outcome: 'opted_out' }
  | { outcome: 'lifted' }
  | { outcome: 'rectified' }
  | { outcome: 'denied' }
  | { outcome: 'unverified' }
  | { outcome: 'cancelled'; reason?: string }
  | { outcome: 'forwarded' };

/**
 * The statuses each closing step may start from. The close is a conditional write on them, so a step
 * that lost a race (staff cancelled meanwhile) changes nothing and mails nothing; a retried step finds
 * the request already in its final status and only makes sure the mail went out.
 */
const CLOSES_FROM: Record<Outcome['outcome'], readonly RequestStatus[]> = {
  completed: ['assembling'],
  erased: ['in_progress', 'assembling'],
  opted_out: ['in_progress'],
  // The lift pass of a restriction (a staff accept-partial on it leaves it assembling).
  lifted: ['in_progress', 'assembling'],
  rectified: ['in_progress'],
  denied: ['awaiting_review'],
  unverified: ['awaiting_verification'],
  cancelled: ['awaiting_staff'],
  forwarded: ['awaiting_review'],
};

/** The subject hears about the closing of a request once, whatever closed it (see ../notifications/once.ts). */
export const CLOSING_MAIL = 'closed';

export async function notifyOutcome(ctx: AppContext, requestId: string, outcome: Outcome): Promise<{ status: RequestStatus }> {
  const { repo, config, mailer, clock } = ctx;
  const request = await repo.get(requestId);
  const f = facts(request);
  // Every closing mail is in the language the request was filed in.
  const t = translator(request.locale);
  // Instants in the mails (a link's end, when recipients were told) read as days where the request is.
  const zone = requestTimeZone(config, request);
  const to = request.subject.email;
  const tag = { requestId };
  let status: RequestStatus;
  let send: () => Promise<string | undefined>;
  switch (outcome.outcome) {
    case 'completed': {
      if (request.nothingHeld) {
        // Nothing held: no package and no link, the mail says so in words (notifications/nothing-held.ts).
        const held = request.nothingHeld;
        status = 'completed';
        send = () => mailer.send(to, nothingHeld(config, { ...f, systems: held.systems.map((s) => storedNameIn(config, s, t.locale)), ...(held.onlyInferred ? { onlyInferred: true } : {}) }, t), tag);
        break;
      }
      const pkg = request.package;
      if (!pkg) throw new Error(`request ${requestId} has no package to deliver`);
      const missing = Object.values(request.connectors ?? {}).filter((c) => c.status === 'accepted_missing').map((c) => c.connectorId);
      // The subject reads the systems' names in their language, not our connector ids.
      const missingNames = missing.map((id) => connectorName(config, id, t.locale));
      status = missing.length ? 'completed_partial' : 'completed';
      // The link's token is minted by the one sender: a mail already out keeps a working link.
      send = async () => {
        const token = newToken();
        await repo.putDownload({ requestId, tokenHash: hashToken(token), key: pkg.key, expiresAt: pkg.expiresAt });
        return mailer.send(to, completion(config, f, links(config).download(requestId, token), pkg.expiresAt, missingNames, t, zone), tag);
      };
      break;
    }
    case 'erased': {
      // The subject's report is built once: a retried step finds the same report.
      const report = request.erasureReport ?? (await closeErasure(ctx, request));
      status = report.notErased.length ? 'completed_partial' : 'completed';
      // The report email links the status page, which shows the same report; its own token, stored
      // before the send so the link works as soon as the mail arrives.
      send = async () => {
        const token = newToken();
        await repo.update(requestId, { reportTokenHash: hashToken(token) });
        return mailer.send(to, erasureReport(config, f, erasureReportIn(config, report, t.locale), links(config).status(requestId, token, request.locale), t, zone), tag);
      };
      break;
    }
    case 'opted_out': {
      // Every marketing system's read-back confirmed the opt-out, or staff accepted one as missing.
      const missing = Object.values(request.connectors ?? {}).some((c) => c.status === 'accepted_missing');
      status = missing ? 'completed_partial' : 'completed';
      send = () => mailer.send(to, optOutConfirmation(config, request, t), tag);
      break;
    }
    case 'lifted': {
      // Every system's read-back showed the mark gone, or staff accepted one as missing.
      const missing = Object.values(request.connectors ?? {}).some((c) => c.status === 'accepted_missing');
      status = missing ? 'completed_partial' : 'completed';
      // Read again: the recipients told of the lifting (below, before the mail) are named in it.
      send = async () => mailer.send(to, liftedMail(config, await repo.get(requestId), t), tag);
      break;
    }
    case 'rectified': {
      // Every system's read-back confirmed the corrections staff chose, or staff accepted one as missing.
      const missing = Object.values(request.connectors ?? {}).some((c) => c.status === 'accepted_missing');
      status = missing ? 'completed_partial' : 'completed';
      const choice = await repo.rectifications.choice(requestId);
      // Read again: the recipients told of the correction (below, before the mail) are named in it.
      send = async () => mailer.send(to, rectificationReport(config, await repo.get(requestId), choice, t), tag);
      break;
    }
    case 'denied': {
      const reason = (request.decision?.reason ?? 'other') as DenialReason;
      status = 'denied';
      send = () => mailer.send(to, denial(config, f, reason, request.decision?.note, t), tag);
      break;
    }
    case 'unverified':
      status = 'unverified_closed';
      send = () => mailer.send(to, unverifiedClosed(config, f, t), tag);
      break;
    case 'forwarded': {
      // Processor mode: the partner gets the request (once), then the subject hears who answers it.
      status = 'forwarded';
      const partner = partnerOf(config, request);
      const forwardedAt = request.partner?.forwarded?.at ?? request.decision?.at ?? clock.now().toISOString();
      send = async () => {
        await mailOnce(ctx, requestId, PARTNER_MAIL, () => mailer.send(partner.contact.email, partnerForwardMail(config, partner, request), tag));
        return mailer.send(to, forwardedToSubjectMail(config, partner, request, forwardedAt), tag);
      };
      break;
    }
    case 'cancelled': {
      status = 'cancelled';
      const reason = outcome.reason ?? request.cancellation?.reason;
      send = () => mailer.send(to, cancelled(config, f, reason, t), tag);
      break;
    }
  }
  const followsUp = outcome.outcome === 'completed' || outcome.outcome === 'erased' || outcome.outcome === 'rectified' || outcome.outcome === 'lifted';
  if (request.status === status) {
    // Closed already: a retried step, or staff's cancel (which closes first); only the mail may be left.
    await mailOnce(ctx, requestId, closingMailKey(request, CLOSING_MAIL), send);
  } else {
    const from = CLOSES_FROM[outcome.outcome];
    // Claim the close before the mail (a retried step finds its own claim). Throws StateConflict when
    // the request moved on, cancelled by staff meanwhile: then nothing is written and nothing sent.
    if (request.closing !== status) await repo.update(requestId, { closing: status }, { onlyIf: from, absent: ['closing'] });
    // What the answer leaves staff to do (Art. 19 recipients to tell, parts accepted as missing): once the
    // close is claimed (a request cancelled meanwhile gets none) and before the status says it closed, so
    // a completed request always has its tasks; a retried step adds none twice.
    if (followsUp) await openFollowUps(ctx, requestId);
    // An opt-out also binds the third parties the data was sold or shared with (11 CCR §7026(f)): told
    // before the subject's confirmation, which names them.
    if (outcome.outcome === 'opted_out') await tellThirdParties(ctx, request);
    // A lifted restriction is passed on to the recipients told of it (Art. 19), before the subject's mail.
    if (outcome.outcome === 'lifted') await tellRestrictionRecipients(ctx, request, 'lift');
    // A correction likewise, to the recipients of the systems where something was corrected.
    if (outcome.outcome === 'rectified') await tellRectificationRecipients(ctx, request);
    await mailOnce(ctx, requestId, closingMailKey(request, CLOSING_MAIL), send);
    const closedAt = clock.now().toISOString();
    await repo.update(requestId, { status, closedAt, ...retentionFields(config, closedAt) }, { onlyIf: from, match: { closing: status }, remove: ['closing'] });
    await repo.audit(requestId, 'system', `request.${status}`);
  }
  for (const kind of ['verification', 'review', 'reconcile', 'attention', 'lift'] as const) await repo.deleteTaskToken(requestId, kind);
  return { status };
}
