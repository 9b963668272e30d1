/** Public API of the deadline engine; import from here, not from the files behind it. */
export { computeDeadlines, jurisdictionCountries, shiftDueDates, type DeadlineInput, type Deadlines } from './compute.ts';
export { addCalendarDays, daysBetween } from './calendar.ts';
export { isWorkingDay } from './holidays.ts';
export { jurisdictionRules, type ClockStop, type JurisdictionRule } from './rules.ts';
export { DeadlineInputError } from './errors.ts';
export { COUNTRY_TIME_ZONES, EEA_COUNTRIES } from './countries.ts';
