/**
 * PlanConnectors: which connectors the Map runs. First time: every enabled connector. After staff asked
 * for a retry: the ones marked pending again. Only small descriptors go into the state payload.
 */
import { enabledConnectors } from '#commons/config';
import type { AppContext } from '../context.ts';
import type { ConnectorOutcome, Decision } from '../requests/model.ts';

export interface ConnectorTask {
  requestId: string;
  connectorId: string;
}

export async function planConnectors(ctx: AppContext, requestId: string): Promise<{ connectors: ConnectorTask[] }> {
  const { repo, config } = ctx;
  const request = await repo.get(requestId);
  const outcomes: Record<string, ConnectorOutcome> = { ...request.connectors };
  const planned: ConnectorTask[] = [];
  for (const c of enabledConnectors(config)) {
    const previous = outcomes[c.id];
    if (previous && previous.status !== 'pending') continue;
    outcomes[c.id] = {
      connectorId: c.id,
      status: 'pending',
      records: 0,
      objects: {},
      stagingKeys: {},
      attempts: (previous?.attempts ?? 0) + 1,
    };
    planned.push({ requestId, connectorId: c.id });
  }
  await repo.update(requestId, { status: 'in_progress', connectors: outcomes });
  await repo.audit(requestId, 'system', 'connectors.planned', { connectors: planned.map((p) => p.connectorId) });
  return { connectors: planned };
}

/** The auto-approval path: the configuration says this request type needs no staff review. */
export async function approveAutomatically(ctx: AppContext, requestId: string): Promise<Decision> {
  const decision: Decision = { outcome: 'approved', by: 'system', at: ctx.clock.now().toISOString(), reason: 'auto-approval policy' };
  await ctx.repo.update(requestId, { status: 'in_progress', decision });
  await ctx.repo.audit(requestId, 'system', 'review.approved', { policy: 'auto' });
  return decision;
}
