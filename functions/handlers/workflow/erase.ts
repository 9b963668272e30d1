import { z } from 'zod';
import { ConnectorRegistry } from '#connectors/registry';
import { appContext } from '#domain/context';
import { eraseWithConnector } from '#domain/workflow/erase';
import { workflowHandler } from './steps.ts';

const input = z.object({ requestId: z.string().min(1), connectorId: z.string().min(1) });

let registry: ConnectorRegistry | undefined;

export const handler = workflowHandler(input, ({ requestId, connectorId }) => {
  const ctx = appContext();
  registry ??= new ConnectorRegistry(ctx.config);
  return eraseWithConnector(ctx, registry, requestId, connectorId);
});
