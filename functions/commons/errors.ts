/**
 * Errors that domain code raises for a caller's mistake. Each carries the HTTP status and the stable
 * code the API answers with; the message is safe to show (no stack, no subject data). Anything else
 * that escapes a handler is a 500 with a generic message.
 */
export class RequestError extends Error {
  override name = 'RequestError';
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 410 | 413 | 415 | 422 | 429,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export const badRequest = (code: string, message: string, details?: Record<string, unknown>) =>
  new RequestError(400, code, message, details);
export const unauthorized = (message = 'missing or invalid credentials') => new RequestError(401, 'unauthorized', message);
export const forbidden = (code: string, message: string) => new RequestError(403, code, message);
export const notFound = (message = 'no such request') => new RequestError(404, 'not_found', message);
export const conflict = (code: string, message: string) => new RequestError(409, code, message);
export const gone = (code: string, message: string) => new RequestError(410, code, message);
export const unprocessable = (code: string, message: string) => new RequestError(422, code, message);
export const tooMany = (code: string, message: string) => new RequestError(429, code, message);

/** A rate limit refused the call: a 429 whose `Retry-After` header says how many seconds to wait. */
export class RateLimited extends RequestError {
  constructor(
    readonly retryAfterSeconds: number,
    message: string,
  ) {
    super(429, 'rate_limited', message, { retryAfterSeconds });
  }
}
