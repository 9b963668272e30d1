/**
 * A request closed while its package waited for release (cancelled): the package never goes out, so it
 * and the staged records it was built from are deleted now rather than left to the buckets' lifecycles.
 * A module of its own, small, because cancel (requests/staff.ts) calls it and every staff function
 * bundles that: the package builder stays out of them.
 */
import type { AppContext } from '../context.ts';
import type { RequestRecord } from '../requests/model.ts';
import { deletePrefix, deleteStaging } from '../staging/cleanup.ts';

export async function discardUnreleased(ctx: AppContext, request: RequestRecord): Promise<void> {
  const staged = await deleteStaging(ctx.s3, ctx.stagingBucket(), request.requestId);
  const packages = await deletePrefix(ctx.s3, ctx.exportsBucket(), `exports/${request.requestId}/`);
  await ctx.repo.audit(request.requestId, 'system', 'package.discarded', { stagedObjects: staged, packageObjects: packages });
}
