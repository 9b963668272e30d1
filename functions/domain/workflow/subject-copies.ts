/**
 * An erasure also removes the copies of the subject's data that our own earlier requests made: the
 * staged records and the ZIP packages of her access and portability requests, and what she wrote to us
 * on them (the text of `subject.message` audit events). They are found through
 * the by-subject index (the hash of the normalised email). Only closed requests are touched: an open
 * one is still being answered, and its own steps delete its staging when its package is built. The
 * request records themselves stay (they are the evidence that the requests were answered, and the
 * retention sweep hashes their subject fields in time).
 */
import { CLOSED_STATUSES, type RequestRecord } from '../requests/model.ts';
import type { AppContext } from '../context.ts';
import { deleteKeys, deletePrefix, deleteStaging } from '../staging/cleanup.ts';

export interface SubjectCopiesDeleted {
  /** The earlier requests whose copies were looked at. */
  requests: string[];
  stagedObjects: number;
  packageObjects: number;
  /** The earlier requests whose package was deleted: their download links no longer work. */
  packagesDeleted: string[];
  /** The earlier requests whose agent's signed permission was deleted from the documents bucket. */
  agentPermissionsDeleted: string[];
}

export async function deleteSubjectCopies(ctx: AppContext, erasure: RequestRecord): Promise<SubjectCopiesDeleted> {
  const { repo, s3, clock } = ctx;
  const earlier = (await repo.bySubject(erasure.subjectHash)).filter(
    (r) => r.requestId !== erasure.requestId && CLOSED_STATUSES.has(r.status),
  );
  const now = clock.now().toISOString();
  let stagedObjects = 0;
  let packageObjects = 0;
  const packagesDeleted: string[] = [];
  const agentPermissionsDeleted: string[] = [];
  for (const r of earlier) {
    const staged = await deleteStaging(s3, ctx.stagingBucket(), r.requestId);
    const packaged = await deletePrefix(s3, ctx.exportsBucket(), `exports/${r.requestId}/`);
    stagedObjects += staged;
    packageObjects += packaged;
    if (packaged > 0) packagesDeleted.push(r.requestId);
    // The link must answer "gone" (410) rather than redirect to an object that no longer exists, and say
    // why: the subject's own erasure, not the link's age.
    const download = await repo.download(r.requestId);
    if (download && Date.parse(download.expiresAt) > Date.parse(now)) {
      const { pk: _pk, sk: _sk, ...item } = download;
      await repo.putDownload({ ...item, expiresAt: now, deletedFor: 'erasure' });
    }
    if (r.package && Date.parse(r.package.expiresAt) > Date.parse(now)) {
      await repo.update(r.requestId, { package: { ...r.package, expiresAt: now } });
    }
    if (staged + packaged > 0) {
      await repo.audit(r.requestId, 'system', 'package.deleted', { reason: 'erasure', erasureRequestId: erasure.requestId, staged, packaged });
    }
    // What the subject wrote to us on that request is her data too.
    await repo.forgetSubjectMessages(r.requestId, clock.now());
    // So is the signed permission an agent gave for her (an ID, a signature): the document goes, its
    // size and hash stay on the record as evidence of what was given. Deleting twice is harmless.
    const permission = r.agent?.permission;
    if (permission && !permission.deletedFor) {
      // Not through agents/permission.ts: that module checks uploads (file-type) and would weigh on this bundle.
      if (!ctx.documentsBucket) throw new Error('this function has no documents bucket (DSAR_DOCUMENTS_BUCKET)');
      await deleteKeys(s3, ctx.documentsBucket(), [permission.key]);
      const deletedFor = { reason: 'erasure' as const, erasureRequestId: erasure.requestId, at: now };
      await repo.update(r.requestId, { agent: { ...r.agent!, permission: { ...permission, deletedFor } } });
      await repo.audit(r.requestId, 'system', 'agent.permission_deleted', { reason: 'erasure', erasureRequestId: erasure.requestId });
      agentPermissionsDeleted.push(r.requestId);
    }
  }
  await repo.audit(erasure.requestId, 'system', 'erasure.earlier_copies_deleted', {
    requests: earlier.map((r) => r.requestId),
    stagedObjects,
    packageObjects,
    agentPermissions: agentPermissionsDeleted.length,
  });
  return { requests: earlier.map((r) => r.requestId), stagedObjects, packageObjects, packagesDeleted, agentPermissionsDeleted };
}
