/**
 * One open request per subject and type: the subject lock (an item keyed by type and subject hash that
 * names the request holding it). A new filing claims it, or takes it over from a holder that has closed;
 * while the holder is open, the filing is a duplicate of it. A closed request that opens again (a
 * forwarded one reopened on the partner's instruction: ./partner-actions.ts) takes it the same way.
 * Its own module so the staff actions can use it without the intake's upload checks in their bundle.
 */
import type { AppContext } from '../context.ts';
import type { RequestType } from '#commons/config';
import { CLOSED_STATUSES } from './model.ts';

/** A lock whose holder was never stored after this long was left by a filing that died before its write. */
const ABANDONED_LOCK_MS = 60_000;
/** Lock items expire long after any request can still be open (the longest extended period is months). */
const LOCK_TTL_MS = 400 * 24 * 3600_000;

/**
 * The open request of this type for the subject, or undefined when `requestId` is now the one: claims the
 * subject lock, or takes it over from a holder that has closed. A holder not stored yet is being filed
 * right now (it counts as open), unless it was claimed long ago and never stored. Also used when a closed
 * request opens again (a forwarded one reopened on the partner's instruction: ./partner-actions.ts), which
 * may hold the lock already.
 */
export async function openRequestFor(ctx: AppContext, type: RequestType, hash: string, requestId: string, now: Date): Promise<string | undefined> {
  const { repo } = ctx;
  const iso = now.toISOString();
  const expires = new Date(now.getTime() + LOCK_TTL_MS).toISOString();
  for (let round = 0; round < 5; round++) {
    const claim = await repo.claimSubjectLock(type, hash, requestId, iso, expires);
    if (claim.acquired || claim.holder === requestId) return legacyOpenRequest(ctx, type, hash, requestId, iso, expires);
    if (!claim.holder) continue;
    const holder = await repo.find(claim.holder);
    if (holder && !CLOSED_STATUSES.has(holder.status)) return holder.requestId;
    if (!holder && now.getTime() - Date.parse(claim.lockedAt) < ABANDONED_LOCK_MS) return claim.holder;
    if (await repo.takeOverSubjectLock(type, hash, claim.holder, requestId, iso, expires)) {
      return legacyOpenRequest(ctx, type, hash, requestId, iso, expires);
    }
    // Another filing took it over first: read who holds it now.
  }
  throw new Error('the subject lock kept changing hands');
}

/**
 * Requests filed before the lock existed hold no lock: one still open is the open request, and the lock
 * is handed to it so the next filing finds it directly.
 */
async function legacyOpenRequest(ctx: AppContext, type: RequestType, hash: string, requestId: string, iso: string, expires: string): Promise<string | undefined> {
  const open = (await ctx.repo.bySubject(hash)).find((r) => r.type === type && r.requestId !== requestId && !CLOSED_STATUSES.has(r.status));
  if (!open) return undefined;
  await ctx.repo.takeOverSubjectLock(type, hash, requestId, open.requestId, iso, expires);
  return open.requestId;
}
