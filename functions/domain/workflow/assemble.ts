/**
 * Assemble: builds the subject's package (a ZIP streamed into the exports bucket) from what the
 * connectors staged, and records where it is and until when the link works. The staged records are
 * deleted once the package is on record: they are a second copy of the subject's data that nothing
 * needs any more.
 */
import { logger } from '#commons/observability';
import type { AppContext } from '../context.ts';
import { deleteStaging } from '../staging/cleanup.ts';
import { assemblePackage } from '../package/assemble.ts';
import type { PackageSource } from '../package/types.ts';

export async function assemble(ctx: AppContext, requestId: string): Promise<{ key: string; records: number; bytes: number }> {
  const { repo, config, clock } = ctx;
  const request = await repo.get(requestId);
  // Only the types that answer with data have a package; an erasure or an opt-out acts instead.
  if (request.type !== 'access' && request.type !== 'portability') throw new Error(`request ${requestId} is a ${request.type} request: it has no package`);
  const outcomes = Object.values(request.connectors ?? {});
  const outstanding = outcomes.filter((o) => o.status === 'failed' || o.status === 'pending');
  // Never a package that silently lacks a system: missing data must have been accepted by staff.
  if (outstanding.length) {
    throw new Error(`request ${requestId} still has connectors without data: ${outstanding.map((o) => o.connectorId).join(', ')}`);
  }
  const byId = new Map(config.connectors.map((c) => [c.id, c]));
  const sources: PackageSource[] = outcomes
    .filter((o) => o.status === 'succeeded')
    .map((o) => ({
      connectorId: o.connectorId,
      displayName: byId.get(o.connectorId)?.displayName ?? o.connectorId,
      objects: Object.entries(o.stagingKeys).map(([object, stagingKey]) => ({ object, stagingKey, count: o.objects[object] ?? 0 })),
    }));
  const missing = outcomes
    .filter((o) => o.status === 'accepted_missing')
    .map((o) => ({
      connectorId: o.connectorId,
      displayName: byId.get(o.connectorId)?.displayName ?? o.connectorId,
      reason: request.partialAcceptance?.reason ?? 'not available',
    }));
  const now = clock.now();
  const key = `exports/${requestId}/${request.type}-${requestId}.zip`;
  // A rerun after the package went on record (the runtime or the Lambda died before the next state, or
  // its answer was lost): the staged copies may already be gone, so rebuilding would fail on a missing
  // key. The package on record is this step's answer.
  if (request.package?.key === key && request.status === 'assembling') {
    await removeStaging(ctx, requestId);
    const records = sources.reduce((n, s) => n + s.objects.reduce((m, o) => m + o.count, 0), 0);
    return { key, records, bytes: request.package.bytes ?? 0 };
  }
  await repo.update(requestId, { status: 'assembling' }, { onlyIf: ['in_progress', 'assembling'] });
  const result = await assemblePackage({
    s3: ctx.s3,
    stagingBucket: ctx.stagingBucket(),
    exportsBucket: ctx.exportsBucket(),
    key,
    request: {
      requestId,
      type: request.type,
      receivedDate: request.receivedDate,
      dueDate: request.dueDate,
      jurisdiction: request.jurisdiction,
      subject: { email: request.subject.email, ...(request.subject.name ? { name: request.subject.name } : {}) },
    },
    config,
    sources,
    missing,
    now,
    ...(process.env.DSAR_EXPORTS_SSE ? { sse: process.env.DSAR_EXPORTS_SSE as 'aws:kms' | 'AES256' } : {}),
  });
  const expiresAt = new Date(now.getTime() + config.delivery.linkTtlDays * 86_400_000).toISOString();
  // Only while still assembling: a request cancelled meanwhile gets no package (and so no download).
  await repo.update(requestId, { package: { key, createdAt: now.toISOString(), expiresAt, bytes: result.bytes } }, { onlyIf: ['assembling'] });
  await repo.audit(requestId, 'system', 'package.assembled', { records: result.records, bytes: result.bytes });
  await removeStaging(ctx, requestId);
  return { key, records: result.records, bytes: result.bytes };
}

/**
 * Last, and never failing the step: a retry of Assemble after this point would rebuild the package
 * from staging that is gone. What is left here the staging lifecycle rule (or the local sweep) removes.
 */
async function removeStaging(ctx: AppContext, requestId: string): Promise<void> {
  try {
    const objects = await deleteStaging(ctx.s3, ctx.stagingBucket(), requestId);
    await ctx.repo.audit(requestId, 'system', 'staging.deleted', { objects });
  } catch (err) {
    logger.warn('staging not deleted after assembly; the lifecycle rule will', { requestId, error: (err as Error).name });
  }
}
