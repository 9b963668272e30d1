/**
 * Art. 19 for a restriction (Art. 18) and its lifting: the recipients configured for the systems where
 * the pass changed something (marked through the API, or left to staff to mark by hand) are told
 * through the one Art. 19 mechanism (../art19/recipients.ts). The lifting tells the recipients that were
 * told of the restriction, so nobody hears of a lifting without having heard of the restriction, and
 * everybody who did hears that it ended.
 */
import type { AppContext } from '../context.ts';
import { recipientsOfSystems, tellRecipients, type Art19Action, type Art19Outcome, type Recipient } from '../art19/recipients.ts';
import type { RequestRecord } from '../requests/model.ts';
import { markedThroughApi, restrictionChanged, type RestrictionPhase } from './model.ts';

export const ART19_ACTION: Record<RestrictionPhase, Art19Action> = { set: 'restriction', lift: 'restriction_lifted' };

/** The systems (connector ids) where this pass marked (or lifted) records, or left them to staff by hand. */
export function changedSystems(r: Pick<RequestRecord, 'connectors'>): string[] {
  return Object.values(r.connectors ?? {})
    .filter(restrictionChanged)
    .map((o) => o.connectorId);
}

/** The systems where the pass was made through the system's own API (a recipient's own system is told by it). */
function markedByApi(r: Pick<RequestRecord, 'connectors'>): string[] {
  return Object.values(r.connectors ?? {})
    .filter(markedThroughApi)
    .map((o) => o.connectorId);
}

function concerned(ctx: AppContext, r: RequestRecord, phase: RestrictionPhase): Recipient[] {
  const told = phase === 'lift' ? r.art19?.restriction : undefined;
  if (told) {
    const names = new Set([...told.notified, ...told.byStaff].map((x) => x.name));
    return ctx.config.privacyNotice.recipients.filter((x) => names.has(x.name));
  }
  return recipientsOfSystems(ctx.config, changedSystems(r));
}

/**
 * Tells the recipients of this pass once, and keeps on the request who was told (a retried step finds
 * it and tells nobody again). Returns the request as it now stands.
 */
export async function tellRestrictionRecipients(ctx: AppContext, request: RequestRecord, phase: RestrictionPhase): Promise<RequestRecord> {
  const action = ART19_ACTION[phase];
  if (request.art19?.[action]) return request;
  const outcome: Art19Outcome = await tellRecipients(ctx, request, action, concerned(ctx, request, phase), markedByApi(request));
  return ctx.repo.update(request.requestId, { art19: { ...request.art19, [action]: outcome } });
}
