/**
 * The one step between verification and review (state MatchPartner, issue 18): recognise a resale
 * partner's end user (./match-partner.ts), then, for a request staff will review, the preview of what
 * approval will touch (./preview.ts). Both read connectors with the verified address and need the same
 * grants; one state instead of two saves a transition per request.
 *
 * The preview stays an aid that never holds up the review: any failure of it is caught here and the
 * step goes on without counts (`previewSkipped`), as the separate state's Catch into AwaitReview did.
 * A partner's end user is forwarded or reviewed by staff without a preview, and an automatically
 * approved request skips it: nobody would read it before the work starts.
 */
import { reviewMode } from '#commons/config';
import { logger } from '#commons/observability';
import type { ConnectorRegistry } from '#connectors/registry';
import type { AppContext } from '../context.ts';
import { matchPartnerStep, type PartnerStepResult, type SubjectAttributeLookup } from './match-partner.ts';
import { previewCounts, type PreviewOptions } from './preview.ts';

export interface BeforeReviewResult extends PartnerStepResult {
  /** The stored preview's summary (the counts themselves are on their own item). */
  preview?: { recorded: boolean; records: number; failed: string[] };
  /** Why there is no preview: the error's type only, never its message (it may name the subject). */
  previewSkipped?: { Error: string };
}

export async function beforeReview(
  ctx: AppContext,
  registry: ConnectorRegistry,
  lookup: SubjectAttributeLookup,
  requestId: string,
  options: PreviewOptions = {},
): Promise<BeforeReviewResult> {
  const partner = await matchPartnerStep(ctx, lookup, requestId);
  if (partner.matched) return partner;
  const request = await ctx.repo.get(requestId);
  if (reviewMode(ctx.config, request.type, request.jurisdiction) === 'auto') return partner;
  try {
    return { ...partner, preview: await previewCounts(ctx, registry, requestId, options) };
  } catch (err) {
    const type = (err as Error).name || 'Error';
    logger.warn('preview skipped; the review goes on without it', { requestId, error: type });
    return { ...partner, previewSkipped: { Error: type } };
  }
}
