/**
 * POST /v1/requests: a subject files a request. Always 202 with a request id; never says whether data exists.
 *
 * Idempotency-Key: the key maps to the first request it created, for 24 hours (`fileRequestOnce`). Not
 * Powertools' idempotency middleware: it deletes its record whenever the handler fails (its own 409 and
 * 422 included), so a key could later create a second request, and concurrent calls got 409 or 500
 * instead of the one request's id. The mapping here is a conditional put the domain writes itself.
 */
import * as z from 'zod/mini';
import '#commons/zod';
import { JURISDICTIONS, REQUEST_TYPES } from '#commons/config';
import { badRequest } from '#commons/errors';
import { appContext } from '#domain/context';
import { DETAILS_MAX_LENGTH, fileRequest, fileRequestOnce, LOCALE_MAX_LENGTH } from '#domain/requests/intake';
import { NAME_MAX_LENGTH } from '#domain/requests/names';
import { ORGANISATION_MAX_LENGTH } from '#domain/agents/agent';
import { PERMISSION_TYPES } from '#domain/agents/permission';
import { AGENT_RELATIONSHIPS } from '#domain/requests/model';
import { RESTRICTION_GROUNDS } from '#domain/restriction/grounds';
import { PHONE_PATTERN, RECTIFICATION_LIMITS as L } from '#domain/rectification/requested';
import { httpHandler, INTAKE_MAX_BODY_BYTES } from '../http.ts';
import { clientRateLimit } from '../client-rate-limit.ts';

const localeTag = z.string().check(z.maxLength(LOCALE_MAX_LENGTH, `locale is at most ${LOCALE_MAX_LENGTH} characters`), z.regex(/^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{1,8})*$/, 'locale is a language tag like en or nb-NO'));
const emailAddress = z.pipe(z.string().check(z.trim(), z.maxLength(254)), z.email({ error: 'email is not a valid address' }));

/**
 * An authorised agent filing for the subject: their own contact, how they relate to the subject, and the
 * signed permission as base64 (PDF, PNG or JPEG; its size and real type are checked in the domain).
 */
export const agentBody = z.strictObject({
  name: z.string().check(z.trim(), z.minLength(1), z.maxLength(NAME_MAX_LENGTH)),
  email: emailAddress,
  organisation: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(ORGANISATION_MAX_LENGTH))),
  relationship: z.enum(AGENT_RELATIONSHIPS, { error: `relationship must be one of ${AGENT_RELATIONSHIPS.join(', ')}` }),
  locale: z.optional(localeTag),
  permission: z.strictObject({
    contentType: z.enum(PERMISSION_TYPES, { error: `permission.contentType must be one of ${PERMISSION_TYPES.join(', ')}` }),
    data: z.string().check(z.minLength(1)),
  }),
});

const bounded = (field: string, max: number) => z.string().check(z.trim(), z.maxLength(max, `${field} is at most ${max} characters`));

/** A rectification's values the subject says are right; each optional, empty strings count as not given. */
export const rectificationBody = z.strictObject({
  fields: z.strictObject({
    name: z.optional(bounded('rectification.fields.name', L.name)),
    email: z.optional(z.union([z.literal(''), z.pipe(bounded('rectification.fields.email', L.email), z.email({ error: 'rectification.fields.email is not a valid address' }))])),
    phone: z.optional(bounded('rectification.fields.phone', L.phone).check(z.regex(PHONE_PATTERN, 'rectification.fields.phone is digits with spaces, +, (), -, . or /'))),
    address: z.optional(
      z.strictObject({
        line1: z.optional(bounded('rectification.fields.address.line1', L.line)),
        line2: z.optional(bounded('rectification.fields.address.line2', L.line)),
        postalCode: z.optional(bounded('rectification.fields.address.postalCode', L.postalCode)),
        city: z.optional(bounded('rectification.fields.address.city', L.city)),
        region: z.optional(bounded('rectification.fields.address.region', L.region)),
        country: z.optional(z.string().check(z.regex(/^([A-Za-z]{2})?$/, 'rectification.fields.address.country is a two-letter ISO code'))),
      }),
    ),
  }),
});

export const createRequestBody = z.strictObject({
  type: z.enum(REQUEST_TYPES, { error: `type must be one of ${REQUEST_TYPES.join(', ')}` }),
  email: emailAddress,
  name: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(NAME_MAX_LENGTH))),
  jurisdiction: z.optional(z.enum(JURISDICTIONS, { error: `jurisdiction must be one of ${JURISDICTIONS.join(', ')}` })),
  country: z.optional(z.string().check(z.regex(/^[A-Za-z]{2}$/, 'country is a two-letter ISO code'))),
  details: z.optional(z.string().check(z.trim(), z.maxLength(DETAILS_MAX_LENGTH, `details is at most ${DETAILS_MAX_LENGTH} characters`))),
  locale: z.optional(localeTag),
  agent: z.optional(agentBody),
  ground: z.optional(z.enum(RESTRICTION_GROUNDS, { error: `ground must be one of ${RESTRICTION_GROUNDS.join(', ')}` })),
  rectification: z.optional(rectificationBody),
});

/** Printable ASCII, as clients make them (UUIDs, ULIDs, random strings). */
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;

export const handler = httpHandler({ body: createRequestBody, maxBodyBytes: INTAKE_MAX_BODY_BYTES }, async ({ body, event }) => {
  const key = event.headers?.['idempotency-key'];
  if (key !== undefined && !IDEMPOTENCY_KEY.test(key)) {
    throw badRequest('invalid_idempotency_key', 'Idempotency-Key is 1 to 200 printable ASCII characters');
  }
  const ctx = appContext();
  return { status: 202, body: key === undefined ? await fileRequest(body, ctx) : await fileRequestOnce(body, ctx, key) };
}).use(clientRateLimit('intake'));
