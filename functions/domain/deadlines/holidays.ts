/**
 * Working days: Monday to Friday, less the public holidays that date-holidays lists for a country. The
 * holidays are read at build time into holiday-table.generated.ts (infra/build/public-holidays.ts,
 * `npm run holidays`), so no Lambda bundles date-holidays and its 1.3 MB of dependencies.
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
 */
import { addCalendarDays, dayOfWeek, parseDate } from './calendar.ts';
import { isKnownCountry } from './countries.ts';
import { DeadlineInputError } from './errors.ts';
import { FIRST_YEAR, LAST_YEAR, PUBLIC_HOLIDAYS } from './holiday-table.generated.ts';

/** Each region's year as a set of dates, built on first use and kept for the life of the process. */
const publicHolidaysByYear = new Map<string, ReadonlySet<string>>();

/** Checks `CC` or `CC-SUB` (ISO 3166-2, e.g. US-CA) against the countries and the generated table. */
function parseRegion(region: string): string {
  const key = region.toUpperCase();
  const [country = '', state, ...rest] = key.split('-');
  if (!isKnownCountry(country) || rest.length > 0) {
    throw new DeadlineInputError(`unknown country "${region}"`);
  }
  if (!Object.hasOwn(PUBLIC_HOLIDAYS, key)) {
    // The table holds the subdivisions a law counts in; add one in infra/build/public-holidays.ts.
    throw new DeadlineInputError(`unknown subdivision "${state}" of ${country}`);
  }
  return key;
}

function publicHolidays(region: string, year: number): ReadonlySet<string> {
  const key = `${region}-${year}`;
  let days = publicHolidaysByYear.get(key);
  if (!days) {
    const row = PUBLIC_HOLIDAYS[region]![year - FIRST_YEAR];
    if (row === undefined) {
      throw new DeadlineInputError(`no public holidays for ${year}: the table covers ${FIRST_YEAR}-${LAST_YEAR} (npm run holidays extends it)`);
    }
    days = new Set(row === '' ? [] : row.split(' ').map((mmdd) => `${year}-${mmdd.slice(0, 2)}-${mmdd.slice(2)}`));
    publicHolidaysByYear.set(key, days);
  }
  return days;
}

/** Whether `date` is a public holiday of `region` (`NO`, `GB`, `US-CA`...). */
export function isPublicHoliday(date: string, region: string): boolean {
  const { year } = parseDate(date);
  return publicHolidays(parseRegion(region), year).has(date);
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
