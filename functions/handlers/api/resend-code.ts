/** POST /v1/requests/{id}/code: the subject asks for a new verification code. */
import { appContext } from '#domain/context';
import { resendCode } from '#domain/requests/verification';
import { httpHandler, requestIdFrom } from '../http.ts';
import { clientRateLimit } from '../client-rate-limit.ts';

export const handler = httpHandler({}, async ({ path }) => {
  await resendCode(appContext(), requestIdFrom(path));
  return { status: 202, body: { status: 'code_sent' } };
}).use(clientRateLimit('resend'));
