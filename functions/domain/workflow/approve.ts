/**
 * Approval without staff review, where the configuration allows it. Its own module: the step that runs
 * it reaches no connector, so its bundle must not carry the connector registry that planning needs.
 */
import type { AppContext } from '../context.ts';
import type { Decision } from '../requests/model.ts';

/** The auto-approval path: the configuration says this request type needs no staff review. */
export async function approveAutomatically(ctx: AppContext, requestId: string): Promise<Decision> {
  const decision: Decision = { outcome: 'approved', by: 'system', at: ctx.clock.now().toISOString(), reason: 'auto-approval policy' };
  // From the status verification left (or, retried, the one this step wrote); never over a cancellation.
  await ctx.repo.update(requestId, { status: 'in_progress', decision }, { onlyIf: ['awaiting_review', 'in_progress'] });
  await ctx.repo.audit(requestId, 'system', 'review.approved', { policy: 'auto' });
  return decision;
}
