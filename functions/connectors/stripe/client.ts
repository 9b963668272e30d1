/**
 * A thin Stripe client: Bearer secret key, a pinned `Stripe-Version`, list paging with
 * `limit=100&starting_after=`, search paging with `page`, and Stripe's error reading:
 * 429 (and 400 with `code: rate_limit`) is throttling, `Stripe-Should-Retry` says whether repeating the
 * same request can help.
 */
import { listIn, nextCursor } from '#connectors/completeness';
import { VENDOR_CONCURRENCY } from '#connectors/concurrency';
import { VendorHttp, parseRetryAfter, type Failure, type HttpResult } from '#connectors/http';
import type { ConnectorContext } from '#connectors/types';

export interface StripeClientOptions {
  connectorId: string;
  baseUrl: string;
  secretKey: string;
  stripeVersion: string;
  /** Wait suggested for a rate limit without Retry-After (Stripe's limits are per second). */
  rateLimitHintMs: number;
  pageSize: number;
  timeoutMs?: number;
}

export interface StripeObject {
  id: string;
  object: string;
  [key: string]: unknown;
}

/** A request-specific API version: preview endpoints need a preview version. */
export interface RequestVersion {
  stripeVersion: string;
}

interface ListPage {
  data: StripeObject[];
  has_more: boolean;
  next_page?: string | null;
}

function stripeError(body: unknown): { type?: string; code?: string } {
  const error = body && typeof body === 'object' ? (body as { error?: unknown }).error : undefined;
  return error && typeof error === 'object' ? (error as { type?: string; code?: string }) : {};
}

export function classifyStripe(res: HttpResult, rateLimitHintMs: number): Failure | undefined {
  if (res.status < 400) return undefined;
  const { code, type } = stripeError(res.body);
  const shouldRetry = res.headers.get('stripe-should-retry');
  const hint = parseRetryAfter(res.headers.get('retry-after'));
  if (res.status === 429 || code === 'rate_limit' || type === 'rate_limit_error') {
    // A rate limit passes with time whatever the header says; `false` only forbids repeating it right now.
    return { kind: 'throttled', retryAfterMs: hint ?? rateLimitHintMs, retryHere: shouldRetry !== 'false' };
  }
  if (res.status === 401) return { kind: 'auth' };
  if (res.status === 403) return { kind: 'auth' }; // restricted key without the permission: a person must fix it
  if (shouldRetry === 'false') return { kind: 'misconfigured' };
  if (shouldRetry === 'true' || res.status === 409 || res.status >= 500) return { kind: 'unavailable' };
  return { kind: 'misconfigured' };
}

export class StripeClient {
  readonly http: VendorHttp;

  constructor(private readonly options: StripeClientOptions) {
    this.http = new VendorHttp({
      connectorId: options.connectorId,
      timeoutMs: options.timeoutMs,
      maxConcurrent: VENDOR_CONCURRENCY.stripe,
      classify: (res) => classifyStripe(res, options.rateLimitHintMs),
      authorize: async () => ({ authorization: `Bearer ${options.secretKey}` }),
    });
  }

  url(path: string, query?: URLSearchParams): string {
    const q = query?.toString();
    return `${this.options.baseUrl.replace(/\/$/, '')}/v1/${path}${q ? `?${q}` : ''}`;
  }

  /**
   * Every object of a list endpoint, following `has_more` with `starting_after`. `has_more` with an
   * empty page has no last id to go on from: an error, not the end.
   */
  async *list(path: string, params: Record<string, string>, label: string, ctx: ConnectorContext): AsyncGenerator<StripeObject> {
    let startingAfter: string | undefined;
    for (;;) {
      const query = new URLSearchParams({ ...params, limit: String(this.options.pageSize) });
      if (startingAfter) query.set('starting_after', startingAfter);
      const page = await this.http.json<ListPage>({ url: this.url(path, query), label: `GET ${label}`, headers: this.version(), signal: ctx.signal });
      const data = listIn<StripeObject>(this.http.connectorId, `GET ${label}`, page?.data, 'data');
      yield* data;
      startingAfter = nextCursor(this.http.connectorId, `GET ${label}`, { more: page.has_more === true, cursor: data.at(-1)?.id, size: data.length, previous: startingAfter });
      if (!startingAfter) return;
    }
  }

  /** Every result of a search, following `next_page`; `has_more` without a `next_page` is an error. */
  async *search(path: string, query: string, label: string, ctx: ConnectorContext): AsyncGenerator<StripeObject> {
    let page: string | undefined;
    for (;;) {
      const params = new URLSearchParams({ query, limit: String(this.options.pageSize) });
      if (page) params.set('page', page);
      const res = await this.http.json<ListPage>({ url: this.url(path, params), label: `GET ${label}`, headers: this.version(), signal: ctx.signal });
      const data = listIn<StripeObject>(this.http.connectorId, `GET ${label}`, res?.data, 'data');
      yield* data;
      page = nextCursor(this.http.connectorId, `GET ${label}`, { more: res.has_more === true, cursor: res.next_page, size: data.length, previous: page });
      if (!page) return;
    }
  }

  /** The API version header: the pinned one, or a preview version for a preview endpoint. */
  private version(override?: RequestVersion): Record<string, string> {
    return { 'stripe-version': override?.stripeVersion ?? this.options.stripeVersion };
  }

  /** One object, GET. */
  async get<T>(path: string, label: string, ctx: ConnectorContext, version?: RequestVersion): Promise<T> {
    return this.http.json<T>({ url: this.url(path), label: `GET ${label}`, headers: this.version(version), signal: ctx.signal });
  }

  /**
   * A POST whose answer is needed. `idempotencyKey` makes a repeat (the state machine's retry) get the
   * first call's answer instead of acting twice: Stripe keeps keys for 24 hours.
   */
  async post<T>(path: string, label: string, ctx: ConnectorContext, form: URLSearchParams, idempotencyKey?: string, version?: RequestVersion): Promise<T> {
    const headers = { ...this.version(version), ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}) };
    return this.http.json<T>({ method: 'POST', url: this.url(path), label: `POST ${label}`, form, headers, signal: ctx.signal });
  }

  /** DELETE or POST that treats `resource_missing` as already done; false when the object was gone. */
  async mutate(method: 'DELETE' | 'POST', path: string, label: string, ctx: ConnectorContext, form?: URLSearchParams): Promise<boolean> {
    const res = await this.http.request({ method, url: this.url(path), label: `${method} ${label}`, form, headers: this.version(), accept: [404], signal: ctx.signal });
    return res.status !== 404;
  }
}

/** A Stripe search-query string literal: quotes and backslashes escaped with a backslash. */
export function searchString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
