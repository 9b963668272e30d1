/**
 * Whether a request's clock may change, without changing it. Its own module, apart from
 * clock-stop.ts, because the staff queue and the request view list the allowed actions on every
 * read and must not bundle the deadline engine (and its holiday calendars) to do so.
 */
import { RequestError, conflict } from '#commons/errors';
import type { AppContext } from '../../context.ts';
import { jurisdictionRules } from '../rules.ts';
import { ANSWERED_OPEN_STATUSES, CLOSED_STATUSES, type RequestRecord } from '../../requests/model.ts';

/** Why a closed request's deadline cannot change, or undefined while it is open (extend and pause alike). */
export function closedRefusal(r: RequestRecord): RequestError | undefined {
  if (CLOSED_STATUSES.has(r.status) || !r.openPk) {
    return conflict('request_closed', `request ${r.requestId} is ${r.status}: its deadline can no longer change`);
  }
  return undefined;
}

/** Why the clock of this request may not stop, or undefined when it may. */
export function clockStopRefusal(ctx: AppContext, r: RequestRecord): string | undefined {
  const rule = jurisdictionRules[r.jurisdiction];
  if (rule.clockStopAllowed === 'never') {
    return `${r.jurisdiction} (${rule.statute}) counts the period from receipt: the clock cannot be stopped`;
  }
  if (rule.clockStopAllowed === 'by_configuration' && !ctx.config.deadlines.gdprClockStop) {
    return `stopping the clock on a ${r.jurisdiction} request is off in this installation (deadlines.gdprClockStop)`;
  }
  return undefined;
}

/**
 * A request answered but still open (a restriction in force until lifted) has met its deadline: there is
 * nothing left to extend or to stop the clock for.
 */
export function answeredRefusal(r: RequestRecord): RequestError | undefined {
  if (ANSWERED_OPEN_STATUSES.has(r.status)) {
    return conflict('answered', `request ${r.requestId} was answered${r.answeredAt ? ` on ${r.answeredAt.slice(0, 10)}` : ''} (${r.status}): its deadline was met and no longer changes`);
  }
  return undefined;
}
