/**
 * One way to call the HTTP API from the browser: JSON in, JSON out, and every failure an ApiError that
 * carries the API's own `{error: {code, message}}`, so pages show the API's message instead of guessing.
 * What the API answers is typed from its contract (./api-types.ts, generated from docs/openapi.yaml).
 */
import type { components, operations } from './api-types.ts';

/** The document's schemas (docs/openapi.yaml `components.schemas`). */
export type Schemas = components['schemas'];

/** The JSON body an operation answers with a status (200 unless said), as the document declares it. */
export type Answer<Op extends keyof operations, Status extends number = 200> = operations[Op] extends {
  responses: { [S in Status]: { content: { 'application/json': infer Body } } };
}
  ? Body
  : never;

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** The error's `details` (e.g. `attemptsLeft`, `retryAfterSeconds`), for pages that word it themselves. */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /**
   * True when the endpoint itself does not exist on this deployment (an older API): the gateway's bare
   * 404/405, or the action route's `unknown_action`. A 404 for a missing request is not this.
   */
  get unavailable(): boolean {
    return (this.status === 404 && (this.code === 'route_not_found' || this.code === 'unknown_action')) || this.status === 405;
  }
}

export interface CallOptions {
  body?: unknown;
  token?: string;
  headers?: Record<string, string>;
}

export class Api {
  constructor(
    private readonly baseUrl: string,
    private readonly fetchImpl: typeof fetch = (input, init) => fetch(input, init),
  ) {}

  url(path: string): string {
    return `${this.baseUrl}${path}`;
  }

  async call<T = unknown>(method: string, path: string, options: CallOptions = {}): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let res: Response;
    try {
      res = await this.fetchImpl(this.url(path), {
        method,
        headers,
        ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
        cache: 'no-store',
      });
    } catch {
      throw new ApiError(0, 'network_error', 'The service could not be reached. Check your connection and try again.');
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (!res.ok) throw toError(res.status, json);
    return json as T;
  }
}

function toError(status: number, json: unknown): ApiError {
  const err = (json as { error?: { code?: string; message?: string; details?: Record<string, unknown> } } | undefined)?.error;
  if (err?.code) return new ApiError(status, err.code, err.message ?? err.code, err.details ?? {});
  // API Gateway (and the local adapter) answer unknown routes and missing auth without our error shape.
  if (status === 404) return new ApiError(404, 'route_not_found', 'This function is not available on this server.');
  if (status === 401) return new ApiError(401, 'unauthorized', 'Your sign-in is missing or has expired. Sign in again.');
  if (status === 403) return new ApiError(403, 'forbidden', 'You are not allowed to do this.');
  return new ApiError(status, 'http_error', `The server answered ${status}.`);
}
