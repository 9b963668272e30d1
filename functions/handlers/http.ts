/**
 * The middy stack every API handler shares: body limits and JSON parsing, zod validation, staff
 * identity and roles from the JWT claims, security headers, and the mapping of errors to JSON
 * `{error: {code, message}}` with the right status. A caller's mistake is a 4xx with a message; anything
 * unexpected is a 500 that says nothing about its cause (the cause goes to the log with the request id).
 */
import middy, { type MiddlewareObj } from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import * as z from 'zod/mini';
import '#commons/zod';
import { intakeMaxBodyBytes } from '#commons/config';
import { RateLimited, RequestError, badRequest, forbidden, unauthorized } from '#commons/errors';
import { logger } from '#commons/observability';
import { SECURITY_HEADERS } from './security-headers.ts';
import { edgeOnly } from './edge-only.ts';

export { SECURITY_HEADERS };

export const MAX_BODY_BYTES = 64 * 1024;
/** The intake body may carry an agent's permission (base64, at most PERMISSION_CEILING_BYTES) beside the usual fields. */
export const INTAKE_MAX_BODY_BYTES = intakeMaxBodyBytes(MAX_BODY_BYTES);

export const bodyTooLarge = (limit = MAX_BODY_BYTES) => new RequestError(413, 'body_too_large', `the body must be at most ${Math.floor(limit / 1024)} KiB`);
export const malformedPath = () => badRequest('malformed_path', 'the path holds a malformed percent-encoding');

export type StaffRole = 'approver' | 'viewer';
export interface Staff {
  id: string;
  roles: StaffRole[];
}

export interface HttpInput<B> {
  event: APIGatewayProxyEventV2;
  body: B;
  staff?: Staff;
  path: Record<string, string>;
  query: Record<string, string>;
}

export interface HttpOutput {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export function errorBody(status: number, code: string, message: string, details?: Record<string, unknown>): APIGatewayProxyResultV2 {
  return {
    statusCode: status,
    headers: SECURITY_HEADERS,
    body: JSON.stringify({ error: { code, message, ...(details ? { details } : {}) } }),
  };
}

// Exactly application/json, optionally with charset=utf-8 (RFC 8259 JSON is UTF-8): not json-seq, not
// another charset the body would then be misread in, not a list of types.
const JSON_MEDIA_TYPE = /^application\/json[ \t]*(?:;[ \t]*charset=(?:utf-8|"utf-8")[ \t]*)?$/i;

function parseBody<B>(event: APIGatewayProxyEventV2, schema: z.ZodMiniType<B> | undefined, limit = MAX_BODY_BYTES): B {
  if (!schema) return undefined as B;
  const raw = event.body ? (event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body) : '';
  if (Buffer.byteLength(raw, 'utf8') > limit) throw bodyTooLarge(limit);
  if (raw && !JSON_MEDIA_TYPE.test(event.headers?.['content-type'] ?? '')) {
    throw new RequestError(415, 'unsupported_media_type', 'send the body as application/json (with charset=utf-8 or no charset)');
  }
  let json: unknown;
  try {
    json = raw ? JSON.parse(raw) : {};
  } catch {
    throw badRequest('malformed_json', 'the body is not valid JSON');
  }
  return validate(schema, json);
}

/** Validates with zod; a failure is a 400 that names each field and what is wrong with it. */
export function validate<T>(schema: z.ZodMiniType<T>, value: unknown, code = 'invalid_request'): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`);
  throw badRequest(code, issues.join('; '), { issues });
}

/** The validated body of a named staff action; an action that is not in `bodies` is a 404. */
export function actionInput<B extends Record<string, z.ZodMiniType>>(bodies: B, action: string, body: unknown): z.infer<B[keyof B]> {
  if (!Object.hasOwn(bodies, action)) {
    throw new RequestError(404, 'unknown_action', `unknown action; use one of ${Object.keys(bodies).join(', ')}`);
  }
  return validate(bodies[action]!, body ?? {}) as z.infer<B[keyof B]>;
}

/** Staff identity from the JWT authorizer's claims (Cognito on AWS; the local runtime sets the same shape). */
export function staffFromEvent(event: APIGatewayProxyEventV2): Staff | undefined {
  const claims = (event.requestContext as { authorizer?: { jwt?: { claims?: Record<string, unknown> } } }).authorizer?.jwt?.claims;
  if (!claims?.sub) return undefined;
  const raw = claims['cognito:groups'];
  // API Gateway flattens array claims into "[a b]" strings; accept both forms.
  const groups = Array.isArray(raw) ? raw.map(String) : String(raw ?? '').replace(/^\[|\]$/g, '').split(/[\s,]+/).filter(Boolean);
  const roles = groups.filter((g): g is StaffRole => g === 'approver' || g === 'viewer');
  const id = String(claims.email ?? claims['cognito:username'] ?? claims.sub);
  return { id, roles };
}

export interface HandlerOptions<B> {
  body?: z.ZodMiniType<B>;
  /** Staff routes: the role the caller needs (`viewer` is met by `approver` too). */
  staffRole?: StaffRole;
  /** A larger body limit than MAX_BODY_BYTES, for the one route that takes a document (the route's spec says the same). */
  maxBodyBytes?: number;
}

export function httpHandler<B = undefined>(
  options: HandlerOptions<B>,
  fn: (input: HttpInput<B>) => Promise<HttpOutput>,
) {
  const core = async (event: APIGatewayProxyEventV2, _context: Context): Promise<APIGatewayProxyResultV2> => {
    let staff: Staff | undefined;
    if (options.staffRole) {
      staff = staffFromEvent(event);
      if (!staff) throw unauthorized();
      const allowed = options.staffRole === 'viewer' ? staff.roles.length > 0 : staff.roles.includes('approver');
      if (!allowed) throw forbidden('role_required', `this action needs the ${options.staffRole} role`);
    }
    const path = pathFrom(event);
    const body = parseBody(event, options.body, options.maxBodyBytes);
    const out = await fn({
      event,
      body,
      ...(staff ? { staff } : {}),
      path,
      query: (event.queryStringParameters ?? {}) as Record<string, string>,
    });
    return {
      statusCode: out.status,
      headers: { ...SECURITY_HEADERS, ...out.headers },
      body: out.body === undefined ? '' : JSON.stringify(out.body),
    };
  };
  return middy<APIGatewayProxyEventV2, APIGatewayProxyResultV2>(core)
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(httpHeaderNormalizer())
    .use(errorMapper())
    .use(edgeOnly());
}

export function errorMapper(): MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyResultV2> {
  return {
    onError: async (request) => {
      const err = request.error;
      if (err instanceof RequestError) {
        const response = errorBody(err.status, err.code, err.message, err.details) as APIGatewayProxyStructuredResultV2;
        if (err instanceof RateLimited) response.headers = { ...response.headers, 'retry-after': String(err.retryAfterSeconds) };
        request.response = response;
        return;
      }
      const name = (err as { name?: string } | null)?.name;
      if (name === 'RequestNotFound') {
        request.response = errorBody(404, 'not_found', 'no such request');
        return;
      }
      if (name === 'IdempotencyValidationError') {
        request.response = errorBody(422, 'idempotency_key_reused', 'this Idempotency-Key was used with a different body');
        return;
      }
      if (name === 'IdempotencyAlreadyInProgressError') {
        request.response = errorBody(409, 'idempotency_in_progress', 'a request with this Idempotency-Key is still being processed');
        return;
      }
      logger.error('unhandled error', { error: loggableError(err) });
      request.response = errorBody(500, 'internal_error', 'something went wrong on our side; try again later');
    },
  };
}

// Anything with an @ between two non-space runs: AWS SDK errors quote addresses (SES MessageRejected
// "Email address is not verified: alice@example.com"), and a subject's email must never reach the logs.
const EMAIL = /[^\s@<>"'(),;:[\]]+@[^\s@<>"'(),;:[\]]+/g;

export function redactEmails(text: string): string {
  return text.replace(EMAIL, '[email redacted]');
}

/** What is logged of an unexpected error: its name, and its message and stack with addresses redacted. */
export function loggableError(err: unknown): { name: string; message: string; stack?: string } {
  const e = (err ?? {}) as { name?: unknown; message?: unknown; stack?: unknown };
  return {
    name: typeof e.name === 'string' ? e.name : 'Error',
    message: redactEmails(typeof e.message === 'string' ? e.message : String(err)),
    ...(typeof e.stack === 'string' ? { stack: redactEmails(e.stack) } : {}),
  };
}

/**
 * The path parameters, refused with a 400 when one is not the text of a well-formed URL segment: a `%` that
 * starts no valid UTF-8 escape (`dsar_%E0%A4%A`), or what a lenient decoder made of one (a lone surrogate,
 * U+FFFD). None of the API's parameters (request ids, action names) can hold a `%` legitimately.
 */
function pathFrom(event: APIGatewayProxyEventV2): Record<string, string> {
  const path = (event.pathParameters ?? {}) as Record<string, string>;
  for (const value of Object.values(path)) {
    if (!value.isWellFormed() || value.includes('\uFFFD') || (value.includes('%') && !decodes(value))) {
      throw malformedPath();
    }
  }
  return path;
}

function decodes(value: string): boolean {
  try {
    decodeURIComponent(value);
    return true;
  } catch {
    return false;
  }
}

/**
 * A whole number written in decimal digits, from a query string: `z.coerce.number()` would read `0x7e8` as
 * 2024, `1e3` as 1000 and an empty value as 0.
 */
export function decimalInteger(min: number, max: number, message: string) {
  return z.pipe(
    z.pipe(z.string().check(z.regex(/^[0-9]{1,10}$/, message)), z.transform(Number)),
    z.number().check(z.int(), z.minimum(min, message), z.maximum(max, message)),
  );
}

/** Common path and body schemas. */
export const requestIdParam = z.string().check(z.regex(/^dsar_[a-z0-9]{8,40}$/, 'not a request id'));

export function requestIdFrom(path: Record<string, string>): string {
  const parsed = requestIdParam.safeParse(path.id);
  if (!parsed.success) throw new RequestError(404, 'not_found', 'no such request');
  return parsed.data;
}
