/**
 * The release of a package staff reviewed (see ./index.ts): a staff action like approve, which claims the
 * request and completes the workflow's waiting task the same way (requests/staff.ts).
 */
import { conflict } from '#commons/errors';
import type { AppContext } from '../context.ts';
import type { RequestRecord } from '../requests/model.ts';
import { claim, completeOrUndo, type Claim } from '../requests/staff.ts';

/**
 * Lets the package go: claims the request (awaiting_release -> assembling, with who and when), then
 * completes the workflow's AwaitRelease task; Assemble then builds the package one last time with what
 * was withheld and NotifySubject sends the link. Refused (409) while a withholding is being applied.
 */
export async function releasePackage(ctx: AppContext, requestId: string, actor: string): Promise<RequestRecord> {
  const at = ctx.clock.now().toISOString();
  const release = { by: actor, at };
  let claimed: Claim;
  try {
    claimed = await claim(ctx, requestId, actor, 'release', 'release', 'awaiting_release', 'assembling', { release }, { absent: ['packageBuild'] });
  } catch (err) {
    const now = await ctx.repo.get(requestId);
    if (now.status === 'awaiting_release' && now.packageBuild) throw conflict('busy', `a change to the package of request ${requestId} is being applied; try again in a moment`);
    throw err;
  }
  await completeOrUndo(ctx, claimed, 'release', { action: 'release', by: actor }, { remove: ['release'], mine: { 'release.at': at, 'release.by': actor } });
  await ctx.repo.audit(requestId, actor, 'package.released', { withheld: (claimed.before.withheld ?? []).length });
  return ctx.repo.get(requestId);
}
