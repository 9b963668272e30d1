/** GET /v1/admin/requests?status=&type=&jurisdiction=&dueBefore=&cursor=&limit=: the open queue, ordered by due date. */
import * as z from 'zod/mini';
import '#commons/zod';
import { JURISDICTIONS, REQUEST_TYPES } from '#commons/config';
import { appContext } from '#domain/context';
import { listQueue } from '#domain/requests/queries';
import { STATUSES } from '#domain/requests/model';
import { decimalInteger, httpHandler, validate } from '../http.ts';

const query = z.object({
  status: z.optional(z.enum(STATUSES)),
  type: z.optional(z.enum(REQUEST_TYPES)),
  jurisdiction: z.optional(z.enum(JURISDICTIONS)),
  dueBefore: z.optional(z.iso.date({ error: 'dueBefore is a date like 2026-12-31' })),
  cursor: z.optional(z.string().check(z.maxLength(2000))),
  limit: z.optional(decimalInteger(1, 100, 'limit is a whole number from 1 to 100')),
});

export const handler = httpHandler({ staffRole: 'viewer' }, async ({ query: raw }) => {
  return { status: 200, body: await listQueue(appContext(), validate(query, raw, 'invalid_query')) };
});
