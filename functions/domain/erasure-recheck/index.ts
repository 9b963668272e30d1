/**
 * Deletions a vendor completes on its own schedule (HubSpot's GDPR delete, Google Analytics' user
 * deletion) are reported to the subject as "submitted; the vendor completes it within N days". The
 * read-back right after the erasure cannot prove them, so closing the erasure owes one re-check per
 * such connector, due when the vendor's longest documented window has passed (plus a margin); this job
 * reads that connector back for the subject then, puts `erasure.rechecked` on the audit trail, and
 * tells staff (never the subject) when the records are still there.
 */
import { connectorName, enabledConnectors } from '#commons/config';
import { logger } from '#commons/observability';
import { policyFor } from '#connectors/policy';
import type { ConnectorRegistry } from '#connectors/registry';
import { links, type AppContext } from '../context.ts';
import { erasureRecheckDigest, type RecheckLine } from '../notifications/staff-mails.ts';
import type { ErasureRecheckItem, RequestRecord } from '../requests/model.ts';
import { subjectOf } from '../workflow/collect.ts';

/** Days after the vendor's window before reading back: its clock starts when it received the call, not when we closed. */
export const RECHECK_MARGIN_DAYS = 3;

const DAY_MS = 86_400_000;

/** The re-checks a closing erasure owes: one per connector with a submitted deletion, due after its longest window. */
export function rechecksFor(request: RequestRecord, closedAt: string): Array<Omit<ErasureRecheckItem, 'pk' | 'sk'>> {
  const owed: Array<Omit<ErasureRecheckItem, 'pk' | 'sk'>> = [];
  for (const [connectorId, outcome] of Object.entries(request.connectors ?? {})) {
    // Staff accepted it as not erased, or it cannot be read back per person (Google Analytics): nothing to check.
    if (outcome.status === 'accepted_missing' || request.erasureConfirmation?.connectors[connectorId]?.verifiable === false) continue;
    const objects = (outcome.erasure ?? [])
      .filter((i) => i.completion && i.count > 0)
      .map((i) => ({ object: i.object, vendor: i.completion!.vendor, withinDays: i.completion!.withinDays }));
    if (!objects.length) continue;
    const days = Math.max(...objects.map((o) => o.withinDays)) + RECHECK_MARGIN_DAYS;
    owed.push({ requestId: request.requestId, connectorId, dueAt: new Date(Date.parse(closedAt) + days * DAY_MS).toISOString(), objects });
  }
  return owed;
}

export interface RecheckSummary {
  now: string;
  due: number;
  confirmed: number;
  stillFound: number;
  /** Read-backs that failed or could not run (connector gone, subject fields already purged). */
  notChecked: number;
  /** Re-checks another run finished first. */
  skipped: number;
  staffTold: boolean;
}

type Outcome = { outcome: 'confirmed' } | { outcome: 'still_found'; residual: Record<string, number> } | { outcome: 'not_checked'; reason: string };

async function readBack(ctx: AppContext, registry: ConnectorRegistry, item: ErasureRecheckItem): Promise<Outcome> {
  const request = await ctx.repo.find(item.requestId);
  if (!request) return { outcome: 'not_checked', reason: 'request no longer exists' };
  // Past the records policy the subject's address is a hash: there is nobody left to look up.
  if (request.subjectPurgedAt) return { outcome: 'not_checked', reason: 'subject fields already purged' };
  const config = enabledConnectors(ctx.config).find((c) => c.id === item.connectorId);
  if (!config) return { outcome: 'not_checked', reason: 'connector no longer enabled' };
  const connector = registry.get(config.id);
  if (connector.erasureVerifiable === false) return { outcome: 'not_checked', reason: 'the system cannot be read back per person' };
  const policy = policyFor(config);
  const residual: Record<string, number> = {};
  try {
    for await (const record of connector.access(subjectOf(request), { requestId: item.requestId })) {
      if (policy(record.object).action !== 'retain') residual[record.object] = (residual[record.object] ?? 0) + 1;
    }
  } catch (err) {
    return { outcome: 'not_checked', reason: `${(err as Error).name}: ${(err as Error).message}`.slice(0, 500) };
  }
  return Object.keys(residual).length ? { outcome: 'still_found', residual } : { outcome: 'confirmed' };
}

/** Runs the due re-checks at `now` (the context's clock by default). */
export async function recheckErasures(ctx: AppContext, registry: ConnectorRegistry, options: { now?: Date } = {}): Promise<RecheckSummary> {
  const now = (options.now ?? ctx.clock.now()).toISOString();
  const due = await ctx.repo.dueErasureRechecks(now);
  const summary: RecheckSummary = { now, due: due.length, confirmed: 0, stillFound: 0, notChecked: 0, skipped: 0, staffTold: false };
  const lines: RecheckLine[] = [];
  const toGiveBack: ErasureRecheckItem[] = [];
  const consoleLink = links(ctx.config).console;
  for (const item of due) {
    const result = await readBack(ctx, registry, item);
    // Claimed after the read, before anything is written: of two overlapping runs, one audits and mails.
    if (!(await ctx.repo.finishErasureRecheck(item))) {
      summary.skipped++;
      continue;
    }
    await ctx.repo.audit(item.requestId, 'system', 'erasure.rechecked', { connectorId: item.connectorId, dueAt: item.dueAt, ...result }, new Date(now));
    if (result.outcome === 'confirmed') {
      summary.confirmed++;
      continue;
    }
    if (result.outcome === 'still_found') summary.stillFound++;
    else summary.notChecked++;
    logger.warn('erasure re-check not confirmed', { requestId: item.requestId, connectorId: item.connectorId, outcome: result.outcome });
    const displayName = connectorName(ctx.config, item.connectorId);
    lines.push({
      requestId: item.requestId,
      system: displayName,
      windows: item.objects,
      ...(result.outcome === 'still_found' ? { residual: result.residual } : { reason: result.reason }),
      consoleUrl: consoleLink(item.requestId),
    });
    toGiveBack.push(item);
  }
  if (lines.length) {
    try {
      await ctx.mailer.send(ctx.config.email.staff, erasureRecheckDigest(ctx.config, lines), {});
      summary.staffTold = true;
    } catch (err) {
      // Staff must hear of it: the re-checks go back, so the next run reads back and tells them again.
      for (const item of toGiveBack) await ctx.repo.scheduleErasureRecheck({ requestId: item.requestId, connectorId: item.connectorId, dueAt: item.dueAt, objects: item.objects });
      throw err;
    }
  }
  return summary;
}
