/** Staff views: the open queue and one request in full. Secrets (hashes of codes and tokens) never leave. */
import { fieldsToLookUp } from '../rectification/requested.ts';
import { connectorName, type Jurisdiction, type RequestType } from '#commons/config';
import { badRequest } from '#commons/errors';
import { subjectHash } from '#commons/tokens';
import type { AppContext } from '../context.ts';
import { addCalendarDays, daysBetween } from '../deadlines/calendar.ts';
import { threadOf } from './messages.ts';
import { notesOf } from './notes.ts';
import { staffActions } from './staff.ts';
import { dateIn } from '../deadlines/local-date.ts';
import { requestToday } from '../deadlines/request-zone.ts';
import { ANSWERED_OPEN_STATUSES, CLOSED_STATUSES, normalizeEmail, type Preview, type RequestRecord, type RequestStatus } from './model.ts';

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
export function staffView(ctx: AppContext, r: RequestRecord, roles?: readonly string[]) {
  // Index keys and secrets stay out: the view is the API's (docs/openapi.yaml StaffRequest), not the table's.
  const { pk: _pk, sk: _sk, statusTokenHash: _s, reportTokenHash: _rt, agentTokenHash: _at, subjectHash: _h, subjectSalt: _ss, openPk: _o, openSk: _os, purgePk: _pp, queueStatus: _qs, ackPk: _ap, ackSk: _as, subjectMessages: _sm, todosOpen, previewPending: _ppd, verification, ...rest } = r;
  const masked = masksSubject(ctx, roles);
  // Masked, the identifiers an erasure resolved (addresses, customer ids) are left out too.
  const { identifiers, ...shown } = rest;
  return {
    ...shown,
    ...(identifiers && !masked ? { identifiers } : {}),
    subject: masked ? maskedSubject(r.subject) : r.subject,
    // An agent is a person too: masked for viewers as the subject is.
    ...(r.agent && masked ? { agent: maskedAgent(r.agent) } : {}),
    verification: verification
      ? { sentAt: verification.sentAt, expiresAt: verification.expiresAt, attempts: verification.attempts, codesSent: verification.codesSent, verifiedAt: verification.verifiedAt }
      : undefined,
    daysLeft: daysLeft(r.dueDate, requestToday(ctx.config, r, ctx.clock.now())),
    // Follow-up tasks still open (../todos): the queue's and the detail's "tasks open".
    openTodos: todosOpen?.size ?? 0,
  };
}

/** Past its due date where it is counted, and not answered yet (a restriction in force has its answer). */
function overdue(ctx: AppContext, r: RequestRecord, now: Date): boolean {
  return !ANSWERED_OPEN_STATUSES.has(r.status) && daysLeft(r.dueDate, requestToday(ctx.config, r, now)) < 0;
}

/** Whole days from `today` (a date in the request's zone) to the due date; negative when overdue. */
export function daysLeft(dueDate: string, today: string): number {
  return daysBetween(today, dueDate);
}

/**
 * Whether these roles see the subject masked: viewers only (never approvers, who act on the request), and
 * only where the configuration asks (`console.maskSubjectForViewers`). Without roles (internal callers),
 * nothing is masked.
 */
export function masksSubject(ctx: AppContext, roles: readonly string[] | undefined): boolean {
  return Boolean(roles && ctx.config.console.maskSubjectForViewers && !roles.includes('approver'));
}

/** `anna.berg@example.com` as `a•••@example.com`, the name as its initials: enough to tell requests apart. */
export function maskedSubject(subject: RequestRecord['subject']): RequestRecord['subject'] {
  const mask = (email: string) => {
    const at = email.lastIndexOf('@');
    return at > 0 ? `${email[0]}•••${email.slice(at)}` : '•••';
  };
  const initials = subject.name
    ?.split(/\s+/)
    .filter(Boolean)
    .map((part) => `${part[0]!.toUpperCase()}.`)
    .join(' ');
  return { email: mask(subject.email), normalizedEmail: mask(subject.normalizedEmail), ...(initials ? { name: initials } : {}) };
}

function maskedAgent(agent: NonNullable<RequestRecord['agent']>): NonNullable<RequestRecord['agent']> {
  const m = maskedSubject({ email: agent.email, normalizedEmail: agent.email, name: agent.name });
  return { ...agent, email: m.email, name: m.name ?? '' };
}

export interface QueueQuery {
  /** Open requests (the default, by due date) or closed ones (most recently closed first). */
  state?: 'open' | 'closed';
  status?: RequestStatus;
  type?: RequestType;
  jurisdiction?: Jurisdiction;
  assignee?: string;
  /** Only open requests past their due date. */
  overdue?: boolean;
  /** The subject's exact address: every request filed in that name, open and closed. */
  email?: string;
  dueBefore?: string;
  cursor?: string;
  limit?: number;
}

/**
 * The latest date it is anywhere (UTC+14): whatever a request's zone, it is overdue only if its due date
 * lies before this, so the overdue filter is a key range of the open index and not a read of the queue.
 */
function latestToday(now: Date): string {
  return dateIn('Etc/GMT-14', now);
}

/**
 * One page of the queue. Open (the default): earliest due first; status is a partition of the
 * open-by-status index, overdue a key range of the due-date key, type, jurisdiction and assignee filters
 * in the query, so a filtered page is full whenever enough requests match (not only those among the first
 * rows). Closed: most recently closed first, from the sparse purge-by-date index. By email: the subject's
 * requests from the by-subject index (one partition, the address hashed as intake hashes it), filtered
 * here; a subject has few, so that answer has no further page.
 */
export async function listQueue(ctx: AppContext, q: QueueQuery, roles?: readonly string[]) {
  const view = (r: RequestRecord) => staffView(ctx, r, roles);
  // The company's zone: the queue shows received and closed times in it, as the detail page does.
  const timeZone = ctx.config.organisation.timezone;
  const filter = { status: q.status, type: q.type, jurisdiction: q.jurisdiction, assignee: q.assignee };
  if (q.status && q.state !== undefined && (q.state === 'closed') !== CLOSED_STATUSES.has(q.status)) {
    throw badRequest('invalid_query', `status ${q.status} is ${CLOSED_STATUSES.has(q.status) ? 'closed' : 'open'}: ask for state=${CLOSED_STATUSES.has(q.status) ? 'closed' : 'open'}`);
  }
  const closedList = q.state === 'closed' || (q.status !== undefined && CLOSED_STATUSES.has(q.status));
  if (closedList && q.overdue) throw badRequest('invalid_query', 'overdue applies to open requests only');
  if (closedList && q.dueBefore && q.email === undefined) throw badRequest('invalid_query', 'dueBefore applies to open requests only');
  if (q.email !== undefined) {
    const now = ctx.clock.now();
    const items = (await ctx.repo.bySubject(subjectHash(normalizeEmail(q.email))))
      // Searched by address without a state, both: the subject's whole record is what staff look for.
      .filter((r) => q.state === undefined || (q.state === 'closed') === CLOSED_STATUSES.has(r.status))
      .filter((r) => Object.entries(filter).every(([field, value]) => value === undefined || r[field as keyof typeof filter] === value))
      .filter((r) => !q.overdue || overdue(ctx, r, now))
      .filter((r) => !q.dueBefore || r.dueDate <= q.dueBefore)
      .sort((a, b) => (q.state === 'open' ? a.dueDate.localeCompare(b.dueDate) : b.receivedAt.localeCompare(a.receivedAt)))
      .slice(0, q.limit ?? 50);
    return { items: items.map(view), cursor: null, timeZone };
  }
  // A closed status names the closed list even without state=closed.
  if (closedList) {
    const page = await ctx.repo.listClosed({ limit: q.limit ?? 50, after: decodeClosedCursor(q.cursor), filter });
    return { items: page.items.map(view), cursor: encodeCursor(page.after) ?? null, timeZone };
  }
  let dueBefore = q.dueBefore;
  if (q.overdue) {
    const lastOverdueDay = addCalendarDays(latestToday(ctx.clock.now()), -1);
    dueBefore = dueBefore && dueBefore < lastOverdueDay ? dueBefore : lastOverdueDay;
  }
  const page = await ctx.repo.listOpen({
    dueBefore,
    limit: q.limit ?? 50,
    after: decodeCursor(q.cursor, dueBefore),
    filter,
  });
  const now = ctx.clock.now();
  // The key range holds every request overdue in some zone; one due today where it is counted is not.
  const items = q.overdue ? page.items.filter((r) => overdue(ctx, r, now)) : page.items;
  return { items: items.map(view), cursor: encodeCursor(page.after) ?? null, timeZone };
}

/** The closed list's cursor: `<purgeAfter>#<requestId>` of the last item, base64url, checked like the queue's. */
const CLOSED_CURSOR_RE = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{3})?Z)#(dsar_[a-z0-9]{8,64})$/;

function decodeClosedCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined;
  const position = /^[A-Za-z0-9_-]+$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  const m = CLOSED_CURSOR_RE.exec(position);
  if (!m || Number.isNaN(Date.parse(m[1]!))) throw badRequest('invalid_cursor', 'the cursor is not one this API gave out');
  return position;
}

/**
 * Every request filed in the same subject's name as `requestId` (the by-subject index: the hash of the
 * normalised address), newest first, with how each ended: what staff read before denying a request as
 * repetitive. The request itself is among them, marked. Once a closed request's subject was hashed for
 * retention, it no longer shares the key and drops out.
 */
export async function subjectHistory(ctx: AppContext, requestId: string, roles?: readonly string[]) {
  const request = await ctx.repo.get(requestId);
  const others = request.subjectPurgedAt ? [request] : await ctx.repo.bySubject(request.subjectHash);
  const all = others.some((r) => r.requestId === requestId) ? others : [request, ...others];
  return {
    requestId,
    subject: staffView(ctx, request, roles).subject,
    items: all
      .sort((a, b) => b.receivedAt.localeCompare(a.receivedAt))
      .map((r) => ({
        requestId: r.requestId,
        type: r.type,
        status: r.status,
        jurisdiction: r.jurisdiction,
        receivedAt: r.receivedAt,
        dueDate: r.dueDate,
        ...(r.closedAt ? { closedAt: r.closedAt } : {}),
        ...(r.decision ? { decision: { outcome: r.decision.outcome, at: r.decision.at, ...(r.decision.reason ? { reason: r.decision.reason } : {}) } } : {}),
        ...(r.duplicateOf ? { duplicateOf: r.duplicateOf } : {}),
        current: r.requestId === requestId,
      })),
  };
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
        displayName: connectorName(ctx.config, connectorId),
        ...outcome,
      })),
  };
}

/**
 * A rectification as staff decide it: per system (configuration order) the current values read at the
 * preview, or why there are none, and once approved the corrections and refusals staff chose. The values
 * are the subject's data: a masked viewer sees which systems and fields, not the values.
 */
async function rectificationView(ctx: AppContext, request: RequestRecord, preview: Preview | undefined, masked: boolean) {
  const current = await ctx.repo.rectifications.current(request.requestId);
  const choice = await ctx.repo.rectifications.choice(request.requestId);
  const hide = <T extends { value: unknown }>(v: T) => (masked ? { ...v, value: null } : v);
  const order = ctx.config.connectors.map((c) => c.id);
  const systems = Object.entries(preview?.connectors ?? {})
    .sort(([a], [b]) => order.indexOf(a) - order.indexOf(b))
    .map(([connectorId, outcome]) => ({
      connectorId,
      displayName: connectorName(ctx.config, connectorId),
      status: outcome.status,
      values: (current[connectorId] ?? []).map(hide),
    }));
  return {
    fieldsAsked: fieldsToLookUp(request.subject.rectification),
    systems,
    ...(choice
      ? {
          choice: {
            by: choice.by,
            at: choice.at,
            corrections: Object.entries(choice.corrections).flatMap(([connectorId, list]) => list.map((c) => hide({ connectorId, ...c }))),
            refusals: choice.refusals,
          },
        }
      : {}),
  };
}

/**
 * One request in full for a staff member with these roles, with `actions`: what the API would accept
 * from them now (staffActions), which the console shows as its buttons; the internal notes and the
 * thread with the subject read off the trail; `timeZone`, the company's zone the console shows times in;
 * and the connectors' display names, which the console's audit sentences name systems by.
 */
export async function requestDetail(ctx: AppContext, requestId: string, roles: readonly string[]) {
  const request = await ctx.repo.get(requestId);
  const audit = await ctx.repo.auditTrail(requestId);
  const preview = await ctx.repo.preview(requestId);
  const rectification = request.type === 'rectification' ? await rectificationView(ctx, request, preview, masksSubject(ctx, roles)) : undefined;
  return {
    request: staffView(ctx, request, roles),
    actions: staffActions(ctx, request, roles),
    connectors: Object.values(request.connectors ?? {}),
    ...(preview || request.previewPending ? { preview: previewView(ctx, preview, counting(request)) } : {}),
    ...(rectification ? { rectification } : {}),
    audit: audit.map(({ at, actor, action, detail }) => ({ at, actor, action, ...(detail ? { detail } : {}) })),
    notes: notesOf(audit),
    thread: threadOf(audit),
    timeZone: ctx.config.organisation.timezone,
    connectorNames: Object.fromEntries(ctx.config.connectors.map((c) => [c.id, connectorName(ctx.config, c.id)])),
  };
}
