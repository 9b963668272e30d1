/** GET /v1/admin/requests/{id}: everything staff need, with the audit trail and connector outcomes. */
import { appContext } from '#domain/context';
import { requestDetail } from '#domain/requests/queries';
import { httpHandler, requestIdFrom } from '../http.ts';

export const handler = httpHandler({ staffRole: 'viewer' }, async ({ path, staff }) => ({
  status: 200,
  body: await requestDetail(appContext(), requestIdFrom(path), staff!.roles),
}));
