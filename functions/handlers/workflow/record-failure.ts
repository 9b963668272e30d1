import { z } from 'zod';
import { appContext } from '#domain/context';
import { recordFailure } from '#domain/workflow/attention';
import { workflowHandler } from './steps.ts';

// Each Catch writes the error under its own state's name: `caught.<StepName> = {Error, Cause}`.
const input = z.object({
  requestId: z.string().min(1),
  caught: z.record(z.string(), z.object({ Error: z.string().optional(), Cause: z.string().optional() })),
});

export const handler = workflowHandler(input, ({ requestId, caught }) => recordFailure(appContext(), requestId, caught));
