/**
 * The act step of a marketing opt-out, for one connector: marks the subject as not wanting marketing in
 * that system (`Connector.marketing.suppress`), then reads it back (`marketing.status`) and succeeds only
 * when every record of the subject found there is opted out. A record still open to marketing is a
 * failure for staff (`SuppressionNotConfirmed`), never a confirmation. A system without the capability
 * does not market: it is recorded as not applicable.
 *
 * Suppressing twice is harmless (opted out stays opted out), so a throttled run is waited out and run
 * again like a collection (throttle.ts), and the ASL Retry and staff retries may repeat it.
 */
import { logger } from '#commons/observability';
import type { ConnectorRegistry } from '#connectors/registry';
import type { AppContext } from '../context.ts';
import type { RequestRecord } from '../requests/model.ts';
import { requestToWorkOn, subjectOf } from './collect.ts';
import type { CollectResult } from './reconcile.ts';
import { throttledResult, type ThrottledResult, type ThrottleProgress } from './throttle.ts';

/** The read-back found records of the subject still open to marketing after the suppression. */
export class SuppressionNotConfirmed extends Error {
  override name = 'SuppressionNotConfirmed';
}

export async function suppressWithConnector(
  ctx: AppContext,
  registry: ConnectorRegistry,
  requestId: string,
  connectorId: string,
  progress: ThrottleProgress = {},
  read?: RequestRecord,
): Promise<CollectResult | ThrottledResult> {
  // An opt-out whose code was waived may act here: it changes marketing flags and reads nothing out.
  const request = await requestToWorkOn(ctx, requestId, connectorId, { type: 'marketing_opt_out', refusing: 'suppress', waiverSuffices: true, read });
  const marketing = registry.get(connectorId).marketing;
  if (!marketing) {
    logger.info('connector does not market: nothing to suppress', { requestId, connectorId });
    return { connectorId, status: 'succeeded', records: 0, objects: {}, stagingKeys: {}, suppression: { applies: false, items: [] } };
  }
  const subject = subjectOf(request);
  let items;
  let status;
  try {
    items = await marketing.suppress(subject, { requestId });
    status = await marketing.status(subject, { requestId });
  } catch (err) {
    const throttled = await throttledResult(ctx, requestId, connectorId, err, progress);
    if (throttled) return throttled;
    throw err;
  }
  const open = status.filter((s) => s.allowed > 0);
  if (open.length) {
    throw new SuppressionNotConfirmed(
      `after the opt-out, ${connectorId} still allows marketing in ${open.map((s) => `${s.object} (${s.allowed} of ${s.allowed + s.optedOut})`).join(', ')}`,
    );
  }
  const confirmedAt = ctx.clock.now().toISOString();
  // The list says, per system, since when it has the subject opted out: what a later access report shows.
  if (items.some((i) => i.suppressed > 0)) await ctx.suppressions.confirm(request.subjectHash, connectorId, requestId, confirmedAt);
  const objects: Record<string, number> = {};
  for (const item of items) objects[item.object] = (objects[item.object] ?? 0) + item.suppressed;
  const records = items.reduce((n, i) => n + i.suppressed, 0);
  logger.info('connector suppressed marketing', { requestId, connectorId, objects });
  return {
    connectorId,
    status: 'succeeded',
    records,
    objects,
    stagingKeys: {},
    suppression: { applies: true, items, confirmedAt },
  };
}
