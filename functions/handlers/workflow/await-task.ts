import * as z from 'zod/mini';
import '#commons/zod';
import { appContext } from '#domain/context';
import { awaitTask } from '#domain/workflow/await-task';
import { workflowHandler } from './steps.ts';

const input = z.object({
  requestId: z.string().check(z.minLength(1)),
  kind: z.enum(['verification', 'review', 'reconcile', 'attention', 'release', 'lift']),
  taskToken: z.string().check(z.minLength(1)),
});

export const handler = workflowHandler(input, async ({ requestId, kind, taskToken }) => {
  await awaitTask(appContext(), requestId, kind, taskToken);
  return { waiting: kind };
});
