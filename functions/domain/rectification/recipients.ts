/**
 * Art. 19 for a rectification: the recipients configured for the systems where something was corrected
 * are told through the one Art. 19 mechanism (../art19/recipients.ts), by mail where the configuration
 * has an address, else by a task for staff; a recipient whose own system was corrected through its API
 * was told by the correction itself. A rectification that corrected nothing tells nobody.
 */
import type { AppContext } from '../context.ts';
import { recipientsOfSystems, tellRecipients } from '../art19/recipients.ts';
import type { RequestRecord } from '../requests/model.ts';
import { correctedSystems } from './corrected.ts';

/**
 * Tells the recipients once, and keeps on the request who was told (`art19.rectification`: a retried
 * close finds it and tells nobody again). Returns the request as it now stands.
 */
export async function tellRectificationRecipients(ctx: AppContext, request: RequestRecord): Promise<RequestRecord> {
  if (request.art19?.rectification) return request;
  // Every correction is written through the system's own API (../workflow/rectify.ts).
  const corrected = correctedSystems(request);
  const outcome = await tellRecipients(ctx, request, 'rectification', recipientsOfSystems(ctx.config, corrected), corrected);
  return ctx.repo.update(request.requestId, { art19: { ...request.art19, rectification: outcome } });
}
