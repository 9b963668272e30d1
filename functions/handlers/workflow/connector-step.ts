/**
 * The per-connector Map iteration steps (collect, act): one input shape, the registry built once per
 * warm Lambda, and a hinted throttle turned into VendorThrottled. Kept apart from steps.ts so the other
 * workflow Lambdas do not bundle the connector registry.
 */
import * as z from 'zod/mini';
import '#commons/zod';
import { ConnectorRegistry } from '#connectors/registry';
import { appContext, type AppContext } from '#domain/context';
import { unlessThrottled, type ThrottledResult, type ThrottleProgress } from '#domain/workflow/throttle';
import { workflowHandler } from './steps.ts';

// The throttle counters come back from the Map's wait loop (the VendorThrottled error's message); the first run has none.
const input = z.object({
  requestId: z.string().check(z.minLength(1)),
  connectorId: z.string().check(z.minLength(1)),
  throttleWaits: z.optional(z.number().check(z.int(), z.nonnegative())),
  waitedSeconds: z.optional(z.number().check(z.nonnegative())),
});

export function connectorStepHandler<R extends { status: string }>(
  step: (ctx: AppContext, registry: ConnectorRegistry, requestId: string, connectorId: string, progress: ThrottleProgress) => Promise<R | ThrottledResult>,
) {
  let registry: ConnectorRegistry | undefined;
  return workflowHandler(input, async ({ requestId, connectorId, throttleWaits, waitedSeconds }) => {
    const ctx = appContext();
    registry ??= new ConnectorRegistry(ctx.config);
    // A hinted throttle leaves as VendorThrottled: the Map iteration waits it out and runs this step again.
    return unlessThrottled(await step(ctx, registry, requestId, connectorId, { throttleWaits, waitedSeconds }));
  });
}
