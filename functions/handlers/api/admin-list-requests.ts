/**
 * GET /v1/admin/requests?state=&status=&type=&jurisdiction=&assignee=&overdue=&email=&dueBefore=&cursor=&limit=:
 * the queue (open by due date, or closed by closing date), or a subject's requests by exact address.
 * The address is hashed before any read and never logged (API access logs carry no query string).
 */
import * as z from 'zod/mini';
import '#commons/zod';
import { JURISDICTIONS, REQUEST_TYPES } from '#commons/config';
import { appContext } from '#domain/context';
import { listQueue } from '#domain/requests/queries';
import { STATUSES } from '#domain/requests/model';
import { decimalInteger, httpHandler, validate } from '../http.ts';

const query = z.object({
  state: z.optional(z.enum(['open', 'closed'], { error: 'state is open or closed' })),
  status: z.optional(z.enum(STATUSES)),
  type: z.optional(z.enum(REQUEST_TYPES)),
  jurisdiction: z.optional(z.enum(JURISDICTIONS)),
  // A staff id as the sign-in gives it (the address on AWS): the "mine" view passes the caller's own.
  assignee: z.optional(z.string().check(z.trim(), z.minLength(1, 'assignee is a staff id'), z.maxLength(320, 'assignee is a staff id'))),
  overdue: z.optional(z.pipe(z.enum(['true', 'false'], { error: 'overdue is true or false' }), z.transform((v) => v === 'true'))),
  // Trimmed first, as intake normalises the address it hashes.
  email: z.optional(z.pipe(z.string().check(z.maxLength(320), z.trim()), z.email({ error: "email is the subject's whole email address" }))),
  dueBefore: z.optional(z.iso.date({ error: 'dueBefore is a date like 2026-12-31' })),
  cursor: z.optional(z.string().check(z.maxLength(2000))),
  limit: z.optional(decimalInteger(1, 100, 'limit is a whole number from 1 to 100')),
});

export const handler = httpHandler({ staffRole: 'viewer' }, async ({ query: raw, staff }) => {
  return { status: 200, body: await listQueue(appContext(), validate(query, raw, 'invalid_query'), staff!.roles) };
});
