/** GET /v1/requests/{id}?token=: the subject's view of their request. */
import { appContext } from '#domain/context';
import { subjectStatus } from '#domain/requests/subject';
import { httpHandler, requestIdFrom } from '../http.ts';

export const handler = httpHandler({}, async ({ path, query }) => ({
  status: 200,
  body: await subjectStatus(appContext(), requestIdFrom(path), query.token),
}));
