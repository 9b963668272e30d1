/**
 * EraseWithConnector: one Map iteration of an erasure. Runs the connector's `erase` with the policy the
 * configuration gives each object (delete, anonymize, or retain with its legal basis) and returns what
 * it did, as counts. Erasing twice is safe: what is already gone counts as not found, not as an error,
 * which is also why a run the vendor throttled with a hint can simply run again after the Map's Wait
 * (see throttle.ts); records deleted before the throttle then count as not found in the second run.
 */
import { enabledConnectors } from '#commons/config';
import { logger } from '#commons/observability';
import { policyFor, type ConnectorRegistry } from '#connectors/registry';
import type { AppContext } from '../context.ts';
import { assertVerifiedAndApproved, subjectOf } from './collect.ts';
import type { CollectResult } from './reconcile.ts';
import { throttledResult, type ThrottledResult, type ThrottleProgress } from './throttle.ts';

export async function eraseWithConnector(
  ctx: AppContext,
  registry: ConnectorRegistry,
  requestId: string,
  connectorId: string,
  progress: ThrottleProgress = {},
): Promise<CollectResult | ThrottledResult> {
  const request = await ctx.repo.get(requestId);
  assertVerifiedAndApproved(request);
  if (request.type !== 'erasure') throw new Error(`request ${requestId} is not an erasure; refusing to erase`);
  const config = enabledConnectors(ctx.config).find((c) => c.id === connectorId);
  if (!config) throw new Error(`connector ${connectorId} is not enabled`);
  let outcome;
  try {
    outcome = await registry.get(connectorId).erase(subjectOf(request), policyFor(config), { requestId });
  } catch (err) {
    const throttled = await throttledResult(ctx, requestId, connectorId, err, progress);
    if (throttled) return throttled;
    throw err;
  }
  const objects: Record<string, number> = {};
  for (const item of outcome.items) objects[item.object] = (objects[item.object] ?? 0) + item.count;
  const records = outcome.items.reduce((n, i) => n + i.count, 0);
  logger.info('connector erased', { requestId, connectorId, actions: outcome.items.map((i) => `${i.object}:${i.action}`) });
  return { connectorId, status: 'succeeded', records, objects, stagingKeys: {}, erasure: outcome.items };
}
