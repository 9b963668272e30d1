import * as z from 'zod/mini';
import '#commons/zod';
import { ConnectorRegistry } from '#connectors/registry';
import { appContext } from '#domain/context';
import { discoverWithConnector } from '#domain/workflow/discover';
import { workflowHandler } from './steps.ts';

const input = z.object({ requestId: z.string().check(z.minLength(1)), connectorId: z.string().check(z.minLength(1)) });

let registry: ConnectorRegistry | undefined;

export const handler = workflowHandler(input, ({ requestId, connectorId }) => {
  const ctx = appContext();
  registry ??= new ConnectorRegistry(ctx.config);
  return discoverWithConnector(ctx, registry, requestId, connectorId);
});
