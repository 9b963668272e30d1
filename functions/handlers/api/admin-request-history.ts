/** GET /v1/admin/requests/{id}/history: every request filed in the same subject's name, with its outcome (viewer role). */
import { appContext } from '#domain/context';
import { subjectHistory } from '#domain/requests/queries';
import { httpHandler, requestIdFrom } from '../http.ts';

export const handler = httpHandler({ staffRole: 'viewer' }, async ({ path, staff }) => ({
  status: 200,
  body: await subjectHistory(appContext(), requestIdFrom(path), staff!.roles),
}));
