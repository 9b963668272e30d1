/**
 * How many calls a connector keeps in flight at once to each vendor, and the one way connectors run
 * independent calls side by side: bounded, with results in the order the calls were listed (the access
 * package and the erasure report compare records and counts, so the order must not depend on which
 * vendor answer came back first).
 *
 * The bounds come from the vendors' documented limits (the project's research notes on connectors,
 * "Limits" under each vendor):
 * - Stripe: 100 operations/s in live mode, 25 in sandbox. 8 in flight at Stripe's usual 100-300 ms per
 *   call stays well under the live limit; a sandbox that still throttles answers 429, which VendorHttp
 *   retries on a short hint.
 * - HubSpot: 100-190 requests per 10-second rolling window by plan (search about 4-5/s per token). One
 *   subject's access is about 20 calls, so the window is never the bound; 5 in flight keeps a burst
 *   from several concurrent requests near the per-second share of the smallest plan.
 * - Salesforce: counts its limits per day (`Sforce-Limit-Info`), plus at most 25 concurrent
 *   long-running requests (20 s or more) per production org, shared with every other integration
 *   (Salesforce's "API Request Limits and Allocations"; not in the research notes). Short calls do not
 *   count against it; 10 lets the connector's 9 describes run as one wave, and even if every query
 *   turned slow it would take under half of the 25.
 * - S3: thousands of GETs per second per prefix; the bound is for the Lambda (sockets, memory of the
 *   objects read at once), not for S3.
 */
import pLimit from 'p-limit';

export const VENDOR_CONCURRENCY = {
  stripe: 8,
  hubspot: 5,
  salesforce: 10,
  s3: 8,
} as const;

/** Runs at most `limit` of the functions given to it at once; the rest wait their turn. */
export type Limiter = <T>(fn: () => Promise<T>) => Promise<T>;

export function limiter(limit: number): Limiter {
  const run = pLimit(Math.max(1, limit));
  return (fn) => run(fn);
}

/**
 * `fn` over every item, at most `limit` at once, results in the items' order. After the first failure
 * the calls not yet started are not started (their results would be thrown away) and that failure is
 * raised once the started ones have settled, so nothing keeps running behind the caller's back.
 */
export async function mapInOrder<T, R>(items: readonly T[], limit: number | Limiter, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const run = typeof limit === 'number' ? limiter(limit) : limit;
  let failed = false;
  const settled = await Promise.allSettled(
    items.map((item, i) =>
      run(async () => {
        if (failed) throw new Skipped();
        try {
          return await fn(item, i);
        } catch (err) {
          failed = true;
          throw err;
        }
      }),
    ),
  );
  const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected' && !(s.reason instanceof Skipped));
  if (failure) throw failure.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<R>).value);
}

/**
 * `fn` over a stream of items with up to `ahead` calls running, results yielded in the items' order:
 * the next items' calls run while the caller works on the current result, and at most `ahead` results
 * are held at once (a stream of large objects never sits in memory whole). When the caller stops early
 * or a call fails, the calls already started are waited for before returning.
 */
export async function* inOrderAhead<T, R>(items: Iterable<T> | AsyncIterable<T>, ahead: number, fn: (item: T) => Promise<R>): AsyncGenerator<R> {
  const pending: Array<Promise<R>> = [];
  try {
    for await (const item of items) {
      const call = fn(item);
      // Observed here so a failure that is not yet awaited is not reported as unhandled.
      call.catch(() => undefined);
      pending.push(call);
      if (pending.length >= Math.max(1, ahead)) yield await pending.shift()!;
    }
    while (pending.length) yield await pending.shift()!;
  } finally {
    await Promise.allSettled(pending);
  }
}

/** Marks a call not started because an earlier one failed. */
class Skipped extends Error {}

/** Every item of an async iterable, in order. */
export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}
