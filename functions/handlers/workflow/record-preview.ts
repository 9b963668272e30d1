import * as z from 'zod/mini';
import '#commons/zod';
import { appContext } from '#domain/context';
import { recordPreview, type DiscoveryResult } from '#domain/workflow/discover';
import { workflowHandler } from './steps.ts';

const result = z.union([
  z.object({ connectorId: z.string(), status: z.literal('counted'), objects: z.record(z.string(), z.number().check(z.int(), z.nonnegative())) }),
  z.object({ connectorId: z.string(), status: z.literal('current'), values: z.number().check(z.int(), z.nonnegative()) }),
  z.object({ connectorId: z.string(), status: z.literal('nothing_to_correct') }),
  z.object({ connectorId: z.string(), status: z.literal('failed'), error: z.object({ Error: z.optional(z.string()), Cause: z.optional(z.string()) }) }),
]);
const input = z.object({ requestId: z.string().check(z.minLength(1)), results: z.array(result) });

export const handler = workflowHandler(input, ({ requestId, results }) => recordPreview(appContext(), requestId, results as DiscoveryResult[]));
