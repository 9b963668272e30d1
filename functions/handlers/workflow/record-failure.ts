/**
 * RecordFailure: a step that failed after its retries becomes a staff task (NeedsAttention) instead of
 * a failed execution. It publishes WorkflowStepFailures (one per failed step) for the dashboard and an
 * alarm, since the executions-failed alarm no longer sees these; zero is never published, as nothing
 * calls this step on the happy path.
 */
import * as z from 'zod/mini';
import '#commons/zod';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { metrics } from '#commons/observability';
import { appContext } from '#domain/context';
import { recordFailure } from '#domain/workflow/attention';
import { workflowHandler } from './steps.ts';

// Each Catch writes the error under its own state's name: `caught.<StepName> = {Error, Cause}`.
const input = z.object({
  requestId: z.string().check(z.minLength(1)),
  caught: z.record(z.string(), z.object({ Error: z.optional(z.string()), Cause: z.optional(z.string()) })),
});

export const handler = workflowHandler(input, async ({ requestId, caught }) => {
  const out = await recordFailure(appContext(), requestId, caught);
  metrics.addMetric('WorkflowStepFailures', MetricUnit.Count, 1);
  return out;
}).use(logMetrics(metrics));
