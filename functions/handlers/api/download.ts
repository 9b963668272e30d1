/**
 * GET /v1/downloads/{id}?token=: checks the token and redirects to a presigned URL valid for minutes. A
 * link that cannot be used answers a readable page to a browser, JSON to an API client (link-pages.ts).
 */
import { appContext } from '#domain/context';
import { downloadUrl } from '#domain/requests/subject';
import { httpHandler, requestIdFrom } from '../http.ts';
import { linkPages } from './link-pages.ts';

export const handler = httpHandler({}, async ({ path, query }) => ({
  status: 302,
  headers: { location: await downloadUrl(appContext(), requestIdFrom(path), query.token) },
})).use(linkPages('download'));
