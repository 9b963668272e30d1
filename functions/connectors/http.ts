/**
 * The one HTTP path every SaaS connector takes: `fetch` with a timeout tied to the workflow's
 * AbortSignal, JSON parsing, and the mapping of vendor answers to the typed connector errors that the
 * state machine's `Retry`/`Catch` match on.
 *
 * Throttling is retried here only when the vendor's hint is short (a second or two, a bounded number of
 * times): sleeping longer inside a Lambda burns its timeout, so a long hint becomes `ConnectorThrottled`
 * with `retryAfterMs` and the state machine waits instead, for free.
 *
 * Error messages name the request by a caller-given label, never by its URL: URLs carry emails.
 */
import {
  ConnectorAuthFailed,
  ConnectorMisconfigured,
  ConnectorThrottled,
  ConnectorUnavailable,
} from '#connectors/errors';
import { limiter, type Limiter } from '#connectors/concurrency';

export interface HttpResult {
  status: number;
  headers: Headers;
  /** Parsed JSON, the text when it is not JSON, `undefined` when empty. */
  body: unknown;
}

/** What a vendor's answer means when it is not the data asked for. */
export type Failure =
  | { kind: 'throttled'; retryAfterMs?: number; /** false: the vendor said not to repeat now. */ retryHere?: boolean }
  | { kind: 'unavailable' }
  | { kind: 'auth' }
  /** The access token expired: get a new one and send the request once more. */
  | { kind: 'refresh' }
  | { kind: 'misconfigured' };

export interface VendorHttpOptions {
  connectorId: string;
  /**
   * The vendor's own reading of a response (Salesforce's 403 REQUEST_LIMIT_EXCEEDED, Stripe's 400
   * rate_limit, ...). `undefined` falls back to the generic mapping by status.
   */
  classify?(res: HttpResult): Failure | undefined;
  /** Headers that authenticate a request (fetched per request so a refreshed token is used). */
  authorize?(signal?: AbortSignal): Promise<Record<string, string>>;
  /**
   * Drops the cached token so `authorize` mints a new one; called at most once per request, with the
   * headers the rejected request carried. Requests run side by side, so several may be rejected with
   * the same expired token: only the first should drop it, not the new one another has just minted.
   */
  refresh?(rejected: Record<string, string>): void;
  timeoutMs?: number;
  /** Longest throttling hint slept on inside the connector. */
  shortRetryMaxMs?: number;
  /** How many short throttling waits one request may take before giving up to the state machine. */
  maxThrottleRetries?: number;
  /**
   * Most requests in flight at once through this client (VENDOR_CONCURRENCY), however many of the
   * connector's calls run side by side; the others wait for a slot. Unbounded when left out.
   */
  maxConcurrent?: number;
  /** Replaceable for tests. */
  sleep?(ms: number, signal?: AbortSignal): Promise<void>;
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  url: string;
  /** Names the call in error messages (e.g. `GET customers`); URLs are not used because they hold emails. */
  label: string;
  json?: unknown;
  form?: URLSearchParams;
  headers?: Record<string, string>;
  /** Statuses returned to the caller instead of raised (e.g. 404 on a delete: already gone). */
  accept?: number[];
  signal?: AbortSignal;
  /** Skip `authorize` (token endpoints). */
  anonymous?: boolean;
}

export const DEFAULT_TIMEOUT_MS = 20_000;
export const SHORT_RETRY_MAX_MS = 2_000;
export const MAX_THROTTLE_RETRIES = 3;

/**
 * Retry-After as milliseconds: delta-seconds or an HTTP date. Fractional seconds are accepted although
 * the RFC has integers only; a hint in the past means "now".
 */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (value == null) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/** The mapping by status alone, for answers the vendor's `classify` leaves open. */
export function classifyByStatus(res: HttpResult): Failure | undefined {
  const { status } = res;
  if (status >= 200 && status < 300) return undefined;
  if (status === 429) return { kind: 'throttled', retryAfterMs: parseRetryAfter(res.headers.get('retry-after')) };
  if (status === 401 || status === 403) return { kind: 'auth' };
  if (status === 408 || status >= 500) return { kind: 'unavailable' };
  return { kind: 'misconfigured' };
}

export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

async function readBody(res: Response): Promise<unknown> {
  const text = await res.text();
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** A vendor's HTTP client: one per connector instance, holding its auth and error mapping. */
export class VendorHttp {
  private readonly timeoutMs: number;
  private readonly shortRetryMaxMs: number;
  private readonly maxThrottleRetries: number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly slot: Limiter;

  constructor(private readonly options: VendorHttpOptions) {
    this.slot = options.maxConcurrent ? limiter(options.maxConcurrent) : (fn) => fn();
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.shortRetryMaxMs = options.shortRetryMaxMs ?? SHORT_RETRY_MAX_MS;
    this.maxThrottleRetries = options.maxThrottleRetries ?? MAX_THROTTLE_RETRIES;
    this.sleep = options.sleep ?? abortableSleep;
  }

  get connectorId(): string {
    return this.options.connectorId;
  }

  /** Sends the request, retrying short throttling and one token refresh; raises typed errors otherwise. */
  async request(req: RequestOptions): Promise<HttpResult> {
    let throttled = 0;
    let refreshed = false;
    for (;;) {
      const { auth, ...res } = await this.once(req);
      if (req.accept?.includes(res.status)) return res;
      const failure = this.options.classify?.(res) ?? classifyByStatus(res);
      if (!failure) return res;
      const where = `${req.label} answered ${res.status}`;
      switch (failure.kind) {
        case 'refresh':
          if (refreshed || !this.options.refresh) throw new ConnectorAuthFailed(this.connectorId, `${where}: token rejected`);
          refreshed = true;
          this.options.refresh(auth);
          continue;
        case 'throttled': {
          const hint = failure.retryAfterMs ?? parseRetryAfter(res.headers.get('retry-after'));
          const canWaitHere =
            failure.retryHere !== false && hint !== undefined && hint <= this.shortRetryMaxMs && throttled < this.maxThrottleRetries;
          if (canWaitHere) {
            throttled++;
            await this.sleep(hint, req.signal);
            continue;
          }
          throw new ConnectorThrottled(this.connectorId, `${where}: throttled`, hint);
        }
        case 'unavailable':
          throw new ConnectorUnavailable(this.connectorId, where);
        case 'auth':
          throw new ConnectorAuthFailed(this.connectorId, `${where}: credentials rejected`);
        case 'misconfigured':
          throw new ConnectorMisconfigured(this.connectorId, `${where}: ${vendorCode(res.body) ?? 'request rejected'}`);
      }
    }
  }

  /** `request` for a JSON answer. */
  async json<T>(req: RequestOptions): Promise<T> {
    const res = await this.request(req);
    if (res.body !== undefined && typeof res.body !== 'object') {
      throw new ConnectorUnavailable(this.connectorId, `${req.label} answered ${res.status} with a body that is not JSON`);
    }
    return res.body as T;
  }

  private async once(req: RequestOptions): Promise<HttpResult & { auth: Record<string, string> }> {
    const headers: Record<string, string> = { accept: 'application/json', ...req.headers };
    const auth = !req.anonymous && this.options.authorize ? await this.options.authorize(req.signal) : {};
    Object.assign(headers, auth);
    let body: string | undefined;
    if (req.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(req.json);
    } else if (req.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = req.form.toString();
    }
    // A slot is held for the exchange only: not while authorizing (which may itself call the vendor) nor
    // while sleeping on a throttling hint, so waiting never blocks another request's progress.
    return { ...(await this.slot(() => this.exchange(req, headers, body))), auth };
  }

  private async exchange(req: RequestOptions, headers: Record<string, string>, body: string | undefined): Promise<HttpResult> {
    // The timeout starts once the request has its slot: waiting for one is not the vendor being slow.
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const signal = req.signal ? AbortSignal.any([req.signal, timeout]) : timeout;
    try {
      const res = await fetch(req.url, { method: req.method ?? 'GET', headers, body, signal });
      return { status: res.status, headers: res.headers, body: await readBody(res) };
    } catch (err) {
      // The workflow gave up on us: not a vendor failure, let the abort through as it is.
      if (req.signal?.aborted) throw req.signal.reason;
      const why = timeout.aborted ? `timed out after ${this.timeoutMs} ms` : 'network error';
      throw new ConnectorUnavailable(this.connectorId, `${req.label}: ${why}`, { cause: err });
    }
  }
}

/**
 * A vendor's machine-readable error code from the usual body shapes, for messages. Only codes: vendor
 * messages may quote the request's data back (Stripe's "No such customer: 'x'").
 */
export function vendorCode(body: unknown): string | undefined {
  if (Array.isArray(body)) return vendorCode(body[0]);
  if (!body || typeof body !== 'object') return undefined;
  const b = body as Record<string, unknown>;
  for (const key of ['errorCode', 'errorType', 'category', 'code', 'status', 'type']) {
    if (typeof b[key] === 'string') return b[key];
  }
  if (b.error && typeof b.error === 'object') return vendorCode(b.error);
  if (typeof b.error === 'string') return b.error;
  return undefined;
}

/** Splits a list into chunks of at most `size` (Salesforce's 200 ids per delete, IN-list lengths, ...). */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
