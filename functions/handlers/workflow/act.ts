/** ActWithConnector: the act phase for one connector (erase, suppress marketing), dispatched on the request's type. */
import * as z from 'zod/mini';
import '#commons/zod';
import { ConnectorRegistry } from '#connectors/registry';
import { appContext } from '#domain/context';
import { actWithConnector } from '#domain/workflow/act';
import { unlessThrottled } from '#domain/workflow/throttle';
import { workflowHandler } from './steps.ts';

// The throttle counters come back from the Map's wait loop (the VendorThrottled error's message); the first run has none.
const input = z.object({
  requestId: z.string().check(z.minLength(1)),
  connectorId: z.string().check(z.minLength(1)),
  throttleWaits: z.optional(z.number().check(z.int(), z.nonnegative())),
  waitedSeconds: z.optional(z.number().check(z.nonnegative())),
});

let registry: ConnectorRegistry | undefined;

export const handler = workflowHandler(input, async ({ requestId, connectorId, throttleWaits, waitedSeconds }) => {
  const ctx = appContext();
  registry ??= new ConnectorRegistry(ctx.config);
  // A hinted throttle leaves as VendorThrottled: the Map iteration waits it out and runs this step again.
  return unlessThrottled(await actWithConnector(ctx, registry, requestId, connectorId, { throttleWaits, waitedSeconds }));
});
