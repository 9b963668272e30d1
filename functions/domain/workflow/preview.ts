/**
 * The preview before review as one workflow step (issue 18): plan, count with every connector at once,
 * store the counts. It was three states and a Map (PlanDiscovery, Discover with one iteration per
 * connector, RecordPreview); the per-connector count stays `discoverWithConnector` in ./discover.ts,
 * called here once per connector, so what a count does is defined in one place.
 *
 * Each connector gets its own time budget, and one that fails or overruns becomes a "could not count"
 * row with the error's type, as the Map's CouldNotCount did; it never holds up the others. A throttled
 * or unavailable vendor is asked again with jittered backoff, as the Map's Retry did, within the budget.
 */
import pLimit from 'p-limit';
import { ConnectorThrottled, ConnectorUnavailable } from '#connectors/errors';
import type { ConnectorRegistry } from '#connectors/registry';
import type { AppContext } from '../context.ts';
import { DISCOVERY_BUDGET_MS, discoverWithConnector, planDiscovery, recordPreview, type DiscoveryResult } from './discover.ts';

/** As many counts at once as the Map ran (its MaxConcurrency). */
export const DISCOVERY_CONCURRENCY = 10;

export interface PreviewOptions {
  /** Per connector, all its attempts included. */
  budgetMs?: number;
  /** The backoff before each further attempt on ConnectorThrottled/ConnectorUnavailable (full jitter). */
  retryDelaysMs?: number[];
  /** How a pause is waited out; tests pass one that returns at once. */
  sleep?: (ms: number) => Promise<void>;
}

const RETRY_DELAYS_MS = [2_000, 4_000];

/** Thrown when a count outlives its budget although the connector ignored the abort signal. */
class CountTimedOut extends Error {
  constructor(connectorId: string, budgetMs: number) {
    super(`${connectorId} did not count within ${budgetMs} ms`);
    this.name = 'TimeoutError';
  }
}

/** The failure as Step Functions would have caught it (`{Error, Cause}`), the shape recordPreview reads. */
function failedRow(connectorId: string, err: unknown): DiscoveryResult {
  const e = err instanceof Error ? err : new Error(String(err));
  return { connectorId, status: 'failed', error: { Error: e.name || 'Error', Cause: JSON.stringify({ errorType: e.name || 'Error', errorMessage: e.message }) } };
}

async function countWithin(ctx: AppContext, registry: ConnectorRegistry, requestId: string, connectorId: string, options: Required<PreviewOptions>): Promise<DiscoveryResult> {
  const deadline = Date.now() + options.budgetMs;
  for (let attempt = 0; ; attempt++) {
    const remaining = deadline - Date.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      // The signal inside discoverWithConnector stops a connector that listens; the race, one that does not.
      const overrun = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new CountTimedOut(connectorId, options.budgetMs)), Math.max(0, remaining));
      });
      return await Promise.race([discoverWithConnector(ctx, registry, requestId, connectorId, Math.max(1, remaining)), overrun]);
    } catch (err) {
      const retryable = err instanceof ConnectorThrottled || err instanceof ConnectorUnavailable;
      const delay = options.retryDelaysMs[attempt];
      if (!retryable || delay === undefined) return failedRow(connectorId, err);
      const pause = Math.random() * delay;
      if (Date.now() + pause >= deadline) return failedRow(connectorId, err);
      await options.sleep(pause);
    } finally {
      clearTimeout(timer);
    }
  }
}

/**
 * The whole preview: marks the request as being counted, counts with every enabled connector
 * concurrently, and stores the counts in one write and one audit event. A request cancelled meanwhile
 * counts nowhere and stores nothing (planDiscovery and recordPreview check its state).
 */
export async function previewCounts(ctx: AppContext, registry: ConnectorRegistry, requestId: string, options: PreviewOptions = {}): Promise<{ recorded: boolean; records: number; failed: string[] }> {
  const resolved: Required<PreviewOptions> = {
    budgetMs: options.budgetMs ?? DISCOVERY_BUDGET_MS,
    retryDelaysMs: options.retryDelaysMs ?? RETRY_DELAYS_MS,
    sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
  };
  const plan = await planDiscovery(ctx, requestId);
  const limit = pLimit(DISCOVERY_CONCURRENCY);
  const results = await Promise.all(plan.connectors.map((c) => limit(() => countWithin(ctx, registry, requestId, c.connectorId, resolved))));
  return recordPreview(ctx, requestId, results);
}
