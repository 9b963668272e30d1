import { ConnectorRegistry } from '#connectors/registry';
import { appContext } from '#domain/context';
import { confirmErasure } from '#domain/workflow/confirm-erasure';
import { requestIdInput, workflowHandler } from './steps.ts';

let registry: ConnectorRegistry | undefined;

export const handler = workflowHandler(requestIdInput, ({ requestId }) => {
  const ctx = appContext();
  registry ??= new ConnectorRegistry(ctx.config);
  return confirmErasure(ctx, registry, requestId);
});
