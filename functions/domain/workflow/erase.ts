/**
 * The erasure case of ActWithConnector (act.ts): one Map iteration of an erasure. Runs the connector's `erase` with the policy the
 * configuration gives each object (delete, anonymize, or retain with its legal basis) and returns what
 * it did, as counts. Erasing twice is safe: what is already gone counts as not found, not as an error,
 * which is also why a run the vendor throttled with a hint can simply run again after the Map's Wait
 * (see throttle.ts), as can a run the ASL Retry or a staff retry repeats after a failure.
 *
 * A rerun finds the records an earlier, interrupted run deleted no longer there, so on its own it would
 * report them as not found and the subject's report (and the Art. 19 notices, erasure-report.ts) would
 * undercount. So the connector reports each object's items as it finishes (`ConnectorContext.erased`);
 * a run that fails or is throttled keeps those as its own progress item under the request
 * (`RequestRepository.recordErasureProgress`, one item per run), and the run that succeeds merges the
 * earlier runs' items with its own (`mergeErasureRuns`) and returns that.
 */
import { enabledConnectors } from '#commons/config';
import { logger } from '#commons/observability';
import { policyFor } from '#connectors/policy';
import type { ConnectorRegistry } from '#connectors/registry';
import type { ErasureItem } from '#connectors/types';
import type { AppContext } from '../context.ts';
import type { RequestRecord } from '../requests/model.ts';
import { requestToWorkOn, subjectOf } from './collect.ts';
import type { CollectResult } from './reconcile.ts';
import { throttledResult, type ThrottledResult, type ThrottleProgress } from './throttle.ts';

export async function eraseWithConnector(
  ctx: AppContext,
  registry: ConnectorRegistry,
  requestId: string,
  connectorId: string,
  progress: ThrottleProgress = {},
  read?: RequestRecord,
): Promise<CollectResult | ThrottledResult> {
  const request = await requestToWorkOn(ctx, requestId, connectorId, { type: 'erasure', refusing: 'erase', read });
  const config = enabledConnectors(ctx.config).find((c) => c.id === connectorId)!;
  const done: ErasureItem[] = [];
  const erased = async (item: ErasureItem): Promise<void> => {
    done.push({ ...item });
  };
  let outcome;
  try {
    outcome = await registry.get(connectorId).erase(subjectOf(request), policyFor(config), { requestId, erased });
  } catch (err) {
    await keepProgress(ctx, requestId, connectorId, done);
    const throttled = await throttledResult(ctx, requestId, connectorId, err, progress);
    if (throttled) return throttled;
    throw err;
  }
  let earlier: ErasureItem[][];
  try {
    earlier = await ctx.repo.erasureProgress(requestId, connectorId);
  } catch (err) {
    // This run finished its erasure: keep what it did, so the retry of this step does not report it
    // as not found.
    await keepProgress(ctx, requestId, connectorId, outcome.items);
    throw err;
  }
  const items = earlier.length ? mergeErasureRuns([...earlier, outcome.items]) : outcome.items;
  const objects: Record<string, number> = {};
  for (const item of items) objects[item.object] = (objects[item.object] ?? 0) + item.count;
  const records = items.reduce((n, i) => n + i.count, 0);
  logger.info('connector erased', { requestId, connectorId, earlierRuns: earlier.length, actions: items.map((i) => `${i.object}:${i.action}`) });
  return { connectorId, status: 'succeeded', records, objects, stagingKeys: {}, erasure: items };
}

/**
 * Keeps what a failed or throttled run did before it stopped. A write that fails is logged and does not
 * replace the run's own error (or its throttled result): the workflow goes on as it would have, and the
 * report can only undercount, as it did before progress was kept.
 */
async function keepProgress(ctx: AppContext, requestId: string, connectorId: string, items: ErasureItem[]): Promise<void> {
  if (!items.length) return;
  try {
    await ctx.repo.recordErasureProgress(requestId, connectorId, items);
    logger.info('erasure progress kept', { requestId, connectorId, actions: items.map((i) => `${i.object}:${i.action}`) });
  } catch (err) {
    logger.error('erasure progress could not be kept; the report may undercount this connector', {
      requestId,
      connectorId,
      error: err instanceof Error ? err.name : String(err),
    });
  }
}

const CHANGED: ReadonlySet<string> = new Set(['deleted', 'anonymized']);

/**
 * What several runs of one connector's erasure did together, from their items, oldest run first (the
 * last is the run that succeeded). Per object:
 * - `deleted` counts add up across runs: a deleted record is not found again, so each run counts only
 *   what it removed;
 * - `anonymized` takes the largest count of any run: an anonymized record is still there, so a rerun
 *   finds and masks it again, and adding up would count it twice;
 * - `retained` comes from the latest run that kept anything of that object (the records are still
 *   there, so every run finds them again; adding up would count them twice);
 * - `not_found` is dropped when any run deleted or anonymized records of that object, and a run that
 *   found nothing at all (only `not_found` items, the connector's "nothing found") is dropped when any
 *   run changed anything: the object was not empty, an earlier run emptied it. Otherwise one stays.
 * Items keep the order in which each object and action first appeared.
 */
export function mergeErasureRuns(runs: ReadonlyArray<readonly ErasureItem[]>): ErasureItem[] {
  const changed = new Set<string>();
  const latestRetained = new Map<string, number>();
  runs.forEach((run, r) => {
    for (const item of run) {
      if (CHANGED.has(item.action) && item.count > 0) changed.add(item.object);
      if (item.action === 'retained') latestRetained.set(item.object, r);
    }
  });
  const merged = new Map<string, ErasureItem>();
  runs.forEach((run, r) => {
    const nothingFound = run.length > 0 && run.every((i) => i.action === 'not_found');
    for (const item of run) {
      if (item.action === 'not_found' && (changed.has(item.object) || (nothingFound && changed.size > 0))) continue;
      if (item.action === 'retained' && latestRetained.get(item.object) !== r) continue;
      const key = `${item.object}\u0000${item.action}`;
      const before = merged.get(key);
      if (!before) merged.set(key, { ...item });
      else if (item.action === 'anonymized') before.count = Math.max(before.count, item.count);
      else if (item.action !== 'not_found') before.count += item.count;
    }
  });
  return [...merged.values()];
}
