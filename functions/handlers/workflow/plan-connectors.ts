import { ConnectorRegistry } from '#connectors/registry';
import { appContext } from '#domain/context';
import { planConnectors } from '#domain/workflow/plan';
import { requestIdInput, workflowHandler } from './steps.ts';

let registry: ConnectorRegistry | undefined;

export const handler = workflowHandler(requestIdInput, ({ requestId }) => {
  const ctx = appContext();
  registry ??= new ConnectorRegistry(ctx.config);
  return planConnectors(ctx, registry, requestId);
});
