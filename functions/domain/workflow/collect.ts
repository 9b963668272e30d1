/**
 * Collect: one Map iteration. Runs a connector's `access` for the subject and streams every record to
 * the staging bucket; only counts and keys go back into the workflow. Typed connector errors propagate
 * with their names, which the state machine's Retry and Catch match, except a throttle with the
 * vendor's hint: that becomes a `throttled` result the Map waits out (see throttle.ts).
 */
import { enabledConnectors, type RequestType } from '#commons/config';
import { logger } from '#commons/observability';
import type { ConnectorRegistry } from '#connectors/registry';
import type { DataRecord, Subject } from '#connectors/types';
import { StagingWriter } from '../staging/writer.ts';
import type { AppContext } from '../context.ts';
import type { RequestRecord } from '../requests/model.ts';
import type { CollectResult } from './reconcile.ts';
import { throttledResult, type ThrottledResult, type ThrottleProgress } from './throttle.ts';
import { partnerHold } from '../partners/match.ts';
import { mayActOnAddress } from '../requests/verification-waiver.ts';
import { OPT_OUT_OBJECT } from '../suppression/opt-out-object.ts';

export function subjectOf(request: RequestRecord): Subject {
  return {
    email: request.subject.email,
    normalizedEmail: request.subject.normalizedEmail,
    ...(request.subject.name ? { name: request.subject.name } : {}),
    ...(request.identifiers ? { identifiers: request.identifiers } : {}),
  };
}

/**
 * Nothing is gathered or changed for a request that nobody verified and approved. `waiverSuffices`: the
 * one step that may act on a request whose code was waived (a marketing opt-out's suppression, which
 * reads nothing out); every step that reads data leaves it off.
 */
export function assertVerifiedAndApproved(request: RequestRecord, options: { waiverSuffices?: boolean } = {}): void {
  const verified = options.waiverSuffices ? mayActOnAddress(request) : Boolean(request.verification?.verifiedAt);
  if (!verified || request.decision?.outcome !== 'approved') {
    throw new Error(`request ${request.requestId} is not verified and approved; refusing to touch connectors`);
  }
  // Processor mode: a partner's end user's data is released only on the partner's instruction.
  if (partnerHold(request)) {
    throw new Error(`request ${request.requestId} belongs to resale partner ${request.partner!.id} with no instruction on record; refusing to touch connectors`);
  }
}

/**
 * The request a per-connector step may work on: read fresh, verified and approved (see above), of the
 * type the step is for (`type`, when given: an act step never trusts the payload's mode), with the
 * connector enabled. Every collect and act step starts here. `read`: the request as the caller already
 * read it in this same invocation (ActWithConnector reads it to dispatch), so it is not read twice.
 */
export async function requestToWorkOn(
  ctx: AppContext,
  requestId: string,
  connectorId: string,
  step: { type?: RequestType; refusing?: string; waiverSuffices?: boolean; read?: RequestRecord } = {},
): Promise<RequestRecord> {
  const request = step.read ?? (await ctx.repo.get(requestId));
  assertVerifiedAndApproved(request, { waiverSuffices: step.waiverSuffices });
  if (step.type && request.type !== step.type) {
    throw new Error(`request ${requestId} is not ${/^[aeiou]/.test(step.type) ? 'an' : 'a'} ${step.type} request; refusing to ${step.refusing ?? 'act'}`);
  }
  if (!enabledConnectors(ctx.config).some((c) => c.id === connectorId)) throw new Error(`connector ${connectorId} is not enabled`);
  return request;
}

/**
 * What the suppression list says about this system, as a record of its own: where the subject opted out
 * of marketing, the answer to an access request shows it (the report says "you opted out of marketing on
 * <date>" in the subject's language: package/html.ts), whatever the vendor itself still shows. The list
 * is consulted here, for every connector, rather than by each connector. Data only: the words are the
 * report's, so this connector-running step carries no message catalogue.
 */
async function optOutRecord(ctx: AppContext, request: RequestRecord, connectorId: string): Promise<DataRecord | undefined> {
  const since = (await ctx.suppressions.get(request.subjectHash))?.systems[connectorId];
  if (!since) return undefined;
  return { object: OPT_OUT_OBJECT, id: `marketing-opt-out:${connectorId}`, data: { optedOutOfMarketing: true, optedOutAt: since } };
}

export async function collect(
  ctx: AppContext,
  registry: ConnectorRegistry,
  requestId: string,
  connectorId: string,
  progress: ThrottleProgress = {},
): Promise<CollectResult | ThrottledResult> {
  const request = await requestToWorkOn(ctx, requestId, connectorId);
  const connector = registry.get(connectorId);
  const writer = new StagingWriter({ s3: ctx.s3, bucket: ctx.stagingBucket(), requestId, connectorId });
  const started = Date.now();
  try {
    for await (const record of connector.access(subjectOf(request), { requestId })) await writer.write(record);
    const optOut = await optOutRecord(ctx, request, connectorId);
    if (optOut) await writer.write(optOut);
  } catch (err) {
    await writer.abort();
    const throttled = await throttledResult(ctx, requestId, connectorId, err, progress);
    if (throttled) return throttled;
    logger.warn('connector failed', { requestId, connectorId, error: (err as Error).name });
    throw err;
  }
  const summary = await writer.close();
  logger.info('connector collected', { requestId, connectorId, records: summary.records, ms: Date.now() - started });
  return { connectorId, status: 'succeeded', ...summary };
}
