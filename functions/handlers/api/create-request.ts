/** POST /v1/requests: a subject files a request. Always 202 with a request id; never says whether data exists. */
import { z } from 'zod';
import { makeHandlerIdempotent } from '@aws-lambda-powertools/idempotency/middleware';
import { IdempotencyConfig } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { JURISDICTIONS, REQUEST_TYPES } from '#commons/config';
import { resources } from '#commons/env';
import { appContext } from '#domain/context';
import { fileRequest } from '#domain/requests/intake';
import { httpHandler } from '../http.ts';
import { clientRateLimit } from '../client-rate-limit.ts';

export const createRequestBody = z.strictObject({
  type: z.enum(REQUEST_TYPES, { error: `type must be one of ${REQUEST_TYPES.join(', ')}` }),
  email: z.string().trim().max(254).pipe(z.email({ error: 'email is not a valid address' })),
  name: z.string().trim().min(1).max(200).optional(),
  jurisdiction: z.enum(JURISDICTIONS, { error: `jurisdiction must be one of ${JURISDICTIONS.join(', ')}` }).optional(),
  country: z.string().regex(/^[A-Za-z]{2}$/, 'country is a two-letter ISO code').optional(),
  locale: z.string().regex(/^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$/, 'locale is a language tag like en or nb-NO').optional(),
});

const base = httpHandler({ body: createRequestBody }, async ({ body }) => ({
  status: 202,
  body: await fileRequest(body, appContext()),
})).use(clientRateLimit('intake'));

// The same Idempotency-Key returns the first answer instead of filing a second request.
export const handler = base.use(
  makeHandlerIdempotent({
    persistenceStore: new DynamoDBPersistenceLayer({ tableName: resources.table(), keyAttr: 'pk', sortKeyAttr: 'sk' }),
    config: new IdempotencyConfig({
      eventKeyJmesPath: 'headers."idempotency-key"',
      payloadValidationJmesPath: 'body',
      throwOnNoIdempotencyKey: false,
      expiresAfterSeconds: 24 * 3600,
    }),
  }),
);
