/**
 * What the subject may see and do: the status of their request and a reply to what staff asked of them
 * (with the token from their acknowledgement email), and the download of their package (with the token
 * from the completion email).
 */
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { conflict, forbidden, gone, notFound } from '#commons/errors';
import { logger } from '#commons/observability';
import { hashToken, sameHash } from '#commons/tokens';
import type { AppContext } from '../context.ts';
import { subjectReplied } from '../deadlines/ops/clock-stop.ts';
import { subjectAnswered } from './message-subject.ts';
import { STAFF_MESSAGE, SUBJECT_MESSAGE } from './messages.ts';
import { CLOSED_STATUSES, type ErasureReport, type RequestRecord } from './model.ts';
import { pickLocale } from '../i18n/locale.ts';
import { requestTimeZone } from '../deadlines/request-zone.ts';
import { erasureReportIn } from '../workflow/erasure-report-language.ts';

/** The statuses as the subject reads them: internal steps collapse into "in progress". */
const PUBLIC_STATUS: Record<RequestRecord['status'], string> = {
  awaiting_verification: 'awaiting_verification',
  unverified_closed: 'closed_unverified',
  awaiting_review: 'in_review',
  denied: 'denied',
  in_progress: 'in_progress',
  awaiting_staff: 'in_progress',
  assembling: 'in_progress',
  // Staff checking the package before release is part of the work, as the subject sees it.
  awaiting_release: 'in_progress',
  completed: 'completed',
  completed_partial: 'completed',
  cancelled: 'cancelled',
  duplicate: 'duplicate',
  forwarded: 'forwarded',
  // Answered: the subject's data is restricted until we lift it, after telling them.
  restricted: 'restricted',
};

/** Whose link it is: the subject's (acknowledgement or report) or the agent's, which shows the status only. */
type Viewer = 'subject' | 'agent';

async function withToken(ctx: AppContext, requestId: string, token: string | undefined): Promise<{ request: RequestRecord; viewer: Viewer }> {
  const request = await ctx.repo.find(requestId);
  if (!request) throw notFound();
  const valid = [request.statusTokenHash, request.reportTokenHash].filter((h): h is string => Boolean(h));
  const presented = token ? hashToken(token) : undefined;
  if (presented && valid.some((h) => sameHash(presented, h))) return { request, viewer: 'subject' };
  if (presented && request.agentTokenHash && sameHash(presented, request.agentTokenHash)) return { request, viewer: 'agent' };
  throw forbidden('invalid_token', 'the link is not valid for this request');
}

/** The subject's own link; an agent's link is refused where more than the status would be shown or done. */
async function subjectsLink(ctx: AppContext, requestId: string, token: string | undefined): Promise<RequestRecord> {
  const { request, viewer } = await withToken(ctx, requestId, token);
  if (viewer !== 'subject') throw forbidden('agent_link', 'this link shows the status only; the person the request is about answers on their own page');
  return request;
}

/**
 * What the subject is waiting to be asked: the stopped clock's reason, or else the last question staff
 * sent (read off the trail only while the request waits for an answer).
 */
async function waitingFor(ctx: AppContext, r: RequestRecord) {
  if (CLOSED_STATUSES.has(r.status)) return undefined;
  if (r.pause) return { since: r.pause.since, asked: r.pause.reason, clockStopped: true };
  if (!r.awaitingSubject) return undefined;
  const trail = await ctx.repo.auditTrail(r.requestId);
  const asked = trail.findLast((e) => e.action === STAFF_MESSAGE && e.detail?.question === true && typeof e.detail.message === 'string');
  return asked ? { since: r.awaitingSubject.since, asked: asked.detail!.message as string, clockStopped: false } : undefined;
}

/**
 * `language` is the page's (the status page sends the one it shows, `?lang=`): what the configuration
 * says per language (system names, reasons for keeping records) follows it; the request's when absent.
 */
export async function subjectStatus(ctx: AppContext, requestId: string, token: string | undefined, language?: string) {
  const { request: r, viewer } = await withToken(ctx, requestId, token);
  const status = {
    requestId: r.requestId,
    type: r.type,
    status: PUBLIC_STATUS[r.status],
    receivedDate: r.receivedDate,
    dueDate: r.dueDate,
    jurisdiction: r.jurisdiction,
    timeZone: requestTimeZone(ctx.config, r),
    verified: Boolean(r.verification?.verifiedAt),
    ...(r.agent ? { viewer } : {}),
    ...(r.closedAt ? { closedAt: r.closedAt } : {}),
  };
  // The agent sees the status only (CCPA 7063; data goes to the subject): the request as shown to them
  // has no duplicate link, decision, question or erasure report, so none of those can reach their page.
  const shown: RequestRecord = viewer === 'subject' ? r : { ...r, duplicateOf: undefined, decision: undefined, erasureReport: undefined, awaitingSubject: undefined, pause: undefined };
  const waiting = await waitingFor(ctx, shown);
  return {
    ...status,
    ...(shown.duplicateOf ? { duplicateOf: shown.duplicateOf } : {}),
    ...(shown.status === 'denied' && shown.decision?.reason ? { denialReason: shown.decision.reason } : {}),
    // While the clock is stopped, or staff asked a question, the subject sees it and can answer on the page.
    ...(waiting ? { waitingForSubject: waiting } : {}),
    // What an erasure did, for the subject's status page (counts, bases and dates; never data).
    ...(shown.erasureReport ? { erasureReport: erasureReportShown(ctx, erasureReportIn(ctx.config, shown.erasureReport, pickLocale(language ?? r.locale))) } : {}),
  };
}

function erasureReportShown(ctx: AppContext, report: ErasureReport) {
  return {
    completedAt: report.completedAt,
    // The kind names the system's objects in the subject's language (erasure.object.<kind>.<object>).
    systems: report.systems.map(({ connectorId, displayName, items, confirmed }) => {
      const kind = ctx.config.connectors.find((c) => c.id === connectorId)?.kind;
      return { displayName, ...(kind ? { kind } : {}), items, confirmed };
    }),
    recipientsNotified: report.recipientsNotified,
    notErased: report.notErased.map(({ displayName, reason }) => ({ displayName, reason })),
    recipientsNotTold: report.recipientsNotTold ?? [],
    ...(report.earlierPackagesDeleted ? { earlierPackagesDeleted: report.earlierPackagesDeleted } : {}),
    ...(report.suppressionKept ? { suppressionKept: report.suppressionKept } : {}),
    ...(report.earlierAgentPermissionsDeleted ? { earlierAgentPermissionsDeleted: report.earlierAgentPermissionsDeleted } : {}),
  };
}

/**
 * The subject answers what staff asked while the clock was stopped (or writes to an open, verified
 * request at any time). The text goes on the audit trail as the subject's own action, where staff read it
 * in the thread, and a request waiting for the subject's answer stops waiting; it is
 * the subject's data, so it is never logged. Then `subjectReplied` restarts a stopped clock (the due
 * date moves by the paused days) and records the reply; a running clock is left as it is.
 */
export async function subjectReply(
  ctx: AppContext,
  requestId: string,
  token: string | undefined,
  text: string,
): Promise<{ requestId: string; resumed: boolean; dueDate: string }> {
  const r = await subjectsLink(ctx, requestId, token);
  if (CLOSED_STATUSES.has(r.status) || !r.openPk) {
    throw conflict('request_closed', 'this request is closed; make a new request if you need something else');
  }
  // Until the code is entered nobody has shown they own the address: their words must not reach staff.
  if (!r.verification?.verifiedAt) {
    throw conflict('not_verified', 'confirm your email address with the code we sent before writing to us');
  }
  // Marked first, so the retention sweep never skips a trail that holds the subject's words.
  if (r.subjectMessages !== true) await ctx.repo.update(requestId, { subjectMessages: true });
  await ctx.repo.audit(requestId, 'subject', SUBJECT_MESSAGE, { message: text, ...(r.pause ? { answering: r.pause.reason } : {}) }, ctx.clock.now());
  if (r.awaitingSubject) await subjectAnswered(ctx, requestId);
  const out = await subjectReplied(ctx, requestId);
  logger.info('subject replied', { requestId, resumed: out.resumed });
  return { requestId, resumed: out.resumed, dueDate: out.request.dueDate };
}

/** Checks the download token and returns a presigned URL that lives for minutes. */
export async function downloadUrl(ctx: AppContext, requestId: string, token: string | undefined): Promise<string> {
  const item = await ctx.repo.download(requestId);
  if (!item) throw notFound('no download for this request');
  if (!token || !sameHash(hashToken(token), item.tokenHash)) throw forbidden('invalid_token', 'the download link is not valid');
  if (item.deletedFor === 'erasure') {
    throw gone('deleted_by_erasure', 'the package was deleted because you asked us to erase your data; make a new access request to see what we still hold');
  }
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

/**
 * The language a request was filed in, for the pages a link answers once its token was accepted (an
 * expired or erased package); undefined for an unknown request.
 */
export async function requestLocale(ctx: AppContext, requestId: string): Promise<string | undefined> {
  return (await ctx.repo.find(requestId))?.locale;
}
