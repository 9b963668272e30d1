/**
 * Reconcile: records what every connector run gave (counts and staging keys on success, the vendor's
 * error on failure) and tells the workflow whether staff must decide. A request never moves on to
 * assembly while a connector's data is missing, unless staff accepted that on record.
 */
import type { ErasureItem } from '#connectors/types';
import type { RectificationOutcome, SuppressionOutcome } from '../requests/model.ts';
import type { RestrictionOutcome } from '../restriction/model.ts';
import type { AppContext } from '../context.ts';
import type { ConnectorOutcome } from '../requests/model.ts';

export type CollectResult =
  | {
      connectorId: string;
      status: 'succeeded';
      records: number;
      objects: Record<string, number>;
      stagingKeys: Record<string, string>;
      /** Present when the run was an erasure. */
      erasure?: ErasureItem[];
      /** Present when the run was a marketing opt-out. */
      suppression?: SuppressionOutcome;
      /** Present when the run set or lifted a restriction. */
      restriction?: RestrictionOutcome;
      /** Present when the run was a rectification. */
      rectification?: RectificationOutcome;
    }
  | { connectorId: string; status: 'failed'; error: { Error?: string; Cause?: string } };

/** Step Functions hands a Lambda failure over as `{Error, Cause}`, Cause being Lambda's JSON error. */
export function describeFailure(error: { Error?: string; Cause?: string }): { type: string; message: string } {
  let message = error.Cause ?? '';
  try {
    const parsed = JSON.parse(message) as { errorMessage?: string };
    if (parsed.errorMessage) message = parsed.errorMessage;
  } catch {
    // Not JSON: keep the cause as it is.
  }
  return { type: error.Error ?? 'Error', message: message.slice(0, 1000) };
}

export async function reconcile(
  ctx: AppContext,
  requestId: string,
  results: CollectResult[],
): Promise<{ hasFailures: boolean; failed: string[] }> {
  const { repo, clock } = ctx;
  const request = await repo.get(requestId);
  const outcomes: Record<string, ConnectorOutcome> = { ...request.connectors };
  const finishedAt = clock.now().toISOString();
  for (const r of results) {
    const previous = outcomes[r.connectorId];
    const attempts = previous?.attempts ?? 1;
    outcomes[r.connectorId] =
      r.status === 'succeeded'
        ? {
            connectorId: r.connectorId,
            status: 'succeeded',
            records: r.records,
            objects: r.objects,
            stagingKeys: r.stagingKeys,
            ...(r.erasure ? { erasure: r.erasure } : {}),
            ...(r.suppression ? { suppression: r.suppression } : {}),
            ...(r.restriction ? { restriction: r.restriction } : {}),
            ...(r.rectification ? { rectification: r.rectification } : {}),
            attempts,
            finishedAt,
          }
        : { connectorId: r.connectorId, status: 'failed', records: 0, objects: {}, stagingKeys: {}, attempts, finishedAt, error: describeFailure(r.error) };
  }
  const failed = Object.values(outcomes).filter((o) => o.status === 'failed' || o.status === 'pending').map((o) => o.connectorId);
  await repo.update(requestId, { connectors: outcomes }, { onlyIf: ['in_progress'] });
  for (const r of results) {
    await repo.audit(requestId, 'system', r.status === 'succeeded' ? 'connector.succeeded' : 'connector.failed', {
      connectorId: r.connectorId,
      ...(r.status === 'succeeded'
        ? {
            records: r.records,
            ...(r.erasure ? { erasure: r.erasure.map((i) => `${i.object}:${i.action}:${i.count}`) } : {}),
            ...(r.suppression ? { suppression: r.suppression.applies ? r.suppression.items.map((i) => `${i.object}:${i.suppressed}`) : 'not_applicable' } : {}),
            ...(r.restriction
              ? { restriction: r.restriction.phase, restricted: r.restriction.items.map((i) => `${i.object}:${i.records}`), byHand: r.restriction.byHand, applies: r.restriction.applies }
              : {}),
            ...(r.rectification ? { rectification: r.rectification.applies ? r.rectification.items.map((i) => `${i.object}:${i.field}:${i.status}`) : 'not_applicable' } : {}),
          }
        : { error: outcomes[r.connectorId]!.error }),
    });
  }
  return { hasFailures: failed.length > 0, failed };
}
