import { z } from 'zod';
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
    erasure: z
      .array(
        z.object({
          object: z.string(),
          action: z.enum(['deleted', 'anonymized', 'retained', 'not_found']),
          count: z.number(),
          legalBasis: z.string().optional(),
          retentionPeriod: z.string().optional(),
        }),
      )
      .optional(),
  }),
  z.object({
    connectorId: z.string(),
    status: z.literal('failed'),
    error: z.object({ Error: z.string().optional(), Cause: z.string().optional() }),
  }),
]);
const input = z.object({ requestId: z.string().min(1), results: z.array(result) });

export const handler = workflowHandler(input, ({ requestId, results }) =>
  reconcile(appContext(), requestId, results as CollectResult[]),
);
