/**
 * POST /v1/admin/requests/{id}/tasks/{n}/{action}: a follow-up task ticked off (`done` {note?}), closed
 * without doing it (`close` {reason}) or handed to another owner (`assign` {owner: email | null}).
 * Needs the approver role; answers the request's tasks as they are after the action.
 */
import * as z from 'zod/mini';
import '#commons/zod';
import { RequestError } from '#commons/errors';
import { appContext } from '#domain/context';
import { finishTodo, listTodos, reassignTodo } from '#domain/todos/index';
import { taskView } from '#domain/todos/view';
import { actionInput, httpHandler, requestIdFrom } from '../http.ts';

/** The body of each action (docs/openapi.yaml holds the same). */
export const bodies = {
  done: z.strictObject({ note: z.optional(z.string().check(z.trim(), z.maxLength(2000))) }),
  close: z.strictObject({ reason: z.string().check(z.trim(), z.minLength(1, 'reason is required'), z.maxLength(2000)) }),
  assign: z.strictObject({
    owner: z.union([z.email({ error: 'owner is an email address, or null to leave the task to the DPO' }), z.literal(''), z.null()], {
      error: 'owner is required: a staff email address, or null to leave the task to the DPO',
    }),
  }),
};
type Action = keyof typeof bodies;

function taskNumber(raw: string | undefined): number {
  if (!raw || !/^[1-9][0-9]{0,3}$/.test(raw)) throw new RequestError(404, 'not_found', 'no such task');
  return Number(raw);
}

export const handler = httpHandler({ staffRole: 'approver', body: z.unknown() }, async ({ path, body, staff }) => {
  const action = path.action as Action;
  const input = actionInput(bodies, action, body) as Record<string, string | null | undefined>;
  const ctx = appContext();
  const id = requestIdFrom(path);
  const n = taskNumber(path.n);
  const actor = staff!.id;
  switch (action) {
    case 'done':
      await finishTodo(ctx, id, n, actor, 'done', input.note ?? undefined);
      break;
    case 'close':
      await finishTodo(ctx, id, n, actor, 'closed', input.reason ?? undefined);
      break;
    case 'assign':
      await reassignTodo(ctx, id, n, actor, input.owner || undefined);
      break;
  }
  return { status: 200, body: { items: (await listTodos(ctx, id)).map(taskView) } };
});
