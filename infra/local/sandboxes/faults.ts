/**
 * Fault injection for the vendor sandboxes, set from tests through `FaultControl` or from anywhere with
 * `POST /__sandbox/faults` (JSON body, same shape as `FaultPatch`); `GET` shows the settings, `DELETE`
 * resets them. Everything is off by default except a generous rate limit, so the demo stays fast.
 */

export interface ThrottleFault {
  /** How many of the next requests are throttled. */
  count: number;
  /** Retry-After to send (ms; vendors that send whole seconds round up); omitted: the vendor's default. */
  retryAfterMs?: number;
  /**
   * Which of the vendor's throttling answers: Stripe `'429'` (default) or `'400'` (code rate_limit);
   * Google Analytics `'429'` or `'403'`; HubSpot the policy name (`TEN_SECONDLY_ROLLING`, `DAILY`).
   */
  form?: string;
  /** Stripe only: the `Stripe-Should-Retry` header to send. */
  shouldRetry?: boolean;
}

/**
 * The partial answers a vendor can give, each made by the vendor sandbox from the real answer so it has
 * the vendor's shape (see each sandbox's `partial`):
 * - `errors`: a multi-status answer where some of the ids asked for come back as errors other than
 *   "not found" (HubSpot 207 `errors`, Salesforce composite `success: false`);
 * - `no-results`: the answer without its result list (HubSpot 207 without `results`, Salesforce query
 *   without `records` or a composite answer with no entries, Stripe list without `data`, GA deletion
 *   without `deletionRequestTime`);
 * - `early-end`: a page that ends early (HubSpot: last result and `paging` dropped while `total` says
 *   more; Salesforce `done: false` without `nextRecordsUrl`; Stripe `has_more: true` with no data, or
 *   search without `next_page`).
 * A form that does not apply to the matched call leaves the answer as it is.
 */
export type PartialForm = 'errors' | 'no-results' | 'early-end';
export const PARTIAL_FORMS: readonly PartialForm[] = ['errors', 'no-results', 'early-end'];

export interface FailNextFault {
  /** Substring of the request's path and query. */
  match: string;
  /** The status to answer with (default 500); with `partial`, the status the vendor answers that form with. */
  status?: number;
  count: number;
  /** Answer with this body verbatim (with `status`) instead of the vendor's error body. */
  body?: unknown;
  /** Let the request through, then cut its real answer down to this partial form. */
  partial?: PartialForm;
}

/** A matched rule as the server applies it. */
export interface FailNextHit {
  status?: number;
  body?: unknown;
  partial?: PartialForm;
}

export interface RateLimit {
  /** Bucket size: requests that may come in a burst. */
  capacity: number;
  refillPerSecond: number;
}

export interface Faults {
  latencyMs: number;
  /** Fraction (0-1) of requests answered 503. */
  errorRate: number;
  throttle: ThrottleFault;
  failNext: FailNextFault[];
  rateLimit: RateLimit;
}

/** What `POST /__sandbox/faults` and `FaultControl.set` accept; given fields replace, `failNext` appends. */
export interface FaultPatch {
  latencyMs?: number;
  errorRate?: number;
  throttle?: ThrottleFault;
  failNext?: FailNextFault | FailNextFault[];
  /** Invalidates the tokens issued so far (Salesforce, GA) or makes the next call 401 expired (Stripe, HubSpot). */
  expireToken?: boolean;
  rateLimit?: RateLimit;
}

/** A fault setting that cannot be applied (answered 400 by the control endpoint). */
export class FaultPatchError extends Error {}

export const DEFAULT_RATE_LIMIT: RateLimit = { capacity: 5_000, refillPerSecond: 5_000 };

function defaults(): Faults {
  return { latencyMs: 0, errorRate: 0, throttle: { count: 0 }, failNext: [], rateLimit: { ...DEFAULT_RATE_LIMIT } };
}

/** Token bucket: `take` answers 0 when a request may pass, otherwise the wait in ms until it could. */
export class TokenBucket {
  private tokens: number;
  private last = Date.now();

  constructor(private limit: RateLimit) {
    this.tokens = limit.capacity;
  }

  configure(limit: RateLimit): void {
    this.limit = limit;
    this.tokens = limit.capacity;
    this.last = Date.now();
  }

  take(): number {
    const now = Date.now();
    this.tokens = Math.min(this.limit.capacity, this.tokens + ((now - this.last) / 1000) * this.limit.refillPerSecond);
    this.last = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil(((1 - this.tokens) / this.limit.refillPerSecond) * 1000));
  }
}

export class FaultState {
  current: Faults = defaults();
  readonly bucket = new TokenBucket(this.current.rateLimit);

  snapshot(): Faults {
    return structuredClone(this.current);
  }

  apply(patch: FaultPatch): Faults {
    const f = this.current;
    if (patch.latencyMs !== undefined) f.latencyMs = Math.max(0, Number(patch.latencyMs));
    if (patch.errorRate !== undefined) f.errorRate = Math.min(1, Math.max(0, Number(patch.errorRate)));
    if (patch.throttle) f.throttle = { ...patch.throttle, count: Math.max(0, Number(patch.throttle.count ?? 1)) };
    if (patch.failNext) {
      for (const rule of Array.isArray(patch.failNext) ? patch.failNext : [patch.failNext]) {
        if (rule.partial !== undefined && !PARTIAL_FORMS.includes(rule.partial)) throw new FaultPatchError(`partial must be one of ${PARTIAL_FORMS.join(', ')}`);
        f.failNext.push({
          match: String(rule.match ?? ''),
          count: Number(rule.count ?? 1),
          // A partial answer keeps the vendor's own status unless one is given; a failure defaults to 500.
          ...(rule.status !== undefined || !rule.partial ? { status: Number(rule.status ?? 500) } : {}),
          ...(rule.body !== undefined ? { body: rule.body } : {}),
          ...(rule.partial ? { partial: rule.partial } : {}),
        });
      }
    }
    if (patch.rateLimit) {
      f.rateLimit = { ...patch.rateLimit };
      this.bucket.configure(f.rateLimit);
    }
    return this.snapshot();
  }

  reset(): void {
    this.current = defaults();
    this.bucket.configure(this.current.rateLimit);
  }

  /** What to do with this request, if a "fail the next N" rule matches it. */
  takeFailNext(target: string): FailNextHit | undefined {
    const rule = this.current.failNext.find((r) => r.count > 0 && target.includes(r.match));
    if (!rule) return undefined;
    rule.count--;
    this.current.failNext = this.current.failNext.filter((r) => r.count > 0);
    return { status: rule.status, body: rule.body, partial: rule.partial };
  }

  takeThrottle(): Omit<ThrottleFault, 'count'> | undefined {
    const t = this.current.throttle;
    if (t.count <= 0) return undefined;
    t.count--;
    const { count: _count, ...rest } = t;
    return rest;
  }
}

/** The test-facing handle on every sandbox's faults. */
export interface FaultControl {
  get(vendor: string): Faults;
  set(vendor: string, patch: FaultPatch): Faults;
  /** Resets one vendor, or all when none is named. */
  reset(vendor?: string): void;
}
