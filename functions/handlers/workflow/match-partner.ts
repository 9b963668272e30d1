import { ConnectorRegistry } from '#connectors/registry';
import { appContext } from '#domain/context';
import { subjectOf } from '#domain/workflow/collect';
import { matchPartnerStep } from '#domain/workflow/match-partner';
import { requestIdInput, workflowHandler } from './steps.ts';

let registry: ConnectorRegistry | undefined;

export const handler = workflowHandler(requestIdInput, ({ requestId }) => {
  const ctx = appContext();
  const connectors = (registry ??= new ConnectorRegistry(ctx.config));
  return matchPartnerStep(ctx, (request) => (connectorId, attribute) => connectors.identifier(subjectOf(request), connectorId, attribute, { requestId }), requestId);
});
