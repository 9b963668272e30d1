/**
 * Release after staff review (issue 15, item 8). With `release: staff` the workflow waits after Assemble
 * (AwaitRelease, TaskKind `release`, status `awaiting_release`) with the staged records kept. Staff see
 * what the package holds (systems, objects, counts, a paged preview of records), withhold an object, a
 * record or a field with a reason (GDPR Art. 15(4) and 20(4): others' rights; staff's private remarks;
 * legal privilege; another reason explained to the subject), and release it. Each withholding rebuilds
 * the package from staging at once, so the review link shows what the subject would get; the release
 * hands the package back to the workflow, whose Assemble builds it one last time (fresh, so its link
 * lives its full time whatever the wait) and deletes the staged records, then NotifySubject sends it.
 * Every call is attributed on the audit trail; the handler checks the approver role. The release itself
 * is a staff action like approve (release.ts, served by admin-act): this module stays out of that bundle.
 */
import { randomUUID } from 'node:crypto';
import { connectorName } from '#commons/config';
import { badRequest, conflict } from '#commons/errors';
import type { StoreContext } from '../store-context.ts';
import { assemblePackage } from '../package/assemble.ts';
import { flatten, cellText } from '../package/flatten.ts';
import { RecordFilter, connectorConfig, objectMeta } from '../package/view.ts';
import type { PackageType } from '../package/types.ts';
import { readStaged } from '../staging/reader.ts';
import { StateConflict } from '../requests/repository.ts';
import type { RequestRecord, Withholding } from '../requests/model.ts';
import { packageInput } from '../workflow/assemble.ts';

/** A rebuild lock older than this belongs to a call that died (an API function runs for seconds). */
const STALE_BUILD_MS = 15 * 60_000;
/** Records per preview page at most. */
export const PREVIEW_LIMIT = 50;

/** What staff name to withhold: a Withholding before it gets its id and attribution. */
export type WithholdInput = Omit<Withholding, 'id' | 'by' | 'at'>;

export interface PreviewQuery {
  connector?: string;
  object?: string;
  offset?: number;
  limit?: number;
}

export interface PackageContents {
  requestId: string;
  status: RequestRecord['status'];
  systems: Array<{
    connectorId: string;
    displayName: string;
    objects: Array<{ object: string; count: number; withheld: boolean }>;
  }>;
  withheld: Withholding[];
  release?: { by: string; at: string };
  preview?: {
    connectorId: string;
    object: string;
    offset: number;
    limit: number;
    /** Records of the object the package would hold before anything is withheld. */
    total: number;
    /** The fields (dotted paths) of the records on this page, in order of first appearance. */
    fields: string[];
    records: Array<{ id: string; withheld: boolean; withheldFields: string[]; fields: Record<string, string> }>;
  };
}

function awaitingRelease(r: RequestRecord): void {
  if (r.status !== 'awaiting_release') {
    throw conflict('wrong_state', `request ${r.requestId} is ${r.status}: only a package awaiting release can be looked into or changed`);
  }
}

function stagedObject(r: RequestRecord, connectorId: string, object: string): { stagingKey: string; count: number } {
  const outcome = r.connectors?.[connectorId];
  const stagingKey = outcome?.status === 'succeeded' ? outcome.stagingKeys[object] : undefined;
  if (!outcome || !stagingKey) throw badRequest('unknown_object', `the package has no object ${object} from ${connectorId}`);
  return { stagingKey, count: outcome.objects[object] ?? 0 };
}

function systemsOf(ctx: StoreContext, r: RequestRecord): PackageContents['systems'] {
  const withheld = r.withheld ?? [];
  return Object.values(r.connectors ?? {})
    .filter((o) => o.status === 'succeeded')
    .map((o) => ({
      connectorId: o.connectorId,
      displayName: connectorName(ctx.config, o.connectorId),
      objects: Object.keys(o.stagingKeys).map((object) => ({
        object,
        count: o.objects[object] ?? 0,
        withheld: withheld.some((w) => w.connectorId === o.connectorId && w.object === object && w.recordId === undefined && w.field === undefined),
      })),
    }));
}

/** The records of a staged object as the package would hold them, before anything is withheld. */
async function* packageRecords(ctx: StoreContext, r: RequestRecord, connectorId: string, object: string) {
  const { stagingKey } = stagedObject(r, connectorId, object);
  const displayName = connectorName(ctx.config, connectorId);
  const filter = new RecordFilter(objectMeta(connectorConfig(ctx.config, connectorId), displayName, object), r.type as PackageType);
  for await (const record of readStaged(ctx.s3, ctx.stagingBucket(), stagingKey)) {
    const view = filter.apply(record);
    if (view) yield view;
  }
}

/**
 * What the package holds, per system and object, what is withheld, and with `connector` and `object` a
 * page of that object's records. Reading records discloses the subject's data: each page read is audited
 * with the staff member (`package.previewed`).
 */
export async function packageContents(ctx: StoreContext, requestId: string, staffId: string, query: PreviewQuery = {}): Promise<PackageContents> {
  const r = await ctx.repo.get(requestId);
  awaitingRelease(r);
  const out: PackageContents = { requestId, status: r.status, systems: systemsOf(ctx, r), withheld: r.withheld ?? [] };
  if (!query.connector && !query.object) return out;
  if (!query.connector || !query.object) throw badRequest('invalid_query', 'a preview names both connector and object');
  const offset = query.offset ?? 0;
  const limit = Math.min(query.limit ?? 20, PREVIEW_LIMIT);
  const parts = (r.withheld ?? []).filter((w) => w.connectorId === query.connector && w.object === query.object);
  const wholeObject = parts.some((w) => w.recordId === undefined && w.field === undefined);
  const fields = new Map<string, true>();
  const records: NonNullable<PackageContents['preview']>['records'] = [];
  let total = 0;
  for await (const view of packageRecords(ctx, r, query.connector, query.object)) {
    if (total >= offset && records.length < limit) {
      const cells: Record<string, string> = {};
      flatten(view.data, (path, value) => {
        fields.set(path, true);
        cells[path] = cellText(value);
      });
      records.push({
        id: view.id,
        withheld: wholeObject || parts.some((w) => w.recordId === view.id && w.field === undefined),
        withheldFields: parts.filter((w) => w.field !== undefined && (w.recordId === undefined || w.recordId === view.id)).map((w) => w.field!),
        fields: cells,
      });
    }
    total += 1;
  }
  out.preview = { connectorId: query.connector, object: query.object, offset, limit, total, fields: [...fields.keys()], records };
  await ctx.repo.audit(requestId, staffId, 'package.previewed', { connectorId: query.connector, object: query.object, offset, records: records.length });
  return out;
}

function hasPath(data: Record<string, unknown>, path: string): boolean {
  let node: unknown = data;
  for (const part of path.split('.')) {
    if (node === null || typeof node !== 'object' || Array.isArray(node) || !Object.hasOwn(node, part)) return false;
    node = (node as Record<string, unknown>)[part];
  }
  return true;
}

/** A withholding must name something the package holds: a 400 rather than a reason on record for nothing. */
async function checkPart(ctx: StoreContext, r: RequestRecord, part: WithholdInput): Promise<void> {
  stagedObject(r, part.connectorId, part.object);
  if (part.recordId === undefined && part.field === undefined) return;
  let recordFound = part.recordId === undefined;
  let fieldFound = part.field === undefined;
  for await (const view of packageRecords(ctx, r, part.connectorId, part.object)) {
    if (part.recordId !== undefined && view.id !== part.recordId) continue;
    recordFound = true;
    if (part.field !== undefined && hasPath(view.data, part.field)) fieldFound = true;
    if (fieldFound) break;
  }
  if (!recordFound) throw badRequest('unknown_record', `${part.connectorId} ${part.object} has no record ${part.recordId} in this package`);
  if (!fieldFound) throw badRequest('unknown_field', `no record of ${part.connectorId} ${part.object}${part.recordId ? ` ${part.recordId}` : ''} in this package has the field ${part.field}`);
}

function samePart(a: WithholdInput, b: WithholdInput): boolean {
  return a.connectorId === b.connectorId && a.object === b.object && a.recordId === b.recordId && a.field === b.field;
}

/**
 * Withholds a part of the package with a reason, and rebuilds the package from staging without it.
 * One withholding at a time per request (a conditional lock, `packageBuild`): a concurrent one answers
 * 409 `busy`. If the rebuild fails the withholding is taken back, so the record never lists a
 * withholding the package does not have. Withholding the same part again changes nothing.
 */
export async function withhold(ctx: StoreContext, requestId: string, actor: string, part: WithholdInput): Promise<PackageContents> {
  if (part.reason === 'other' && !part.note?.trim()) throw badRequest('note_required', 'withholding for another reason needs a note that explains it to the subject');
  const before = await ctx.repo.get(requestId);
  awaitingRelease(before);
  await checkPart(ctx, before, part);
  if ((before.withheld ?? []).some((w) => samePart(w, part))) return packageContents(ctx, requestId, actor);

  const now = ctx.clock.now();
  const lock = { id: randomUUID(), at: now.toISOString() };
  const stale = before.packageBuild && now.getTime() - Date.parse(before.packageBuild.at) > STALE_BUILD_MS;
  try {
    await ctx.repo.update(requestId, { packageBuild: lock }, {
      onlyIf: ['awaiting_release'],
      ...(stale ? { match: { 'packageBuild.id': before.packageBuild!.id } } : { absent: ['packageBuild'] }),
    });
  } catch (err) {
    if (err instanceof StateConflict) throw conflict('busy', `another change to the package of request ${requestId} is being applied, or it was released; try again in a moment`);
    throw err;
  }
  const locked = { 'packageBuild.id': lock.id };
  // Read again under the lock: another withholding may have finished since the first read.
  const current = await ctx.repo.get(requestId);
  const previous = current.withheld ?? [];
  const entry: Withholding = {
    id: randomUUID(),
    connectorId: part.connectorId,
    object: part.object,
    ...(part.recordId !== undefined ? { recordId: part.recordId } : {}),
    ...(part.field !== undefined ? { field: part.field } : {}),
    reason: part.reason,
    ...(part.note?.trim() ? { note: part.note.trim() } : {}),
    by: actor,
    at: now.toISOString(),
  };
  const withheld = [...previous, entry];
  try {
    const key = current.package?.key ?? `exports/${requestId}/${current.type}-${requestId}.zip`;
    const result = await assemblePackage(packageInput(ctx, { ...current, withheld }, key, now));
    const expiresAt = new Date(now.getTime() + ctx.config.delivery.linkTtlDays * 86_400_000).toISOString();
    await ctx.repo.update(
      requestId,
      { withheld, package: { key, createdAt: now.toISOString(), expiresAt, bytes: result.bytes } },
      { onlyIf: ['awaiting_release'], match: locked, remove: ['packageBuild'] },
    );
  } catch (err) {
    // Nothing half-written: the lock goes, the list stays as it was (the package on record was built from it,
    // unless the upload itself broke, which the next withholding or the release's own build replaces).
    await ctx.repo.update(requestId, {}, { match: locked, remove: ['packageBuild'] }).catch(() => undefined);
    if (err instanceof StateConflict) throw conflict('wrong_state', `request ${requestId} changed while the package was rebuilt: nothing was withheld`);
    throw err;
  }
  await ctx.repo.audit(requestId, actor, 'package.withheld', {
    withholdingId: entry.id,
    connectorId: entry.connectorId,
    object: entry.object,
    ...(entry.recordId !== undefined ? { recordId: entry.recordId } : {}),
    ...(entry.field !== undefined ? { field: entry.field } : {}),
    reason: entry.reason,
    ...(entry.note ? { note: entry.note } : {}),
  });
  return packageContents(ctx, requestId, actor);
}
