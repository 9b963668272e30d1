/** MatchPartner: a resale partner's end user, then the preview for a request staff review (before-review.ts). */
import { ConnectorRegistry } from '#connectors/registry';
import { appContext } from '#domain/context';
import { subjectOf } from '#domain/workflow/collect';
import { beforeReview } from '#domain/workflow/before-review';
import { requestIdInput, workflowHandler } from './steps.ts';

let registry: ConnectorRegistry | undefined;

export const handler = workflowHandler(requestIdInput, ({ requestId }) => {
  const ctx = appContext();
  const connectors = (registry ??= new ConnectorRegistry(ctx.config));
  return beforeReview(ctx, connectors, (request) => (connectorId, attribute) => connectors.identifier(subjectOf(request), connectorId, attribute, { requestId }), requestId);
});
