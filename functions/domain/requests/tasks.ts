/**
 * Completing the workflow's waiting tasks (verification, review, staff decisions on failed connectors).
 * The token is stored with the request by the task's own Lambda; whoever completes it claims the
 * request first with a conditional status update, so two staff members clicking at once cannot both win.
 */
import { SendTaskSuccessCommand, TaskDoesNotExist, TaskTimedOut, InvalidToken } from '@aws-sdk/client-sfn';
import { conflict } from '#commons/errors';
import type { AppContext } from '../context.ts';
import type { TaskKind } from './model.ts';

/** How the task is answered: SendTaskSuccess with the output, unless the caller answers otherwise (./task-refusal.ts). */
export type TaskAnswer = (ctx: AppContext, token: string) => Promise<void>;

export async function completeTask(ctx: AppContext, requestId: string, kind: TaskKind, output: unknown, answer?: TaskAnswer): Promise<void> {
  const token = await ctx.repo.taskToken(requestId, kind);
  if (!token) throw conflict('not_waiting', `request ${requestId} is not waiting for ${kind}`);
  try {
    if (answer) await answer(ctx, token);
    else await ctx.sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify(output) }));
  } catch (err) {
    if (err instanceof TaskDoesNotExist || err instanceof TaskTimedOut || err instanceof InvalidToken) {
      throw conflict('not_waiting', `request ${requestId} is no longer waiting for ${kind}`);
    }
    throw err;
  }
  await ctx.repo.deleteTaskToken(requestId, kind);
}
