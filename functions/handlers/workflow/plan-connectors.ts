import * as z from 'zod/mini';
import '#commons/zod';
import { ConnectorRegistry } from '#connectors/registry';
import { appContext } from '#domain/context';
import { planConnectors, withWorkers } from '#domain/workflow/plan';
import { workflowHandler } from './steps.ts';

// The two functions the Map may invoke, from the definition (statemachines/dsar.asl.json).
const input = z.object({
  requestId: z.string().check(z.minLength(1)),
  workers: z.object({ collect: z.string().check(z.minLength(1)), act: z.string().check(z.minLength(1)) }),
});

let registry: ConnectorRegistry | undefined;

export const handler = workflowHandler(input, async ({ requestId, workers }) => {
  const ctx = appContext();
  registry ??= new ConnectorRegistry(ctx.config);
  return withWorkers(await planConnectors(ctx, registry, requestId), workers);
});
