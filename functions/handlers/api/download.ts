/** GET /v1/downloads/{id}?token=: checks the token and redirects to a presigned URL valid for minutes. */
import { appContext } from '#domain/context';
import { downloadUrl } from '#domain/requests/subject';
import { httpHandler, requestIdFrom } from '../http.ts';

export const handler = httpHandler({}, async ({ path, query }) => ({
  status: 302,
  headers: { location: await downloadUrl(appContext(), requestIdFrom(path), query.token) },
}));
