/** GET /v1/admin/requests/{id}/tasks: the request's follow-up tasks (viewer role). */
import { appContext } from '#domain/context';
import { listTodos } from '#domain/todos/index';
import { taskView } from '#domain/todos/view';
import { httpHandler, requestIdFrom } from '../http.ts';

export const handler = httpHandler({ staffRole: 'viewer' }, async ({ path }) => ({
  status: 200,
  body: { items: (await listTodos(appContext(), requestIdFrom(path))).map(taskView) },
}));
