/** Staff views: the open queue and one request in full. Secrets (hashes of codes and tokens) never leave. */
import type { Jurisdiction, RequestType } from '#commons/config';
import { badRequest } from '#commons/errors';
import type { AppContext } from '../context.ts';
import { daysBetween } from '../deadlines/calendar.ts';
import { staffActions } from './staff.ts';
import { requestToday } from './zone.ts';
import type { Preview, RequestRecord, RequestStatus } from './model.ts';

/**
 * The queue cursor is the open sort key of the last item of a page (`<dueDate>#<requestId>`), base64url.
 * It is checked strictly before it reaches DynamoDB, so a crafted one is a 400, never a 500 from a
 * malformed ExclusiveStartKey. Holding only a position in a list staff may read in full anyway, it needs
 * no secrecy: a forged one can only start the list elsewhere.
 */
const CURSOR_RE = /^(\d{4}-\d{2}-\d{2})#(dsar_[a-z0-9]{8,64})$/;

function encodeCursor(openSk: string | undefined): string | undefined {
  return openSk ? Buffer.from(openSk, 'utf8').toString('base64url') : undefined;
}

function decodeCursor(cursor: string | undefined, dueBefore: string | undefined): string | undefined {
  if (cursor === undefined) return undefined;
  const openSk = /^[A-Za-z0-9_-]+$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  const m = CURSOR_RE.exec(openSk);
  // A position past the dueBefore bound lies outside the query's key range, which DynamoDB refuses.
  if (!m || Number.isNaN(Date.parse(`${m[1]}T00:00:00Z`)) || (dueBefore && openSk >= `${dueBefore}#~`)) {
    throw badRequest('invalid_cursor', 'the cursor is not one this API gave out');
  }
  return openSk;
}

/**
 * A request as staff see it in lists: no hashes, no verification secrets. Days left are counted from
 * today where the request's deadlines are counted (the controller's zone, as the deadline engine and
 * the escalation job count them) on the context's clock, so the badge and the reminders agree.
 */
export function staffView(ctx: AppContext, r: RequestRecord) {
  // Index keys and secrets stay out: the view is the API's (docs/openapi.yaml StaffRequest), not the table's.
  // Whether the preview is still counted shows in the detail's `preview` (requestDetail), not here.
  const { pk: _pk, sk: _sk, statusTokenHash: _s, reportTokenHash: _rt, subjectHash: _h, subjectSalt: _ss, openPk: _o, openSk: _os, purgePk: _pp, queueStatus: _qs, ackPk: _ap, ackSk: _as, subjectMessages: _sm, previewPending: _ppd, verification, ...rest } = r;
  return {
    ...rest,
    verification: verification
      ? { sentAt: verification.sentAt, expiresAt: verification.expiresAt, attempts: verification.attempts, codesSent: verification.codesSent, verifiedAt: verification.verifiedAt }
      : undefined,
    daysLeft: daysLeft(r.dueDate, requestToday(ctx.config, r, ctx.clock.now())),
  };
}

/** Whole days from `today` (a date in the request's zone) to the due date; negative when overdue. */
export function daysLeft(dueDate: string, today: string): number {
  return daysBetween(today, dueDate);
}

/**
 * One page of the open queue, earliest due first, filtered by status, type and jurisdiction in the
 * query, so a filtered page is full whenever enough requests match (not only those among the first rows).
 */
export async function listQueue(
  ctx: AppContext,
  q: { status?: RequestStatus; type?: RequestType; jurisdiction?: Jurisdiction; dueBefore?: string; cursor?: string; limit?: number },
) {
  const page = await ctx.repo.listOpen({
    dueBefore: q.dueBefore,
    limit: q.limit ?? 50,
    after: decodeCursor(q.cursor, q.dueBefore),
    filter: { status: q.status, type: q.type, jurisdiction: q.jurisdiction },
  });
  return { items: page.items.map((r) => staffView(ctx, r)), cursor: encodeCursor(page.after) ?? null };
}

/** Still counting: marked so, and still awaiting review (a request cancelled meanwhile counts no more). */
const counting = (r: RequestRecord) => r.previewPending === true && r.status === 'awaiting_review';

/** The preview as staff read it: one row per system, in configuration order, named as configured. */
function previewView(ctx: AppContext, preview: Preview | undefined, counting: boolean) {
  const order = ctx.config.connectors.map((c) => c.id);
  const rank = (id: string) => (order.includes(id) ? order.indexOf(id) : order.length);
  return {
    ...(preview ? { at: preview.at } : {}),
    counting,
    systems: Object.entries(preview?.connectors ?? {})
      .sort(([a], [b]) => rank(a) - rank(b))
      .map(([connectorId, outcome]) => ({
        connectorId,
        displayName: ctx.config.connectors.find((c) => c.id === connectorId)?.displayName ?? connectorId,
        ...outcome,
      })),
  };
}

/**
 * One request in full for a staff member with these roles, with `actions`: what the API would accept
 * from them now (staffActions), which the console shows as its buttons.
 */
export async function requestDetail(ctx: AppContext, requestId: string, roles: readonly string[]) {
  const request = await ctx.repo.get(requestId);
  const audit = await ctx.repo.auditTrail(requestId);
  const preview = await ctx.repo.preview(requestId);
  return {
    request: staffView(ctx, request),
    actions: staffActions(ctx, request, roles),
    connectors: Object.values(request.connectors ?? {}),
    ...(preview || request.previewPending ? { preview: previewView(ctx, preview, counting(request)) } : {}),
    audit: audit.map(({ at, actor, action, detail }) => ({ at, actor, action, ...(detail ? { detail } : {}) })),
  };
}
