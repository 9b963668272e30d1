/**
 * MatchPartner: after verification, before review. Recognises a resale partner's end user (processor
 * mode, ../partners/match.ts) and marks the request, so the review that follows is staff's, whatever the
 * review configuration says: staff forward the request to the partner or, on the partner's instruction
 * or when the subject is not the partner's customer after all, review it as usual.
 *
 * The account attribute is read through the connector's own lookup (the same one collection uses, with
 * the verified address): nothing leaves the company, and only the partner's id is kept.
 */
import type { AppContext } from '../context.ts';
import { matchPartner, type AttributeLookup } from '../partners/match.ts';
import type { RequestRecord } from '../requests/model.ts';

export interface PartnerStepResult {
  matched: boolean;
  partnerId?: string;
}

/** Reads an attribute of the request's subject in a connector (the registry's identifier lookup). */
export type SubjectAttributeLookup = (request: RequestRecord) => AttributeLookup;

export async function matchPartnerStep(ctx: AppContext, lookup: SubjectAttributeLookup, requestId: string): Promise<PartnerStepResult> {
  const { repo, config, clock } = ctx;
  const request = await repo.get(requestId);
  // Matched already (a retried step, or a staff decision since): the mark on record is the answer.
  if (request.partner) return { matched: true, partnerId: request.partner.id };
  if (config.partners.length === 0) return { matched: false };
  const match = await matchPartner(config, request.subject.email, lookup(request));
  if (!match) return { matched: false };
  const { partner, by } = match;
  // Only while verified and not yet reviewed; a request cancelled meanwhile stays as it is.
  await repo.update(requestId, { partner: { id: partner.id, name: partner.name, contactEmail: partner.contact.email, by, at: clock.now().toISOString() } }, { onlyIf: ['awaiting_review'], absent: ['partner'] });
  await repo.audit(requestId, 'system', 'partner.matched', { partnerId: partner.id, by });
  return { matched: true, partnerId: partner.id };
}
