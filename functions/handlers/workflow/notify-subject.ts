import * as z from 'zod/mini';
import '#commons/zod';
import { appContext } from '#domain/context';
import { notifyOutcome } from '#domain/workflow/notify';
import { workflowHandler } from './steps.ts';

const input = z.object({
  requestId: z.string().check(z.minLength(1)),
  outcome: z.enum(['completed', 'erased', 'opted_out', 'rectified', 'denied', 'unverified', 'cancelled', 'forwarded']),
  reason: z.optional(z.string()),
});

export const handler = workflowHandler(input, ({ requestId, outcome, reason }) =>
  notifyOutcome(appContext(), requestId, outcome === 'cancelled' ? { outcome, ...(reason ? { reason } : {}) } : { outcome }),
);
