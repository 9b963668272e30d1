import { z } from 'zod';
import { ConnectorRegistry } from '#connectors/registry';
import { appContext } from '#domain/context';
import { collect } from '#domain/workflow/collect';
import { workflowHandler } from './steps.ts';

// The throttle counters come back from the Map's Wait loop; the first run has none.
const input = z.object({
  requestId: z.string().min(1),
  connectorId: z.string().min(1),
  throttleWaits: z.number().int().nonnegative().optional(),
  waitedSeconds: z.number().nonnegative().optional(),
});

let registry: ConnectorRegistry | undefined;

export const handler = workflowHandler(input, ({ requestId, connectorId, throttleWaits, waitedSeconds }) => {
  const ctx = appContext();
  registry ??= new ConnectorRegistry(ctx.config);
  return collect(ctx, registry, requestId, connectorId, { throttleWaits, waitedSeconds });
});
