/**
 * The receipt date in the controller's time zone (law.md: a request received at 23:30 UTC on
 * 31 January is received on 1 February in Oslo). Uses Intl, which Node ships with full ICU, so the
 * Lambda bundle needs no time-zone library.
 */
import { DeadlineInputError } from './errors.ts';

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    } catch {
      throw new DeadlineInputError(`unknown time zone "${timeZone}": expected an IANA name such as Europe/Oslo`);
    }
    formatters.set(timeZone, f);
  }
  return f;
}

/** Throws DeadlineInputError unless `timeZone` is an IANA zone this runtime knows; returns its canonical spelling. */
export function assertTimeZone(timeZone: string): string {
  return formatterFor(timeZone).resolvedOptions().timeZone;
}

/** `YYYY-MM-DD` of the instant as a wall clock in `timeZone` shows it. */
export function localDate(instant: Date, timeZone: string): string {
  const parts = formatterFor(timeZone).formatToParts(instant);
  const get = (type: Intl.DateTimeFormatPartTypes): string => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year').padStart(4, '0')}-${get('month')}-${get('day')}`;
}
