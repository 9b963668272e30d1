/**
 * ActWithConnector: the one act phase of the workflow (DESIGN section 9), one Map iteration per
 * connector. It dispatches on the request's stored type, never on what the state payload says, so a
 * tampered or stale `mode` cannot make an access request erase anything. A new type that changes data
 * (rectification, restriction) adds its case here, a connector capability, and its confirmation.
 */
import type { ConnectorRegistry } from '#connectors/registry';
import type { AppContext } from '../context.ts';
import { eraseWithConnector } from './erase.ts';
import type { CollectResult } from './reconcile.ts';
import { restrictWithConnector } from './restrict.ts';
import { rectifyWithConnector } from './rectify.ts';
import { suppressWithConnector } from './suppress.ts';
import type { ThrottledResult, ThrottleProgress } from './throttle.ts';

export async function actWithConnector(
  ctx: AppContext,
  registry: ConnectorRegistry,
  requestId: string,
  connectorId: string,
  progress: ThrottleProgress = {},
): Promise<CollectResult | ThrottledResult> {
  // Read once: the case's step checks this same record rather than reading it again.
  const request = await ctx.repo.get(requestId);
  switch (request.type) {
    case 'erasure':
      return eraseWithConnector(ctx, registry, requestId, connectorId, progress, request);
    case 'marketing_opt_out':
      return suppressWithConnector(ctx, registry, requestId, connectorId, progress, request);
    case 'restriction':
      return restrictWithConnector(ctx, registry, requestId, connectorId, progress, request);
    case 'rectification':
      return rectifyWithConnector(ctx, registry, requestId, connectorId, progress, request);
    default:
      throw new Error(`request ${requestId} is a ${request.type} request: it has nothing to act on`);
  }
}
