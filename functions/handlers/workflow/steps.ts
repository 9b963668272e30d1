/**
 * The Lambdas the state machine calls. Each parses its input with zod and calls one domain function;
 * a thrown error's name is what the state machine's Retry and Catch see.
 */
import * as z from 'zod/mini';
import '#commons/zod';
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context } from 'aws-lambda';
import { logger } from '#commons/observability';

export function workflowHandler<S extends z.ZodMiniType, R>(schema: S, fn: (input: z.infer<S>) => Promise<R>) {
  return middy(async (event: unknown, _context: Context): Promise<R> => {
    const parsed = schema.safeParse(event);
    if (!parsed.success) {
      const err = new Error(`invalid step input: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
      err.name = 'InvalidStepInput';
      throw err;
    }
    return fn(parsed.data);
  }).use(injectLambdaContext(logger, { resetKeys: true }));
}

export const requestIdInput = z.object({ requestId: z.string().check(z.minLength(1)) });
