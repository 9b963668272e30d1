import { z } from 'zod';
import { appContext } from '#domain/context';
import { awaitTask } from '#domain/workflow/await-task';
import { workflowHandler } from './steps.ts';

const input = z.object({
  requestId: z.string().min(1),
  kind: z.enum(['verification', 'review', 'reconcile', 'attention']),
  taskToken: z.string().min(1),
});

export const handler = workflowHandler(input, async ({ requestId, kind, taskToken }) => {
  await awaitTask(appContext(), requestId, kind, taskToken);
  return { waiting: kind };
});
