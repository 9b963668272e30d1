/** Discover: the whole preview before review in one step (plan, count with every connector at once, store). */
import { ConnectorRegistry } from '#connectors/registry';
import { appContext } from '#domain/context';
import { previewCounts } from '#domain/workflow/preview';
import { requestIdInput, workflowHandler } from './steps.ts';

let registry: ConnectorRegistry | undefined;

export const handler = workflowHandler(requestIdInput, ({ requestId }) => {
  const ctx = appContext();
  registry ??= new ConnectorRegistry(ctx.config);
  return previewCounts(ctx, registry, requestId);
});
