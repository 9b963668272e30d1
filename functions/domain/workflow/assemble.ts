/**
 * Assemble: builds the subject's package (a ZIP streamed into the exports bucket) from what the
 * connectors staged, and records where it is and until when the link works. The staged records are
 * deleted once the package is on record: they are a second copy of the subject's data that nothing
 * needs any more. With staff release they are kept: withholding rebuilds the package from them, so they
 * live until the release (or the request closes) and are deleted then (../release/).
 */
import { connectorName, releaseMode } from '#commons/config';
import { logger } from '#commons/observability';
import type { StoreContext } from '../store-context.ts';
import { deleteStaging } from '../staging/cleanup.ts';
import { assemblePackage } from '../package/assemble.ts';
import type { AssembleInput, MissingSource, PackageSource, PackageType } from '../package/types.ts';
import type { RequestRecord } from '../requests/model.ts';
import { requestTimeZone } from '../deadlines/request-zone.ts';
import { pickLocale } from '../i18n/locale.ts';

export async function assemble(ctx: StoreContext, requestId: string): Promise<{ key: string; records: number; bytes: number }> {
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
  const { sources, missing } = packageSources(ctx, request);
  const now = clock.now();
  const records = sources.reduce((n, s) => n + s.objects.reduce((m, o) => m + o.count, 0), 0);
  // A rerun after nothing was found to send (below): the answer stands.
  if (request.nothingHeld && request.status === 'assembling') return { key: '', records: 0, bytes: 0 };
  // Nothing held anywhere we searched, and nothing missing: there is nothing to package (or to review
  // before release). An empty ZIP would make the subject download a file to learn it; the closing mail
  // says it in words instead.
  if (records === 0 && missing.length === 0) return nothingToSend(ctx, request, sources, now, false);
  const key = `exports/${requestId}/${request.type}-${requestId}.zip`;
  // A rerun after the package went on record (the runtime or the Lambda died before the next state, or
  // its answer was lost): the staged copies may already be gone, so rebuilding would fail on a missing
  // key. The package on record is this step's answer.
  // Staff release keeps the staged records until staff released the package; the build after the
  // release (AwaitRelease leads back here) is the last one and deletes them.
  const keepStaging = releaseMode(config, request.type) === 'staff' && !request.release;
  const builtSinceRelease = !request.release || (request.package !== undefined && request.package.createdAt >= request.release.at);
  if (request.package?.key === key && request.status === 'assembling' && builtSinceRelease) {
    if (!keepStaging) await removeStaging(ctx, requestId);
    return { key, records, bytes: request.package.bytes ?? 0 };
  }
  // The build after staff release finds the request assembling already: rewriting the same status would
  // cost a write of the request (and of its metrics fact) for nothing; the package write below is
  // conditional on assembling all the same, so a request cancelled meanwhile still gets no package.
  if (request.status !== 'assembling') await repo.update(requestId, { status: 'assembling' }, { onlyIf: ['in_progress', 'assembling'] });
  const input = packageInput(ctx, request, key, now);
  // Portability takes only what the subject gave us or we recorded as they used the service. Records
  // that are all inferred or derived leave nothing to hand over: the same answer in words as nothing
  // held, worded for portability, not an empty ZIP. (After staff withheld parts, or with systems
  // missing, the package is what staff chose to send and goes out as it is.) The first pass decides.
  const mayBeEmpty = request.type === 'portability' && missing.length === 0 && !request.withheld?.length;
  const result = await assemblePackage(input, { onlyIf: (planned) => !(mayBeEmpty && planned.every((s) => s.objects.length === 0)) });
  if (!result) return nothingToSend(ctx, request, sources, now, true);
  const expiresAt = new Date(now.getTime() + config.delivery.linkTtlDays * 86_400_000).toISOString();
  // Only while still assembling: a request cancelled meanwhile gets no package (and so no download).
  await repo.update(requestId, { package: { key, createdAt: now.toISOString(), expiresAt, bytes: result.bytes } }, { onlyIf: ['assembling'] });
  await repo.audit(requestId, 'system', 'package.assembled', {
    records: result.records,
    bytes: result.bytes,
    ...(request.release ? { released: true, withheld: request.withheld?.length ?? 0 } : {}),
  });
  if (!keepStaging) await removeStaging(ctx, requestId);
  return { key, records: result.records, bytes: result.bytes };
}

/**
 * Records that there is nothing to send (nothing held, or for portability nothing portable), so the
 * closing mail says so in words (../notifications/nothing-held.ts) and no package is built or reviewed.
 */
async function nothingToSend(ctx: StoreContext, request: RequestRecord, sources: PackageSource[], now: Date, onlyInferred: boolean) {
  const { requestId } = request;
  const systems = sources.map((s) => s.displayName);
  const nothingHeld = { at: now.toISOString(), systems, ...(onlyInferred ? { onlyInferred: true as const } : {}) };
  await ctx.repo.update(requestId, { status: 'assembling', nothingHeld }, { onlyIf: ['in_progress', 'assembling'] });
  await ctx.repo.audit(requestId, 'system', 'package.nothing_held', { systems: systems.length, ...(onlyInferred ? { onlyInferred: true } : {}) });
  await removeStaging(ctx, requestId);
  return { key: '', records: 0, bytes: 0 };
}

/**
 * What the connectors staged for a request, as the package's sources, and what staff accepted as
 * missing, the systems named in `language` (the subject's, for the package; English for the record).
 */
export function packageSources(ctx: StoreContext, request: RequestRecord, language = 'en'): { sources: PackageSource[]; missing: MissingSource[] } {
  const outcomes = Object.values(request.connectors ?? {});
  const sources: PackageSource[] = outcomes
    .filter((o) => o.status === 'succeeded')
    .map((o) => ({
      connectorId: o.connectorId,
      displayName: connectorName(ctx.config, o.connectorId, language),
      objects: Object.entries(o.stagingKeys).map(([object, stagingKey]) => ({ object, stagingKey, count: o.objects[object] ?? 0 })),
    }));
  const missing = outcomes
    .filter((o) => o.status === 'accepted_missing')
    .map((o) => ({
      connectorId: o.connectorId,
      displayName: connectorName(ctx.config, o.connectorId, language),
      reason: request.partialAcceptance?.reason ?? 'not available',
    }));
  return { sources, missing };
}

/** The whole input of a package build for a request: Assemble's, and a rebuild's after staff withheld parts. */
export function packageInput(ctx: StoreContext, request: RequestRecord, key: string, now: Date): AssembleInput {
  // The package is the subject's: its systems are named in their language.
  const { sources, missing } = packageSources(ctx, request, pickLocale(request.locale));
  return {
    s3: ctx.s3,
    stagingBucket: ctx.stagingBucket(),
    exportsBucket: ctx.exportsBucket(),
    key,
    request: {
      requestId: request.requestId,
      type: request.type as PackageType,
      receivedDate: request.receivedDate,
      dueDate: request.dueDate,
      jurisdiction: request.jurisdiction,
      subject: { email: request.subject.email, ...(request.subject.name ? { name: request.subject.name } : {}) },
      ...(request.locale ? { locale: request.locale } : {}),
      timeZone: requestTimeZone(ctx.config, request),
    },
    config: ctx.config,
    sources,
    missing,
    ...(request.withheld?.length ? { withheld: request.withheld } : {}),
    now,
    ...(process.env.DSAR_EXPORTS_SSE ? { sse: process.env.DSAR_EXPORTS_SSE as 'aws:kms' | 'AES256' } : {}),
  };
}

/**
 * Last, and never failing the step: a retry of Assemble after this point would rebuild the package
 * from staging that is gone. What is left here the staging lifecycle rule (or the local sweep) removes.
 */
export async function removeStaging(ctx: StoreContext, requestId: string): Promise<void> {
  try {
    const objects = await deleteStaging(ctx.s3, ctx.stagingBucket(), requestId);
    await ctx.repo.audit(requestId, 'system', 'staging.deleted', { objects });
  } catch (err) {
    logger.warn('staging not deleted after assembly; the lifecycle rule will', { requestId, error: (err as Error).name });
  }
}
