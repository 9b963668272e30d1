/**
 * GET /v1/requests/{id}?token=: the subject's view of their request. A browser is sent on to the status
 * page, or gets a readable page when the link cannot be used; API clients get JSON (link-pages.ts).
 */
import { appContext } from '#domain/context';
import { subjectStatus } from '#domain/requests/subject';
import { httpHandler, requestIdFrom } from '../http.ts';
import { linkPages } from './link-pages.ts';

export const handler = httpHandler({}, async ({ path, query }) => ({
  status: 200,
  body: await subjectStatus(appContext(), requestIdFrom(path), query.token, query.lang || undefined),
})).use(linkPages('status'));
