/**
 * Working days: Monday to Friday, less the public holidays that date-holidays lists for a country.
 *
 * Only holidays of type `public` count, because they are the days the law closes offices; `bank`,
 * `optional` and `observance` days are ordinary working days for the deadline (Ireland, for one,
 * marks Good Friday `bank`: it is not a public holiday there). A public holiday that starts at noon
 * (Iceland's 24 and 31 December) leaves a working morning, so the day still counts as working: rolling
 * past it would make the due date later than the law allows.
 *
 * Holidays are national: a regional holiday (Bavaria, Catalonia...) is not a reason to roll, which
 * again can only make a due date earlier. GB means England and Wales (the `ENG` calendar of
 * date-holidays), because the national GB calendar leaves out the late-summer bank holiday that
 * England, Wales and Northern Ireland share but Scotland does not.
 *
 * Building a Holidays instance parses a country's rules, so instances and each year's holiday dates are
 * built on first use and kept for the life of the process (a Lambda container).
 */
import Holidays from 'date-holidays';
import { addCalendarDays, dayOfWeek, parseDate } from './calendar.ts';
import { isKnownCountry } from './countries.ts';
import { DeadlineInputError } from './errors.ts';

/** Which date-holidays calendar stands for a country code where the national one is not the right one. */
const CALENDAR_FOR: Readonly<Record<string, readonly [string, string?]>> = {
  GB: ['GB', 'ENG'],
};

const calendars = new Map<string, Holidays>();
const publicHolidaysByYear = new Map<string, ReadonlySet<string>>();

/** Splits `CC` or `CC-SUB` (ISO 3166-2, e.g. US-CA) and checks both parts. */
function parseRegion(region: string): [string, string?] {
  const [country = '', state, ...rest] = region.toUpperCase().split('-');
  if (!isKnownCountry(country) || rest.length > 0) {
    throw new DeadlineInputError(`unknown country "${region}"`);
  }
  if (state === undefined) return CALENDAR_FOR[country] ? [...CALENDAR_FOR[country]] : [country];
  return [country, state];
}

function calendarFor(country: string, state?: string): Holidays {
  const key = state ? `${country}-${state}` : country;
  let hd = calendars.get(key);
  if (!hd) {
    hd = new Holidays();
    if (state && !Object.hasOwn(hd.getStates(country) ?? {}, state)) {
      throw new DeadlineInputError(`unknown subdivision "${state}" of ${country}`);
    }
    // Without languages the names stay in the country's own language; the engine never shows them.
    const opts = { types: ['public' as const] };
    if (state) hd.init(country, state, opts);
    else hd.init(country, opts);
    calendars.set(key, hd);
  }
  return hd;
}

function publicHolidays(country: string, state: string | undefined, year: number): ReadonlySet<string> {
  const key = `${country}-${state ?? ''}-${year}`;
  let days = publicHolidaysByYear.get(key);
  if (!days) {
    const set = new Set<string>();
    for (const h of calendarFor(country, state).getHolidays(year)) {
      // Half-day holidays (a start time other than midnight) are working days, see above.
      if (h.type !== 'public' || !h.date.endsWith(' 00:00:00')) continue;
      const first = h.date.slice(0, 10);
      // Some holidays last more than a day (Romania's New Year: 1 and 2 January).
      const length = Math.max(1, Math.round((h.end.getTime() - h.start.getTime()) / 86_400_000));
      for (let i = 0; i < length; i++) set.add(addCalendarDays(first, i));
    }
    days = set;
    publicHolidaysByYear.set(key, days);
  }
  return days;
}

/** Whether `date` is a public holiday of `region` (`NO`, `GB`, `US-CA`...). */
export function isPublicHoliday(date: string, region: string): boolean {
  const { year } = parseDate(date);
  const [country, state] = parseRegion(region);
  return publicHolidays(country, state, year).has(date);
}

/**
 * Whether `date` (`YYYY-MM-DD`) is a working day in `region`: a country code known to the engine
 * (`NO`, `GB`...), or a country and subdivision (`US-CA`). Saturday and Sunday are never working days
 * in the countries the engine knows.
 */
export function isWorkingDay(date: string, region: string): boolean {
  const dow = dayOfWeek(date);
  if (dow === 0 || dow === 6) return false;
  return !isPublicHoliday(date, region);
}

/** `date` itself when it is a working day, else the next one. */
export function rollToWorkingDay(date: string, region: string): string {
  let d = date;
  // Bounded: no country has a fortnight of consecutive holidays; the bound only guards bad data.
  for (let i = 0; i < 15; i++, d = addCalendarDays(d, 1)) {
    if (isWorkingDay(d, region)) return d;
  }
  throw new Error(`no working day in ${region} within 15 days of ${date}`);
}

/** The date `n` working days after `date`, the day of `date` itself not counted. */
export function addWorkingDays(date: string, n: number, region: string): string {
  let d = date;
  for (let counted = 0; counted < n; ) {
    d = addCalendarDays(d, 1);
    if (isWorkingDay(d, region)) counted++;
  }
  return d;
}
