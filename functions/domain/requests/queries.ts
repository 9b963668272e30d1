/** Staff views: the open queue and one request in full. Secrets (hashes of codes and tokens) never leave. */
import { badRequest } from '#commons/errors';
import type { AppContext } from '../context.ts';
import type { RequestRecord, RequestStatus } from './model.ts';

function encodeCursor(key: Record<string, unknown> | undefined): string | undefined {
  return key ? Buffer.from(JSON.stringify(key), 'utf8').toString('base64url') : undefined;
}

function decodeCursor(cursor: string | undefined): Record<string, unknown> | undefined {
  if (!cursor) return undefined;
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (key && typeof key === 'object' && !Array.isArray(key)) return key as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw badRequest('invalid_cursor', 'the cursor is not one this API gave out');
}

/** A request as staff see it in lists: no hashes, no verification secrets. */
export function staffView(r: RequestRecord) {
  const { pk: _pk, sk: _sk, statusTokenHash: _s, subjectHash: _h, openPk: _o, openSk: _os, verification, ...rest } = r;
  return {
    ...rest,
    verification: verification
      ? { sentAt: verification.sentAt, expiresAt: verification.expiresAt, attempts: verification.attempts, codesSent: verification.codesSent, verifiedAt: verification.verifiedAt }
      : undefined,
    daysLeft: daysLeft(r.dueDate, new Date()),
  };
}

/** Whole days from today (UTC) to the due date; negative when overdue. */
export function daysLeft(dueDate: string, now: Date): number {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return Math.round((Date.parse(`${dueDate}T00:00:00Z`) - today) / 86_400_000);
}

export async function listQueue(
  ctx: AppContext,
  q: { status?: RequestStatus; dueBefore?: string; cursor?: string; limit?: number },
) {
  const page = await ctx.repo.listOpen({ dueBefore: q.dueBefore, limit: q.limit ?? 50, cursor: decodeCursor(q.cursor) });
  const items = page.items.filter((r) => !q.status || r.status === q.status).map(staffView);
  return { items, cursor: encodeCursor(page.cursor) ?? null };
}

export async function requestDetail(ctx: AppContext, requestId: string) {
  const request = await ctx.repo.get(requestId);
  const audit = await ctx.repo.auditTrail(requestId);
  return {
    request: staffView(request),
    connectors: Object.values(request.connectors ?? {}),
    audit: audit.map(({ at, actor, action, detail }) => ({ at, actor, action, ...(detail ? { detail } : {}) })),
  };
}
