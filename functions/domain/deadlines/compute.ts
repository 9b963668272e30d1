/**
 * The deadline engine: when a request is due, when it is due if extended, and when receipt must be
 * acknowledged, per law (law.md is the source of truth; docs/deadlines.md explains the choices).
 */
// Type only: importing the JURISDICTIONS value would pull zod (the config schema) into every bundle
// that computes a date. COUNTING below is a Record over the type, so tsc fails if the lists differ.
import type { Jurisdiction, RequestType } from '#commons/config';
import { addCalendarDays, addMonthsClamped, parseDate } from './calendar.ts';
import { COUNTRY_TIME_ZONES, isKnownCountry } from './countries.ts';
import { DeadlineInputError } from './errors.ts';
import { addWorkingDays, rollToWorkingDay } from './holidays.ts';
import { jurisdictionRules } from './rules.ts';
import { assertTimeZone, localDate } from './timezone.ts';
import { defaultTimeZone, jurisdictionCountries } from './zones.ts';

export interface DeadlineInput {
  /** Checked at run time too, since it often comes from a form or a command line. */
  jurisdiction: Jurisdiction | string;
  /**
   * ISO 3166-1 alpha-2 code of the controller's country (its holidays and default time zone). Needed
   * for GDPR; the other laws have one country each, which is the default.
   */
  country?: string;
  /**
   * When the request was received: an ISO 8601 instant with an offset (`2026-01-31T23:30:00Z`), a Date,
   * or a bare `YYYY-MM-DD` already meaning the date in the controller's zone (a letter stamped on arrival).
   */
  receivedAt: string | Date;
  /** IANA zone of the controller; default: the main zone of the country (of the state for US laws). */
  timezone?: string;
  /** The request type, where a law counts a type differently (a marketing opt-out under CCPA); default: the law's table. */
  type?: RequestType;
}

export interface Deadlines {
  jurisdiction: Jurisdiction;
  country: string;
  timezone: string;
  /** All dates are `YYYY-MM-DD` in `timezone`; the deadline is the end of that day. */
  receivedDate: string;
  dueDate: string;
  /** Equal to dueDate where the law allows no extension (LGPD). */
  extendedDueDate: string;
  /** null where the law sets no acknowledgement deadline. */
  acknowledgeBy: string | null;
  /** The request type the dates were counted for, when it was given. */
  type?: RequestType;
}

type Period =
  /** Regulation 1182/71: months counted date to date, the end rolled past non-working days. */
  | { unit: 'months'; due: number; extended: number }
  /** Calendar days, never rolled (see `endOfPeriod`). */
  | { unit: 'days'; due: number; extended: number }
  /** Business days of `region`'s calendar (11 CCR §7001: Monday to Friday except state holidays). */
  | { unit: 'businessDays'; due: number; extended: number; region: string };

interface Counting {
  period: Period;
  /** Business days to acknowledge receipt, and whose calendar defines a business day. */
  acknowledge?: { businessDays: number; region: string };
}

const COUNTING: Readonly<Record<Jurisdiction, Counting>> = {
  // One month; extension by two further months = three months from receipt, by the same rule.
  GDPR: { period: { unit: 'months', due: 1, extended: 3 } },
  UK_GDPR: { period: { unit: 'months', due: 1, extended: 3 } },
  // 11 CCR §7001 defines a business day as Monday to Friday except California state holidays.
  CCPA: {
    period: { unit: 'days', due: 45, extended: 90 },
    acknowledge: { businessDays: 10, region: 'US-CA' },
  },
  VCDPA: { period: { unit: 'days', due: 45, extended: 90 } },
  CPA: { period: { unit: 'days', due: 45, extended: 90 } },
  // No extension in the statute: the extended date is the due date.
  LGPD: { period: { unit: 'days', due: 15, extended: 15 } },
  PIPEDA: { period: { unit: 'days', due: 30, extended: 60 } },
};

/**
 * Where a type is counted apart from its law's table (law.md, "The other rights"). Every other type and
 * law uses COUNTING.
 */
const COUNTING_BY_TYPE: Readonly<Partial<Record<RequestType, Partial<Record<Jurisdiction, Counting>>>>> = {
  marketing_opt_out: {
    // Art. 21(3) is absolute and Art. 12(3) gives "without undue delay and in any event within one
    // month": stopping marketing is never complex, so the month is not extended.
    GDPR: { period: { unit: 'months', due: 1, extended: 1 } },
    UK_GDPR: { period: { unit: 'months', due: 1, extended: 1 } },
    // 11 CCR §7026(f): as soon as feasibly possible and no later than 15 business days; §7026 has no
    // extension, and the 10-business-day acknowledgement of §7021 is for requests to know, delete, correct.
    CCPA: { period: { unit: 'businessDays', due: 15, extended: 15, region: 'US-CA' } },
  },
};

function countingOf(jurisdiction: Jurisdiction, type: RequestType | undefined): Counting {
  return (type && COUNTING_BY_TYPE[type]?.[jurisdiction]) || COUNTING[jurisdiction];
}

function parseJurisdiction(value: string): Jurisdiction {
  const j = value.trim().toUpperCase();
  if (!Object.hasOwn(COUNTING, j)) {
    throw new DeadlineInputError(`unknown jurisdiction "${value}": expected one of ${Object.keys(COUNTING).join(', ')}`);
  }
  return j as Jurisdiction;
}

// Intake uses jurisdictionCountries (zones.ts) to tell whether the configured default country fits a law.
export { jurisdictionCountries };

function parseCountry(jurisdiction: Jurisdiction, value: string | undefined): string {
  const countries = jurisdictionCountries(jurisdiction);
  if (value === undefined || value.trim() === '') {
    if (countries.length === 1) return countries[0]!;
    throw new DeadlineInputError(`${jurisdiction} needs the controller's country (an EEA state such as NO or DE)`);
  }
  const country = value.trim().toUpperCase();
  if (country === 'UK') throw new DeadlineInputError('unknown country "UK": the ISO code of the United Kingdom is GB');
  if (!isKnownCountry(country)) {
    throw new DeadlineInputError(
      `unknown country "${value}": expected an ISO 3166-1 alpha-2 code of ${Object.keys(COUNTRY_TIME_ZONES).join(', ')}`,
    );
  }
  if (!countries.includes(country)) {
    const expected = jurisdiction === 'GDPR' ? 'an EEA state' : countries.join(' or ');
    throw new DeadlineInputError(`country ${country} does not fit ${jurisdiction}: expected ${expected}`);
  }
  return country;
}

const INSTANT_RE = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](\d{2}):?(\d{2}))$/i;

/** The receipt date in `timeZone`; strict, because Date.parse accepts 30 February and local times. */
function receiptDate(receivedAt: string | Date, timeZone: string): string {
  if (receivedAt instanceof Date) {
    if (Number.isNaN(receivedAt.getTime())) throw new DeadlineInputError('invalid receipt date: Invalid Date');
    return localDate(receivedAt, timeZone);
  }
  const text = String(receivedAt).trim();
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) {
    parseDate(text);
    return text;
  }
  const m = INSTANT_RE.exec(text);
  const [, date = '', hh, mm, ss = '0', oh = '0', om = '0'] = m ?? [];
  if (!m || Number(hh) > 23 || Number(mm) > 59 || Number(ss) > 59 || Number(oh) > 23 || Number(om) > 59) {
    throw new DeadlineInputError(
      `invalid receipt date "${text}": expected an ISO 8601 instant with an offset, e.g. 2026-01-31T23:30:00Z`,
    );
  }
  parseDate(date);
  return localDate(new Date(text), timeZone);
}

/** End of a period counted from `receivedDate` with `pausedDays` of stopped clock. */
function endOfPeriod(period: Period, length: number, receivedDate: string, pausedDays: number, country: string): string {
  const { unit } = period;
  if (unit === 'businessDays') {
    // Only CCPA counts business days, and it never stops the clock (shiftDueDates refuses a pause).
    return addWorkingDays(receivedDate, length, period.region);
  }
  if (unit === 'months') {
    // 1182/71: the day of receipt is not counted and the period ends on the same date `length`
    // months later; a pause pushes that end, and only then is a weekend or holiday end rolled.
    return rollToWorkingDay(addCalendarDays(addMonthsClamped(receivedDate, length), pausedDays), country);
  }
  // The US, Brazilian and Canadian laws count calendar days and say nothing about a period ending on a
  // weekend or holiday. Not rolling is the conservative reading: the due date is never later than the
  // law allows, at worst a day or two earlier.
  return addCalendarDays(receivedDate, length + pausedDays);
}

function build(jurisdiction: Jurisdiction, country: string, timezone: string, receivedDate: string, pausedDays: number, type: RequestType | undefined): Deadlines {
  const { period, acknowledge } = countingOf(jurisdiction, type);
  return {
    ...(type ? { type } : {}),
    jurisdiction,
    country,
    timezone,
    receivedDate,
    dueDate: endOfPeriod(period, period.due, receivedDate, pausedDays, country),
    extendedDueDate: endOfPeriod(period, period.extended, receivedDate, pausedDays, country),
    // Acknowledgement is about receipt; a later pause does not move it.
    acknowledgeBy: acknowledge ? addWorkingDays(receivedDate, acknowledge.businessDays, acknowledge.region) : null,
  };
}

/** Computes the deadlines of a request; throws DeadlineInputError on bad input. */
export function computeDeadlines(input: DeadlineInput): Deadlines {
  const jurisdiction = parseJurisdiction(String(input.jurisdiction ?? ''));
  const country = parseCountry(jurisdiction, input.country);
  // The country is known here (parseCountry), so a default zone exists (zones.ts has the US laws' own).
  const zone = input.timezone?.trim() || defaultTimeZone(jurisdiction, country)!;
  const timezone = assertTimeZone(zone);
  if (input.receivedAt === undefined || input.receivedAt === null || input.receivedAt === '') {
    throw new DeadlineInputError('missing receipt date');
  }
  return build(jurisdiction, country, timezone, receiptDate(input.receivedAt, timezone), 0, input.type);
}

/**
 * The deadlines after the clock was stopped for `pausedDays` calendar days in total (the sum of all
 * pauses recorded in the audit trail). The dates are recomputed from `receivedDate`, so pass the total,
 * not the latest pause: the end of the unrolled period moves by the pause and is then rolled again for
 * GDPR/UK, which a shift of the already-rolled date would get a day or two too late.
 *
 * Throws DeadlineInputError for a pause under a law that does not allow one (`clockStopAllowed:
 * 'never'`): such a date would be later than the law allows. Whether a GDPR installation allows it
 * (`by_configuration`) is the caller's check.
 */
export function shiftDueDates(deadlines: Deadlines, pausedDays: number): Deadlines {
  if (!Number.isInteger(pausedDays) || pausedDays < 0) {
    throw new DeadlineInputError(`paused days must be a whole number of days, 0 or more, got ${pausedDays}`);
  }
  const jurisdiction = parseJurisdiction(String(deadlines.jurisdiction));
  if (pausedDays > 0 && jurisdictionRules[jurisdiction].clockStopAllowed === 'never') {
    throw new DeadlineInputError(`${jurisdiction} does not allow the clock to be stopped`);
  }
  const country = parseCountry(jurisdiction, deadlines.country);
  parseDate(deadlines.receivedDate);
  return build(jurisdiction, country, deadlines.timezone, deadlines.receivedDate, pausedDays, deadlines.type);
}
