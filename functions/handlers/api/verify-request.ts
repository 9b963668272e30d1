/** POST /v1/requests/{id}/verify {code}: the subject enters the emailed code. */
import * as z from 'zod/mini';
import '#commons/zod';
import { appContext } from '#domain/context';
import { verifyCode } from '#domain/requests/verification';
import { httpHandler, requestIdFrom } from '../http.ts';
import { clientRateLimit } from '../client-rate-limit.ts';

export const verifyBody = z.strictObject({
  code: z.string().check(z.trim(), z.regex(/^\d{6}$/, 'code is the 6-digit number from the email')),
});

export const handler = httpHandler({ body: verifyBody }, async ({ body, path }) => ({
  status: 200,
  body: await verifyCode(appContext(), requestIdFrom(path), body.code),
})).use(clientRateLimit('verify'));
