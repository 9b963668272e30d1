/**
 * Deletes packages whose download link has expired. On AWS the exports bucket's lifecycle rule does
 * this; the embedded runtime runs this sweep on a timer, so the download endpoint answers 410 the same way.
 */
import type { AppContext } from '../context.ts';
import { deleteObjectsOlderThan } from './expired-objects.ts';

export async function sweepExpiredPackages(ctx: AppContext): Promise<number> {
  const cutoff = ctx.clock.now().getTime() - ctx.config.delivery.linkTtlDays * 86_400_000;
  return deleteObjectsOlderThan(ctx.s3, ctx.exportsBucket(), 'exports/', cutoff);
}
