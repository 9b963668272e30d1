import * as z from 'zod/mini';
import '#commons/zod';
import { appContext } from '#domain/context';
import { notifyOutcome } from '#domain/workflow/notify';
import { enterRestricted } from '#domain/workflow/restricted';
import { workflowHandler } from './steps.ts';

const input = z.object({
  requestId: z.string().check(z.minLength(1)),
  outcome: z.enum(['completed', 'erased', 'opted_out', 'lifted', 'restricted', 'rectified', 'denied', 'unverified', 'cancelled', 'forwarded']),
  reason: z.optional(z.string()),
});

// `restricted` is not a closing: the request stays open until staff lift the restriction.
export const handler = workflowHandler(input, ({ requestId, outcome, reason }) =>
  outcome === 'restricted'
    ? enterRestricted(appContext(), requestId)
    : notifyOutcome(appContext(), requestId, outcome === 'cancelled' ? { outcome, ...(reason ? { reason } : {}) } : { outcome }),
);
