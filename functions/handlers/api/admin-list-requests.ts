/** GET /v1/admin/requests?status=&type=&jurisdiction=&dueBefore=&cursor=&limit=: the open queue, ordered by due date. */
import { z } from 'zod';
import { JURISDICTIONS, REQUEST_TYPES } from '#commons/config';
import { appContext } from '#domain/context';
import { listQueue } from '#domain/requests/queries';
import { STATUSES } from '#domain/requests/model';
import { decimalInteger, httpHandler, validate } from '../http.ts';

const query = z.object({
  status: z.enum(STATUSES).optional(),
  type: z.enum(REQUEST_TYPES).optional(),
  jurisdiction: z.enum(JURISDICTIONS).optional(),
  dueBefore: z.iso.date({ error: 'dueBefore is a date like 2026-12-31' }).optional(),
  cursor: z.string().max(2000).optional(),
  limit: decimalInteger(1, 100, 'limit is a whole number from 1 to 100').optional(),
});

export const handler = httpHandler({ staffRole: 'viewer' }, async ({ query: raw }) => {
  return { status: 200, body: await listQueue(appContext(), validate(query, raw, 'invalid_query')) };
});
