/**
 * Long vendor throttling, waited out by the state machine instead of its Retry.
 *
 * A connector sleeps on a short throttling hint itself (functions/connectors/http.ts); a longer one
 * (HubSpot's DAILY policy, Salesforce's REQUEST_LIMIT_EXCEEDED) comes out as `ConnectorThrottled` with
 * `retryAfterMs`. The ASL Retry's fixed backoff would spend its attempts in minutes and fail the
 * connector although the vendor said when it will answer again, so the collect and erase steps turn a
 * hinted throttle into a `throttled` result, which their Lambda handlers throw as `VendorThrottled`
 * (the exception path, so a Map iteration that is not throttled is one Task state and nothing else):
 * the iteration catches it, waits `waitSeconds` in a Wait state (free on Step Functions) and runs the
 * step again. The total wait per connector is bounded in time
 * and in loops, so a vendor that never lets us in ends with staff, like any other failure. Hintless throttling is left to
 * the ASL Retry.
 */
import { ConnectorThrottled } from '#connectors/errors';
import { logger } from '#commons/observability';
import type { AppContext } from '../context.ts';

/** At most a day of waiting per connector and request: past it, the failure goes to staff. */
export const THROTTLE_WAIT_BUDGET_SECONDS = 24 * 60 * 60;
/**
 * At most this many waits per connector and request, whatever the hints: every loop adds about a dozen
 * events to the execution's history (capped at 25,000 by Step Functions, shared by the whole Map), and
 * re-runs the connector from the start.
 */
export const MAX_THROTTLE_WAITS = 16;
/**
 * The first wait is the vendor's hint; the n-th after it lasts at least this times 2^(n-2) seconds: a
 * vendor that keeps answering "one second" is given exponentially more room, so the loop count stays
 * small while the day's budget can still be used.
 */
export const MIN_THROTTLE_WAIT_SECONDS = 10;

/** What the Map iteration carries from one throttled run of a step to the next. */
export interface ThrottleProgress {
  /** How many times this connector was throttled with a hint in this iteration so far. */
  throttleWaits?: number;
  /** Seconds waited on hints so far. */
  waitedSeconds?: number;
}

export interface ThrottledResult {
  connectorId: string;
  status: 'throttled';
  /** Whole seconds, as the Wait state's SecondsPath needs a non-negative integer. */
  waitSeconds: number;
  throttleWaits: number;
  waitedSeconds: number;
}

/**
 * The `throttled` result for `err` when it is a hinted throttle that still fits the budget; otherwise
 * `undefined`, and the caller rethrows so the ASL Retry (hintless) or Catch (budget spent) applies.
 * Records `connector.throttled` on the audit trail so staff see why the request waits.
 */
export async function throttledResult(
  ctx: AppContext,
  requestId: string,
  connectorId: string,
  err: unknown,
  progress: ThrottleProgress,
  budgetSeconds = THROTTLE_WAIT_BUDGET_SECONDS,
): Promise<ThrottledResult | undefined> {
  if (!(err instanceof ConnectorThrottled) || err.retryAfterMs === undefined) return undefined;
  const throttleWaits = (progress.throttleWaits ?? 0) + 1;
  const floor = throttleWaits === 1 ? 1 : MIN_THROTTLE_WAIT_SECONDS * 2 ** (throttleWaits - 2);
  const waitSeconds = Math.max(floor, Math.ceil(err.retryAfterMs / 1000));
  const waitedSeconds = (progress.waitedSeconds ?? 0) + waitSeconds;
  if (waitedSeconds > budgetSeconds || throttleWaits > MAX_THROTTLE_WAITS) {
    logger.warn('connector throttled past the wait budget', { requestId, connectorId, waitSeconds, throttleWaits, waitedSeconds: progress.waitedSeconds ?? 0 });
    return undefined;
  }
  await ctx.repo.audit(requestId, 'system', 'connector.throttled', { connectorId, waitSeconds, throttleWaits });
  logger.info('connector throttled; the workflow waits', { requestId, connectorId, waitSeconds, throttleWaits });
  return { connectorId, status: 'throttled', waitSeconds, throttleWaits, waitedSeconds };
}

/**
 * A `throttled` result as the error the workflow catches into its wait loop. The message is the JSON of
 * what the next run needs and how long to wait: Step Functions hands it on as the `errorMessage` inside
 * the error's Cause, which the ASL's `States.StringToJson` reads back (statemachines/dsar.asl.json).
 */
export class VendorThrottled extends Error {
  constructor(readonly throttled: ThrottledResult) {
    super(JSON.stringify({ waitSeconds: throttled.waitSeconds, throttleWaits: throttled.throttleWaits, waitedSeconds: throttled.waitedSeconds }));
    this.name = 'VendorThrottled';
  }
}

/** A step's result, or its `throttled` result thrown as `VendorThrottled` for the workflow's wait loop. */
export function unlessThrottled<R extends { status: string }>(result: R | ThrottledResult): R {
  if (result.status === 'throttled') throw new VendorThrottled(result as ThrottledResult);
  return result as R;
}
