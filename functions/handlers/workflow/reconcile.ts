/**
 * Reconcile records every connector run, and publishes ConnectorFailures (one per connector that failed
 * after its retries in this run, collect or erase) for the CloudWatch alarm. The domain function stays
 * free of metrics, like the escalation job's.
 */
import { RECTIFIABLE_FIELDS } from '#connectors/types';
import * as z from 'zod/mini';
import '#commons/zod';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { metrics } from '#commons/observability';
import { appContext } from '#domain/context';
import { reconcile, type CollectResult } from '#domain/workflow/reconcile';
import { workflowHandler } from './steps.ts';

const result = z.union([
  z.object({
    connectorId: z.string(),
    status: z.literal('succeeded'),
    records: z.number(),
    objects: z.record(z.string(), z.number()),
    stagingKeys: z.record(z.string(), z.string()),
    erasure: z.optional(z.array(
        z.object({
          object: z.string(),
          action: z.enum(['deleted', 'anonymized', 'retained', 'not_found']),
          count: z.number(),
          legalBasis: z.optional(z.string()),
          retentionPeriod: z.optional(z.string()),
          reason: z.optional(z.string()),
          alsoRetained: z.optional(z.boolean()),
          completion: z.optional(z.object({ vendor: z.string(), withinDays: z.number() })),
        }),
      )),
    suppression: z.optional(z.object({
      applies: z.boolean(),
      items: z.array(z.object({ object: z.string(), suppressed: z.number() })),
      confirmedAt: z.optional(z.string()),
    })),
    restriction: z.optional(z.object({
      phase: z.enum(['set', 'lift']),
      applies: z.boolean(),
      items: z.array(z.object({ object: z.string(), records: z.number() })),
      status: z.optional(z.array(z.object({ object: z.string(), restricted: z.number(), unrestricted: z.number(), unmarkable: z.optional(z.number()) }))),
      byHand: z.number(),
      todo: z.optional(z.number()),
      confirmedAt: z.optional(z.string()),
    })),
    rectification: z.optional(z.object({
      applies: z.boolean(),
      items: z.array(z.object({ object: z.string(), recordId: z.string(), field: z.enum(RECTIFIABLE_FIELDS), status: z.enum(['corrected', 'not_found']) })),
      confirmedAt: z.optional(z.string()),
    })),
  }),
  z.object({
    connectorId: z.string(),
    status: z.literal('failed'),
    error: z.object({ Error: z.optional(z.string()), Cause: z.optional(z.string()) }),
  }),
]);
const input = z.object({ requestId: z.string().check(z.minLength(1)), results: z.array(result) });

export const handler = workflowHandler(input, async ({ requestId, results }) => {
  const out = await reconcile(appContext(), requestId, results as CollectResult[]);
  // Zero is published too, so the alarm sees data whenever requests are answered.
  metrics.addMetric('ConnectorFailures', MetricUnit.Count, results.filter((r) => r.status === 'failed').length);
  return out;
}).use(logMetrics(metrics));
