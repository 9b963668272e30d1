/**
 * Discover: the preview before approval (issue 17). After verification and before staff review, each
 * enabled connector counts the subject's records per object without exporting anything, and the counts
 * are stored in a single write and one audit event, so staff approve knowing what will go out. One
 * workflow step runs the three parts below (./preview.ts: plan, count with every connector at once,
 * record).
 *
 * A connector that fails or times out shows as "could not count" with the error's type; the preview
 * never holds up the review: the state machine catches every failure of these steps into AwaitReview.
 * An automatically approved request skips it: nobody would look at the counts before the work starts.
 *
 * A rectification is previewed with values instead of counts: each system that can correct shows the
 * current values of the fields the subject asked about (`rectify.current`), which staff correct from.
 * Those values are the subject's data: the connector's step stores them itself, on the request's own
 * item (../rectification/store.ts), so they never pass through the state machine's payload or a log.
 */
import { connectorName, enabledConnectors } from '#commons/config';
import { logger } from '#commons/observability';
import { discover, totalOf } from '#connectors/discovery';
import { policyFor } from '#connectors/policy';
import type { ConnectorRegistry } from '#connectors/registry';
import type { ObjectCounts } from '#connectors/types';
import type { AppContext } from '../context.ts';
import type { PreviewOutcome, RequestRecord } from '../requests/model.ts';
import { StateConflict } from '../requests/repository.ts';
import { subjectOf } from './collect.ts';
import { describeFailure } from './reconcile.ts';
import { fieldsToLookUp } from '../rectification/requested.ts';

export interface DiscoveryTask {
  requestId: string;
  connectorId: string;
}

/** What one Map iteration hands on: the counts, or the failure Step Functions caught (`{Error, Cause}`). */
export type DiscoveryResult =
  | { connectorId: string; status: 'counted'; objects: ObjectCounts }
  /** A rectification: how many current values were stored (the values themselves stay in the table). */
  | { connectorId: string; status: 'current'; values: number }
  /** A rectification, in a system without the rectify capability (Google Analytics). */
  | { connectorId: string; status: 'nothing_to_correct' }
  | { connectorId: string; status: 'failed'; error: { Error?: string; Cause?: string } };

/** Not even a count leaves a system for a request nobody verified. */
function assertVerified(request: RequestRecord): void {
  if (!request.verification?.verifiedAt) {
    throw new Error(`request ${request.requestId} is not verified; refusing to touch connectors`);
  }
}

/**
 * The connectors the preview counts in: every enabled one (the same set the first collect runs). Marks
 * the request `previewPending` until the review is requested, so nobody approves before seeing it. A
 * request cancelled meanwhile counts nowhere.
 */
export async function planDiscovery(ctx: AppContext, requestId: string): Promise<{ connectors: DiscoveryTask[] }> {
  const request = await ctx.repo.get(requestId);
  // An opt-out whose code was waived gets no preview: counting the records of an address nobody proved
  // is reading them. Staff review it on what the subject wrote.
  if (request.verificationWaived && !request.verification?.verifiedAt) return { connectors: [] };
  assertVerified(request);
  try {
    await ctx.repo.update(requestId, { previewPending: true }, { onlyIf: ['awaiting_review'] });
  } catch (err) {
    if (err instanceof StateConflict) return { connectors: [] };
    throw err;
  }
  return { connectors: enabledConnectors(ctx.config).map((c) => ({ requestId, connectorId: c.id })) };
}

/**
 * How long one count may take before the step gives up on its own: under the Discover state's 110 s
 * TimeoutSeconds (statemachines/dsar.asl.json), so a count the workflow stopped waiting for does not run
 * on in the Lambda until its 120 s timeout. The row then says `TimeoutError`.
 */
export const DISCOVERY_BUDGET_MS = 90_000;

/**
 * One Map iteration: the connector's counts for the subject. Reads only, and writes nothing anywhere,
 * except a rectification's current values, stored on their own item (see the top of this file).
 */
export async function discoverWithConnector(
  ctx: AppContext,
  registry: ConnectorRegistry,
  requestId: string,
  connectorId: string,
  budgetMs = DISCOVERY_BUDGET_MS,
): Promise<DiscoveryResult> {
  const request = await ctx.repo.get(requestId);
  assertVerified(request);
  if (!enabledConnectors(ctx.config).some((c) => c.id === connectorId)) throw new Error(`connector ${connectorId} is not enabled`);
  try {
    const connector = registry.get(connectorId);
    const context = { requestId, signal: AbortSignal.timeout(budgetMs) };
    if (request.type === 'rectification') {
      if (!connector.rectify) return { connectorId, status: 'nothing_to_correct' };
      const values = await connector.rectify.current(subjectOf(request), fieldsToLookUp(request.subject.rectification), context);
      await ctx.repo.rectifications.putCurrent(requestId, connectorId, values, ctx.clock.now().toISOString());
      return { connectorId, status: 'current', values: values.length };
    }
    const objects = await discover(connector, subjectOf(request), context);
    return { connectorId, status: 'counted', objects };
  } catch (err) {
    logger.warn('connector could not count', { requestId, connectorId, error: (err as Error).name });
    throw err;
  }
}

const plural = (n: number) => `${n} record${n === 1 ? '' : 's'}`;

/**
 * Stores the preview as an item of its own (one small write, which no index copies) and puts one event
 * on the audit trail naming every system's total ("Preview: HubSpot 12 records, Stripe could not count
 * (ConnectorUnavailable)"). Only while the request awaits review: one cancelled meanwhile keeps its state.
 */
export async function recordPreview(ctx: AppContext, requestId: string, results: DiscoveryResult[]): Promise<{ recorded: boolean; records: number; failed: string[] }> {
  const request = await ctx.repo.get(requestId);
  // A request cancelled (or decided) meanwhile keeps its state: no preview is stored or audited for it.
  if (request.status !== 'awaiting_review') return { recorded: false, records: 0, failed: [] };
  const connectors: Record<string, PreviewOutcome> = {};
  const lines: string[] = [];
  for (const r of results) {
    const config = ctx.config.connectors.find((c) => c.id === r.connectorId);
    const name = connectorName(ctx.config, r.connectorId);
    if (r.status === 'counted') {
      const records = totalOf(r.objects);
      const policy = config ? policyFor(config) : undefined;
      const erasure = request.type === 'erasure' && policy ? Object.fromEntries(Object.keys(r.objects).map((o) => [o, policy(o).action])) : undefined;
      connectors[r.connectorId] = { status: 'counted', records, objects: r.objects, ...(erasure ? { erasure } : {}) };
      lines.push(`${name} ${plural(records)}`);
    } else if (r.status === 'current') {
      connectors[r.connectorId] = { status: 'current', values: r.values };
      lines.push(`${name} ${r.values} current value${r.values === 1 ? '' : 's'}`);
    } else if (r.status === 'nothing_to_correct') {
      connectors[r.connectorId] = { status: 'nothing_to_correct' };
      lines.push(`${name} nothing to correct`);
    } else {
      const error = describeFailure(r.error).type;
      connectors[r.connectorId] = { status: 'failed', error };
      lines.push(`${name} could not count (${error})`);
    }
  }
  const records = Object.values(connectors).reduce((n, c) => n + (c.status === 'counted' ? c.records : 0), 0);
  const failed = Object.entries(connectors).filter(([, c]) => c.status === 'failed').map(([id]) => id);
  await ctx.repo.putPreview(requestId, { at: ctx.clock.now().toISOString(), connectors });
  await ctx.repo.audit(requestId, 'system', 'preview.counted', { summary: `Preview: ${lines.join(', ') || 'no connector enabled'}`, records });
  return { recorded: true, records, failed };
}
