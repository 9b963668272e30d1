/**
 * Arithmetic on calendar dates written `YYYY-MM-DD`.
 *
 * A legal deadline is a date, not an instant, so the engine never carries a time of day: once the
 * receipt date is fixed in the controller's time zone, everything is counted on dates. Dates are held
 * as UTC midnights internally only because UTC has no daylight-saving gaps.
 */
import { DeadlineInputError } from './errors.ts';

const DAY_MS = 86_400_000;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

export interface DateParts {
  year: number;
  /** 1-12 */
  month: number;
  day: number;
}

/** Number of days in a month (month 1-12); day 0 of the next month is this month's last day. */
export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Parses a `YYYY-MM-DD` date and rejects impossible ones such as 2026-02-30 (Date.parse would roll them). */
export function parseDate(date: string): DateParts {
  const m = DATE_RE.exec(date);
  if (!m) throw new DeadlineInputError(`invalid date "${date}": expected YYYY-MM-DD`);
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    throw new DeadlineInputError(`invalid date "${date}": no such day in the calendar`);
  }
  return { year, month, day };
}

export function formatDate({ year, month, day }: DateParts): string {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

function toUtcMs(date: string): number {
  const { year, month, day } = parseDate(date);
  return Date.UTC(year, month - 1, day);
}

function fromUtcMs(ms: number): string {
  const d = new Date(ms);
  return formatDate({ year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() });
}

/** The date `n` calendar days after `date` (before it when `n` is negative). */
export function addCalendarDays(date: string, n: number): string {
  if (!Number.isInteger(n)) throw new DeadlineInputError(`a number of days must be an integer, got ${n}`);
  return fromUtcMs(toUtcMs(date) + n * DAY_MS);
}

/** Calendar days from `a` to `b`: positive when `b` is later, 0 for the same date. */
export function daysBetween(a: string, b: string): number {
  return Math.round((toUtcMs(b) - toUtcMs(a)) / DAY_MS);
}

/** Day of the week, 0 = Sunday ... 6 = Saturday. */
export function dayOfWeek(date: string): number {
  return new Date(toUtcMs(date)).getUTCDay();
}

/**
 * The same date `n` months later, clamped to the last day of a shorter month: Regulation 1182/71
 * art. 3(2)(c) ends a period in months on the day with the same date, or on the month's last day when
 * that date does not exist (31 August + 1 month = 30 September).
 */
export function addMonthsClamped(date: string, n: number): string {
  const { year, month, day } = parseDate(date);
  const index = year * 12 + (month - 1) + n;
  const y = Math.floor(index / 12);
  const m = (index % 12) + 1;
  return formatDate({ year: y, month: m, day: Math.min(day, daysInMonth(y, m)) });
}
