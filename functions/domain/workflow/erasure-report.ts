/**
 * The end of an erasure: the report of what was deleted, anonymized and retained (with basis and
 * period), which recipients were told (GDPR Art. 19), and what staff accepted as not erased. It holds
 * counts only; the erased data is not kept anywhere: the request's staging data is deleted, and so are
 * the staging data and packages of the subject's earlier requests.
 *
 * Art. 19 covers every recipient in the configuration, not only those we can reach automatically: each
 * one is either told (through the erasure call to its system, or by email to its `notifyEmail`), left
 * for staff to tell (no address, or the email failed: on the audit trail as
 * `erasure.recipients_outstanding`), or had nothing to be told because nothing of the subject's was
 * erased in its system (or, when the erasure erased nothing at all, in any system). Mailing a recipient
 * and its follow-up task are the one Art. 19 mechanism in ../art19/recipients.ts.
 */
import { connectorName, enabledConnectors } from '#commons/config';
import { connectorsOf, mailRecipient } from '../art19/recipients.ts';
import { deleteStaging } from '../staging/cleanup.ts';
import { deleteSubjectCopies } from './subject-copies.ts';
import { rechecksFor } from '../erasure-recheck/index.ts';
import type { AppContext } from '../context.ts';
import type { ErasureReport, RequestRecord } from '../requests/model.ts';

/** A configured recipient the erasure did not tell by itself. */
export type RecipientNotTold = NonNullable<ErasureReport['recipientsNotTold']>[number];

/** The report as built now: every configured recipient is accounted for (Art. 19). */
export type ErasureReportWithRecipients = ErasureReport & { recipientsNotTold: RecipientNotTold[] };

export async function buildErasureReport(ctx: AppContext, request: RequestRecord): Promise<ErasureReportWithRecipients> {
  const { config, clock } = ctx;
  const completedAt = clock.now().toISOString();
  const outcomes = request.connectors ?? {};
  const confirmation = request.erasureConfirmation?.connectors ?? {};
  const systems: ErasureReport['systems'] = [];
  const recipientsNotified: ErasureReport['recipientsNotified'] = [];
  const notErased: ErasureReport['notErased'] = [];
  const recipientsNotTold: RecipientNotTold[] = [];
  /** Display names of the SaaS systems the erasure reached through their API, and of those it only looked at. */
  const toldByApi = new Set<string>();
  const untouched = new Set<string>();

  // The record keeps the English names staff read; the subject's report says them in the subject's
  // language when it is shown (subject-report.ts).
  const nameOf = (id: string) => connectorName(config, id);
  for (const c of enabledConnectors(config)) {
    const outcome = outcomes[c.id];
    if (!outcome) continue;
    if (outcome.status === 'accepted_missing') {
      notErased.push({ connectorId: c.id, displayName: nameOf(c.id), reason: request.partialAcceptance?.reason ?? 'accepted by staff' });
      continue;
    }
    const check = confirmation[c.id];
    systems.push({
      connectorId: c.id,
      displayName: nameOf(c.id),
      items: outcome.erasure ?? [],
      confirmed: check?.verifiable === false ? 'not_verifiable' : Boolean(check && !check.error && Object.keys(check.residual).length === 0),
    });
    // A processor's system erased through its API has been told by that very call. Records only kept
    // (retain) or not found mean nothing was sent to it, so it was not told.
    const touched = (outcome.erasure ?? []).some((i) => (i.action === 'deleted' || i.action === 'anonymized') && i.count > 0);
    // Our own stores (tables, buckets, the product database) are not recipients: nobody else is told there.
    if (c.kind !== 'dynamodb' && c.kind !== 's3' && c.kind !== 'postgres') {
      if (touched) {
        recipientsNotified.push({ name: nameOf(c.id), how: 'erasure_api', at: outcome.finishedAt ?? completedAt });
        toldByApi.add(nameOf(c.id));
      } else {
        untouched.add(nameOf(c.id));
      }
    }
  }

  // Nothing of the subject's was erased anywhere (nothing found, or only kept records): there is no
  // erasure to pass on to any recipient (Art. 19 concerns the erasure that was carried out).
  // A system staff accepted as not erased may have had part of its erasure done before it failed: it
  // counts as possibly erased, so recipients are not told there was nothing to pass on.
  const erasedAnything =
    notErased.length > 0 || systems.some((s) => s.items.some((i) => (i.action === 'deleted' || i.action === 'anonymized') && i.count > 0));
  for (const recipient of config.privacyNotice.recipients) {
    const own = connectorsOf(recipient, enabledConnectors(config).map((c) => nameOf(c.id)));
    const linked = own.length ? { systems: own } : {};
    if (!erasedAnything) {
      recipientsNotTold.push({ name: recipient.name, reason: 'nothing_erased', ...linked });
      continue;
    }
    if (recipient.notifyEmail) {
      // Not told (the mail failed) is not reported as told: it falls through to the staff's list below.
      if (await mailRecipient(ctx, request, recipient, 'erasure', completedAt)) {
        recipientsNotified.push({ name: recipient.name, how: 'email', at: clock.now().toISOString() });
        continue;
      }
    } else {
      const systems = own;
      // Its system was erased through its API: that call told it (it is listed by the system's name).
      if (systems.some((d) => toldByApi.has(d))) continue;
      // Its systems held nothing we erased (only not found or kept records): there is no erasure to pass on.
      if (systems.length > 0 && systems.every((d) => untouched.has(d))) {
        recipientsNotTold.push({ name: recipient.name, reason: 'nothing_erased', ...linked });
        continue;
      }
    }
    recipientsNotTold.push({ name: recipient.name, reason: 'staff', ...linked });
  }
  return { completedAt, systems, recipientsNotified, notErased, recipientsNotTold };
}

export async function closeErasure(ctx: AppContext, request: RequestRecord): Promise<ErasureReport> {
  // The copies go first: they are safe to delete twice, and a failure here must come before any
  // recipient was mailed, so a retried step does not mail them again.
  await deleteStaging(ctx.s3, ctx.stagingBucket(), request.requestId);
  const copies = await deleteSubjectCopies(ctx, request);
  const built = await buildErasureReport(ctx, request);
  // The subject's earlier download links now answer that the package is gone: the report says why.
  const withCopies = {
    ...built,
    ...(copies.packagesDeleted.length ? { earlierPackagesDeleted: copies.packagesDeleted.length } : {}),
    ...(copies.agentPermissionsDeleted.length ? { earlierAgentPermissionsDeleted: copies.agentPermissionsDeleted.length } : {}),
  };
  // The suppression list is not erased (an objection binds after the data is gone): the subject is told
  // what stays, a hash of the address and since when, rather than reading "everything was erased".
  const suppressed = await ctx.suppressions.get(request.subjectHash);
  const report = suppressed ? { ...withCopies, suppressionKept: { since: suppressed.since } } : withCopies;
  const outstanding = report.recipientsNotTold.filter((r) => r.reason === 'staff').map((r) => r.name);
  if (outstanding.length) {
    // What staff still owe under Art. 19, in the request's audit trail where the console shows it.
    await ctx.repo.audit(request.requestId, 'system', 'erasure.recipients_outstanding', { recipients: outstanding });
  }
  // Deletions the vendor completes later are read back again after its window (../erasure-recheck). Due
  // from the read-back's time, which a retried close finds unchanged, so a retry writes the same keys.
  for (const recheck of rechecksFor(request, request.erasureConfirmation?.at ?? report.completedAt)) await ctx.repo.scheduleErasureRecheck(recheck);
  await ctx.repo.update(request.requestId, { erasureReport: report });
  await ctx.repo.audit(request.requestId, 'system', 'erasure.reported', {
    recipientsNotified: report.recipientsNotified.map((r) => r.name),
    notErased: report.notErased.map((n) => n.connectorId),
  });
  return report;
}
