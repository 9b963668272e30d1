/**
 * POST /v1/requests/{id}/reply {token, message}: the subject answers what staff asked while the clock
 * was stopped; a stopped clock restarts. The token is the status link's, sent in the body so it stays
 * out of access logs.
 */
import * as z from 'zod/mini';
import '#commons/zod';
import { appContext } from '#domain/context';
import { subjectReply } from '#domain/requests/subject';
import { httpHandler, requestIdFrom } from '../http.ts';

export const replyBody = z.strictObject({
  token: z.string().check(z.minLength(1), z.maxLength(200)),
  message: z.string().check(z.trim(), z.minLength(1, 'message must not be empty'), z.maxLength(4000)),
});

export const handler = httpHandler({ body: replyBody }, async ({ path, body }) => ({
  status: 200,
  body: await subjectReply(appContext(), requestIdFrom(path), body.token, body.message),
}));
