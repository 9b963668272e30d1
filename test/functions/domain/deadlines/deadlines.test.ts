/**
 * The deadline table. Every expected date was worked out by hand from a printed calendar and the
 * holiday calendars named in each comment, not from the code under test. Receipts at 10:00Z fall on
 * the same date in every European zone, so only the cases about time zones use other times.
 *
 * Easter: 2026-04-05, 2027-03-28, 2028-04-16, so in Norway
 *   2026: Skjærtorsdag 2 Apr, Langfredag 3 Apr, 2. påskedag 6 Apr, Kristi himmelfart 14 May, 2. pinsedag 25 May
 *   2027: 25 Mar, 26 Mar, 29 Mar, 6 May, 17 May (also Grunnlovsdag)
 *   2028: 13 Apr, 14 Apr, 17 Apr, 25 May, 5 Jun
 */
import { describe, expect, it } from 'vitest';
import { addCalendarDays, daysBetween } from '../../../../functions/domain/deadlines/calendar.ts';
import { computeDeadlines, shiftDueDates, type DeadlineInput } from '../../../../functions/domain/deadlines/compute.ts';
import { COUNTRY_TIME_ZONES, EEA_COUNTRIES } from '../../../../functions/domain/deadlines/countries.ts';
import { DeadlineInputError } from '../../../../functions/domain/deadlines/errors.ts';
import { isWorkingDay } from '../../../../functions/domain/deadlines/holidays.ts';
import { jurisdictionRules } from '../../../../functions/domain/deadlines/rules.ts';

interface Case {
  name: string;
  input: DeadlineInput;
  receivedDate: string;
  dueDate: string;
  extendedDueDate: string;
  acknowledgeBy?: string | null;
  timezone?: string;
}

const at10 = (date: string): string => `${date}T10:00:00Z`;

const cases: Case[] = [
  // --- EDPB Guidelines 01/2022 examples (law.md) ---
  {
    // EDPB: 5 March -> 5 April. 5 April 2027 is a Monday with no Norwegian holiday (Easter Monday was
    // 29 March). Extended: 5 June 2027 is a Saturday -> Monday 7 June.
    name: 'EDPB example: received 5 March, due 5 April',
    input: { jurisdiction: 'GDPR', country: 'NO', receivedAt: at10('2027-03-05') },
    receivedDate: '2027-03-05', dueDate: '2027-04-05', extendedDueDate: '2027-06-07',
  },
  {
    // EDPB: 31 August -> 30 September (there is no 31 September); 30 Sep 2026 is a Wednesday.
    // Extended: three months on is 30 November 2026 (no 31 November), a Monday.
    name: 'EDPB example: received 31 August, due 30 September',
    input: { jurisdiction: 'GDPR', country: 'DE', receivedAt: at10('2026-08-31') },
    receivedDate: '2026-08-31', dueDate: '2026-09-30', extendedDueDate: '2026-11-30',
  },
  {
    // The same EDPB example in 2026 in Norway: 5 April 2026 is Easter Sunday, 6 April 2. påskedag,
    // so Tuesday 7 April. A bare date is the receipt date itself. Extended: 5 June 2026, a Friday.
    name: 'a receipt on 5 March 2026 in Norway rolls past Easter Sunday and Monday',
    input: { jurisdiction: 'GDPR', country: 'NO', receivedAt: '2026-03-05' },
    receivedDate: '2026-03-05', dueDate: '2026-04-07', extendedDueDate: '2026-06-05',
  },

  // --- Month ends (Regulation 1182/71 art. 3(2)(c): the last day of a shorter month) ---
  {
    // 31 Jan 2029 -> 28 Feb 2029 (Wednesday, 2029 not a leap year). Extended: 31 April does not
    // exist -> 30 April 2029, a Monday (Easter 2029 is 1 April, so 2. påskedag is 2 April).
    name: '31 January ends on 28 February in a common year',
    input: { jurisdiction: 'GDPR', country: 'NO', receivedAt: at10('2029-01-31') },
    receivedDate: '2029-01-31', dueDate: '2029-02-28', extendedDueDate: '2029-04-30',
  },
  {
    // 2028 is a leap year: 31 Jan -> 29 Feb 2028 (Tuesday). Extended: 30 April 2028 is a Sunday,
    // Monday 1 May is Arbeidernes dag -> Tuesday 2 May.
    name: '31 January ends on 29 February in the leap year 2028',
    input: { jurisdiction: 'GDPR', country: 'NO', receivedAt: at10('2028-01-31') },
    receivedDate: '2028-01-31', dueDate: '2028-02-29', extendedDueDate: '2028-05-02',
  },
  {
    // 29 Feb 2028 exists, so 29 Jan -> 29 Feb (Tuesday). Extended: 29 April 2028 is a Saturday ->
    // Sunday 30 -> Monday 1 May holiday -> Tuesday 2 May.
    name: '29 January 2028 ends on 29 February, the date itself',
    input: { jurisdiction: 'GDPR', country: 'NO', receivedAt: at10('2028-01-29') },
    receivedDate: '2028-01-29', dueDate: '2028-02-29', extendedDueDate: '2028-05-02',
  },
  {
    // 31 March 2026 -> 30 April 2026 (Thursday; no Norwegian holiday). Extended: 30 June 2026, Tuesday.
    name: '31 March ends on 30 April',
    input: { jurisdiction: 'GDPR', country: 'NO', receivedAt: at10('2026-03-31') },
    receivedDate: '2026-03-31', dueDate: '2026-04-30', extendedDueDate: '2026-06-30',
  },

  // --- Weekends ---
  {
    // 10 Oct 2026 is a Saturday -> Monday 12 October. Extended: 10 Dec 2026, a Thursday.
    name: 'a period ending on a Saturday moves to Monday',
    input: { jurisdiction: 'GDPR', country: 'NO', receivedAt: at10('2026-09-10') },
    receivedDate: '2026-09-10', dueDate: '2026-10-12', extendedDueDate: '2026-12-10',
  },
  {
    // 8 Nov 2026 is a Sunday -> Monday 9 November. Extended: 8 Jan 2027, a Friday.
    name: 'a period ending on a Sunday moves to Monday',
    input: { jurisdiction: 'GDPR', country: 'NO', receivedAt: at10('2026-10-08') },
    receivedDate: '2026-10-08', dueDate: '2026-11-09', extendedDueDate: '2027-01-08',
  },

  // --- Norway: Easter-based and fixed holidays ---
  {
    // 2 Apr 2026 Skjærtorsdag, 3 Langfredag, 4-5 weekend (5 Easter Sunday), 6 2. påskedag -> Tue 7.
    // Extended: 2 June 2026, Tuesday.
    name: 'Norway: a period ending on Skjærtorsdag rolls past the whole Easter weekend',
    input: { jurisdiction: 'GDPR', country: 'NO', receivedAt: at10('2026-03-02') },
    receivedDate: '2026-03-02', dueDate: '2026-04-07', extendedDueDate: '2026-06-02',
  },
  {
    // 26 Mar 2027 Langfredag, 27-28 weekend, 29 2. påskedag -> Tuesday 30 March.
    // Extended: 26 May 2027, a Wednesday (Kristi himmelfart was 6 May, 2. pinsedag 17 May).
    name: 'Norway: a period ending on Langfredag moves to the Tuesday after Easter',
    input: { jurisdiction: 'GDPR', country: 'NO', receivedAt: at10('2027-02-26') },
    receivedDate: '2027-02-26', dueDate: '2027-03-30', extendedDueDate: '2027-05-26',
  },
  {
    // 17 Apr 2028 is 2. påskedag -> Tuesday 18 April. Extended: 17 June 2028 is a Saturday ->
    // Monday 19 June (2. pinsedag 2028 is 5 June).
    name: 'Norway: a period ending on 2. påskedag moves to the Tuesday',
    input: { jurisdiction: 'GDPR', country: 'NO', receivedAt: at10('2028-03-17') },
    receivedDate: '2028-03-17', dueDate: '2028-04-18', extendedDueDate: '2028-06-19',
  },
  {
    // 14 May 2026 is Kristi himmelfartsdag (Thursday) -> Friday 15 May. Extended: 14 July 2026, Tuesday.
    name: 'Norway: a period ending on Kristi himmelfartsdag moves to the Friday',
    input: { jurisdiction: 'GDPR', country: 'NO', receivedAt: at10('2026-04-14') },
    receivedDate: '2026-04-14', dueDate: '2026-05-15', extendedDueDate: '2026-07-14',
  },
  {
    // 25 May 2026 is 2. pinsedag (Monday) -> Tuesday 26 May. Extended: 25 July 2026 is a Saturday ->
    // Monday 27 July.
    name: 'Norway: a period ending on 2. pinsedag moves to the Tuesday',
    input: { jurisdiction: 'GDPR', country: 'NO', receivedAt: at10('2026-04-25') },
    receivedDate: '2026-04-25', dueDate: '2026-05-26', extendedDueDate: '2026-07-27',
  },
  {
    // 17 May 2028 (Grunnlovsdag) is a Wednesday -> Thursday 18 May (Kristi himmelfart 2028 is 25 May).
    // The receipt itself falls on 2. påskedag, which does not matter. Extended: 17 July 2028, Monday.
    name: 'Norway: a period ending on 17 May moves to the next day',
    input: { jurisdiction: 'GDPR', country: 'NO', receivedAt: at10('2028-04-17') },
    receivedDate: '2028-04-17', dueDate: '2028-05-18', extendedDueDate: '2028-07-17',
  },
  {
    // 17 May 2027 is both Grunnlovsdag and 2. pinsedag (a Monday) -> Tuesday 18 May.
    // Extended: 17 July 2027 is a Saturday -> Monday 19 July.
    name: 'Norway: 17 May 2027 is also 2. pinsedag and moves to the Tuesday',
    input: { jurisdiction: 'GDPR', country: 'NO', receivedAt: at10('2027-04-17') },
    receivedDate: '2027-04-17', dueDate: '2027-05-18', extendedDueDate: '2027-07-19',
  },
  {
    // 25 Dec 2026 (1. juledag) is a Friday, 26 (2. juledag) a Saturday, 27 a Sunday -> Monday 28.
    // Extended: 25 February 2027, a Thursday.
    name: 'Norway: a period ending on Christmas Day moves past both Christmas days',
    input: { jurisdiction: 'GDPR', country: 'NO', receivedAt: at10('2026-11-25') },
    receivedDate: '2026-11-25', dueDate: '2026-12-28', extendedDueDate: '2027-02-25',
  },
  {
    // Julaften (24 Dec 2026, Thursday) is not a public holiday in Norway (date-holidays marks it
    // `bank`, a half day): the period ends on it. Extended: 24 February 2027, a Wednesday.
    name: 'Norway: Christmas Eve is a working day and ends the period',
    input: { jurisdiction: 'GDPR', country: 'NO', receivedAt: at10('2026-11-24') },
    receivedDate: '2026-11-24', dueDate: '2026-12-24', extendedDueDate: '2027-02-24',
  },
  {
    // 1 Jan 2027 is a Friday holiday, then a weekend -> Monday 4 January. Extended: 1 March 2027, Monday.
    name: "Norway: a period ending on New Year's Day moves to the first Monday",
    input: { jurisdiction: 'GDPR', country: 'NO', receivedAt: at10('2026-12-01') },
    receivedDate: '2026-12-01', dueDate: '2027-01-04', extendedDueDate: '2027-03-01',
  },

  // --- Germany (national holidays) ---
  {
    // 3 Oct 2028, Tag der Deutschen Einheit, is a Tuesday -> Wednesday 4 October.
    // Extended: 3 December 2028 is a Sunday -> Monday 4 December.
    name: 'Germany: a period ending on 3 October moves to the next day',
    input: { jurisdiction: 'GDPR', country: 'DE', receivedAt: at10('2028-09-03') },
    receivedDate: '2028-09-03', dueDate: '2028-10-04', extendedDueDate: '2028-12-04',
  },
  {
    // 1 May 2026 (Tag der Arbeit) is a Friday -> Monday 4 May. Extended: 1 July 2026, a Wednesday.
    name: 'Germany: a period ending on 1 May moves past the weekend',
    input: { jurisdiction: 'GDPR', country: 'DE', receivedAt: at10('2026-04-01') },
    receivedDate: '2026-04-01', dueDate: '2026-05-04', extendedDueDate: '2026-07-01',
  },
  {
    // Maundy Thursday (2 Apr 2026) is not a public holiday in Germany, unlike Norway.
    // Extended: 2 June 2026, Tuesday.
    name: 'Germany: Maundy Thursday is a working day there',
    input: { jurisdiction: 'GDPR', country: 'DE', receivedAt: at10('2026-03-02') },
    receivedDate: '2026-03-02', dueDate: '2026-04-02', extendedDueDate: '2026-06-02',
  },
  {
    // Buß- und Bettag (18 Nov 2026, Wednesday) is a holiday in Saxony only; regional holidays do not
    // roll (conservative). Extended: 18 January 2027, a Monday.
    name: 'Germany: a regional holiday does not move a national deadline',
    input: { jurisdiction: 'GDPR', country: 'DE', receivedAt: at10('2026-10-18') },
    receivedDate: '2026-10-18', dueDate: '2026-11-18', extendedDueDate: '2027-01-18',
  },

  // --- Ireland ---
  {
    // 17 Mar 2027 (St Patrick's Day) is a Wednesday -> Thursday 18 March.
    // Extended: 17 May 2027, a Monday (the May bank holiday is the first Monday, 3 May).
    name: "Ireland: a period ending on St Patrick's Day moves to the next day",
    input: { jurisdiction: 'GDPR', country: 'IE', receivedAt: at10('2027-02-17') },
    receivedDate: '2027-02-17', dueDate: '2027-03-18', extendedDueDate: '2027-05-17',
  },
  {
    // St Brigid's Day is the first Monday of February (1 Feb when that is a Friday); in 2027 it is
    // Monday 1 February -> Tuesday 2. Extended: 1 April 2027, a Thursday (Easter Monday was 29 March).
    name: "Ireland: a period ending on St Brigid's Day moves to the Tuesday",
    input: { jurisdiction: 'GDPR', country: 'IE', receivedAt: at10('2027-01-01') },
    receivedDate: '2027-01-01', dueDate: '2027-02-02', extendedDueDate: '2027-04-01',
  },
  {
    // Good Friday is not a public holiday in Ireland (banks close, most employers do not):
    // 3 Apr 2026 ends the period. Extended: 3 June 2026, a Wednesday (the June bank holiday is 1 June).
    name: 'Ireland: Good Friday is not a public holiday and ends the period',
    input: { jurisdiction: 'GDPR', country: 'IE', receivedAt: at10('2026-03-03') },
    receivedDate: '2026-03-03', dueDate: '2026-04-03', extendedDueDate: '2026-06-03',
  },
  {
    // 26 Oct 2026 is the October bank holiday (last Monday) -> Tuesday 27.
    // Extended: 26 Dec 2026 (St Stephen's Day) is a Saturday -> Sunday -> Monday 28 December.
    name: 'Ireland: a period ending on the October bank holiday moves to the Tuesday',
    input: { jurisdiction: 'GDPR', country: 'IE', receivedAt: at10('2026-09-26') },
    receivedDate: '2026-09-26', dueDate: '2026-10-27', extendedDueDate: '2026-12-28',
  },

  // --- United Kingdom (England and Wales bank holidays) ---
  {
    // 31 Aug 2026 is the summer bank holiday in England and Wales -> Tuesday 1 September.
    // Extended: 31 October 2026 is a Saturday -> Monday 2 November.
    name: 'UK: a period ending on the summer bank holiday moves to the Tuesday',
    input: { jurisdiction: 'UK_GDPR', country: 'GB', receivedAt: at10('2026-07-31') },
    receivedDate: '2026-07-31', dueDate: '2026-09-01', extendedDueDate: '2026-11-02',
  },
  {
    // Early May bank holiday 2027 is Monday 3 May -> Tuesday 4. Extended: 3 July 2027 is a Saturday ->
    // Monday 5 July.
    name: 'UK: a period ending on the early May bank holiday moves to the Tuesday',
    input: { jurisdiction: 'UK_GDPR', country: 'GB', receivedAt: at10('2027-04-03') },
    receivedDate: '2027-04-03', dueDate: '2027-05-04', extendedDueDate: '2027-07-05',
  },
  {
    // 25 Dec 2027 is a Saturday and 26 a Sunday, so the substitute bank holidays are Monday 27 and
    // Tuesday 28 December -> Wednesday 29. Extended: 25 February 2028, a Friday.
    name: 'UK: Christmas on a weekend moves to the day after both substitute bank holidays',
    input: { jurisdiction: 'UK_GDPR', country: 'GB', receivedAt: at10('2027-11-25') },
    receivedDate: '2027-11-25', dueDate: '2027-12-29', extendedDueDate: '2028-02-25',
  },
  {
    // Spring bank holiday 2028 is the last Monday of May, 29 May -> Tuesday 30.
    // Extended: 29 July 2028 is a Saturday -> Monday 31 July.
    name: 'UK: a period ending on the spring bank holiday moves to the Tuesday',
    input: { jurisdiction: 'UK_GDPR', receivedAt: at10('2028-04-29') },
    receivedDate: '2028-04-29', dueDate: '2028-05-30', extendedDueDate: '2028-07-31',
  },
  {
    // 23:30 UTC on 30 June 2026 is 00:30 BST on 1 July: received 1 July. 1 August 2026 is a Saturday
    // -> Monday 3 August (Scotland's summer bank holiday, not England's). Extended: 1 October, Thursday.
    name: 'UK: a receipt just before midnight UTC in summer is received the next day in London',
    input: { jurisdiction: 'UK_GDPR', country: 'GB', receivedAt: '2026-06-30T23:30:00Z' },
    receivedDate: '2026-07-01', dueDate: '2026-08-03', extendedDueDate: '2026-10-01',
    timezone: 'Europe/London',
  },

  // --- Time zones ---
  {
    // law.md: 23:30 UTC on 31 January is 00:30 on 1 February in Oslo (CET, UTC+1). 1 March 2026 is a
    // Sunday -> Monday 2 March. Extended: 1 May 2026 is a Friday holiday -> Monday 4 May.
    name: 'Oslo: 23:30 UTC on 31 January is received on 1 February',
    input: { jurisdiction: 'GDPR', country: 'NO', receivedAt: '2026-01-31T23:30:00Z' },
    receivedDate: '2026-02-01', dueDate: '2026-03-02', extendedDueDate: '2026-05-04',
    timezone: 'Europe/Oslo',
  },
  {
    // The same instant for a Norwegian controller that chose UTC: received 31 January; 28 February
    // 2026 is a Saturday -> Monday 2 March; extended 30 April 2026, a Thursday.
    name: 'an explicit time zone overrides the country default',
    input: { jurisdiction: 'GDPR', country: 'NO', receivedAt: '2026-01-31T23:30:00Z', timezone: 'UTC' },
    receivedDate: '2026-01-31', dueDate: '2026-03-02', extendedDueDate: '2026-04-30',
    timezone: 'UTC',
  },
  {
    // The CLI example: 22:30 UTC on 31 March 2026 is 00:30 CEST on 1 April in Oslo. 1 May is a Friday
    // holiday -> Monday 4 May. Extended: 1 July 2026, a Wednesday.
    name: 'Oslo in summer time: 22:30 UTC on 31 March is received on 1 April',
    input: { jurisdiction: 'GDPR', country: 'NO', receivedAt: '2026-03-31T22:30:00Z' },
    receivedDate: '2026-04-01', dueDate: '2026-05-04', extendedDueDate: '2026-07-01',
  },
  {
    // An offset other than Z: 23:30 at UTC-5 on 31 January is 05:30 on 1 February in Oslo.
    name: 'an instant with a numeric offset is converted to the controller’s zone',
    input: { jurisdiction: 'GDPR', country: 'NO', receivedAt: '2026-01-31T23:30:00-05:00' },
    receivedDate: '2026-02-01', dueDate: '2026-03-02', extendedDueDate: '2026-05-04',
  },
  {
    // 22:30 UTC on 13 July 2026 is 00:30 CEST on 14 July in Paris. 14 August 2026 is a Friday (the
    // 15 August holiday is the Saturday). Extended: 14 October 2026, a Wednesday.
    name: 'France: the receipt date is taken in Paris time',
    input: { jurisdiction: 'GDPR', country: 'FR', receivedAt: '2026-07-13T22:30:00Z' },
    receivedDate: '2026-07-14', dueDate: '2026-08-14', extendedDueDate: '2026-10-14',
    timezone: 'Europe/Paris',
  },

  // --- CCPA (11 CCR §7021): 45 / 90 calendar days, acknowledge in 10 business days ---
  {
    // 07:59 UTC on 2 March 2026 is 23:59 PST on 1 March (DST starts 8 March). 1 Mar + 45 = 15 April
    // (30 to 31 March, 15 more). +90 = 30 May 2026, a Saturday, not rolled. Business days from Sunday
    // 1 March: 2,3,4,5,6,9,10,11,12,13 -> 13 March.
    name: 'CCPA: a receipt just before midnight in Los Angeles keeps the Los Angeles date',
    input: { jurisdiction: 'CCPA', country: 'US', receivedAt: '2026-03-02T07:59:00Z' },
    receivedDate: '2026-03-01', dueDate: '2026-04-15', extendedDueDate: '2026-05-30', acknowledgeBy: '2026-03-13',
    timezone: 'America/Los_Angeles',
  },
  {
    // One minute later it is 2 March in Los Angeles: +45 = 16 April, +90 = 31 May; business days
    // 3,4,5,6,9,10,11,12,13,16 -> 16 March.
    name: 'CCPA: midnight in Los Angeles starts the next day',
    input: { jurisdiction: 'CCPA', receivedAt: '2026-03-02T08:00:00Z' },
    receivedDate: '2026-03-02', dueDate: '2026-04-16', extendedDueDate: '2026-05-31', acknowledgeBy: '2026-03-16',
  },
  {
    // Received Friday 20 Nov 2026. Business days: 23, 24, 25, (26 Thanksgiving, 27 the day after,
    // both California state holidays), 30, 1, 2, 3, 4, 7, 8 -> 8 December. +45: 10 days to 30 Nov,
    // 31 to 31 Dec, 4 more -> 4 January 2027; +90: 27 to 31 Jan, 18 more -> 18 February 2027.
    name: 'CCPA: the 10 business days skip Thanksgiving and the day after',
    input: { jurisdiction: 'CCPA', country: 'US', receivedAt: '2026-11-20T18:00:00Z' },
    receivedDate: '2026-11-20', dueDate: '2027-01-04', extendedDueDate: '2027-02-18', acknowledgeBy: '2026-12-08',
  },
  {
    // Received Friday 26 Mar 2027. Business days: 29, 30, (31 César Chávez Day), 1, 2, 5, 6, 7, 8, 9, 12
    // -> 12 April. +45: 5 to 31 Mar, 30 to 30 Apr, 10 more -> 10 May; +90: 21 to 31 May, 24 more -> 24 June.
    name: 'CCPA: the 10 business days skip César Chávez Day',
    input: { jurisdiction: 'CCPA', country: 'US', receivedAt: '2027-03-26T18:00:00Z' },
    receivedDate: '2027-03-26', dueDate: '2027-05-10', extendedDueDate: '2027-06-24', acknowledgeBy: '2027-04-12',
  },
  {
    // Received Monday 12 Oct 2026: +45 = 26 November, Thanksgiving, kept (calendar days never roll).
    // +90: 4 to 30 Nov, 31 to 31 Dec, 10 more -> 10 January 2027, a Sunday, kept.
    // Business days: 13,14,15,16,19,20,21,22,23,26 -> 26 October.
    name: 'CCPA: a due date on Thanksgiving is not moved',
    input: { jurisdiction: 'CCPA', country: 'US', receivedAt: '2026-10-12T18:00:00Z' },
    receivedDate: '2026-10-12', dueDate: '2026-11-26', extendedDueDate: '2027-01-10', acknowledgeBy: '2026-10-26',
  },

  // --- VCDPA, CPA: 45 / 90 calendar days, no acknowledgement deadline ---
  {
    // 03:00 UTC on 1 May 2026 is 23:00 EDT on 30 April. +45: 31 to 31 May, 14 more -> 14 June (a Sunday,
    // kept). +90: 16 to 30 June, 29 more -> 29 July.
    name: 'VCDPA: 45 and 90 days counted in Virginia time',
    input: { jurisdiction: 'VCDPA', country: 'US', receivedAt: '2026-05-01T03:00:00Z' },
    receivedDate: '2026-04-30', dueDate: '2026-06-14', extendedDueDate: '2026-07-29', acknowledgeBy: null,
    timezone: 'America/New_York',
  },
  {
    // 05:00 UTC on 4 July 2026 is 23:00 MDT on 3 July. +45: 28 to 31 July, 17 more -> 17 August.
    // +90: 14 to 31 Aug, 30 to 30 Sep, 1 more -> 1 October.
    name: 'CPA: 45 and 90 days counted in Colorado time',
    input: { jurisdiction: 'CPA', receivedAt: '2026-07-04T05:00:00Z' },
    receivedDate: '2026-07-03', dueDate: '2026-08-17', extendedDueDate: '2026-10-01', acknowledgeBy: null,
    timezone: 'America/Denver',
  },

  // --- LGPD: 15 days, no extension ---
  {
    // 02:00 UTC on 20 Dec 2026 is 23:00 on 19 December in São Paulo (UTC-3). +15: 12 to 31 Dec,
    // 3 more -> 3 January 2027, a Sunday, kept. No extension in the statute.
    name: 'LGPD: 15 days in São Paulo time, never extended',
    input: { jurisdiction: 'LGPD', country: 'BR', receivedAt: '2026-12-20T02:00:00Z' },
    receivedDate: '2026-12-19', dueDate: '2027-01-03', extendedDueDate: '2027-01-03', acknowledgeBy: null,
    timezone: 'America/Sao_Paulo',
  },
  {
    // 6 April 2026 + 15 = 21 April, Tiradentes (a national holiday), kept.
    name: 'LGPD: a due date on a Brazilian holiday is not moved',
    input: { jurisdiction: 'LGPD', receivedAt: '2026-04-06T12:00:00Z' },
    receivedDate: '2026-04-06', dueDate: '2026-04-21', extendedDueDate: '2026-04-21', acknowledgeBy: null,
  },

  // --- PIPEDA: 30 days, +30 ---
  {
    // 03:30 UTC on 1 June 2026 is 23:30 EDT on 31 May in Toronto. +30 -> 30 June; +60 -> 30 July.
    name: 'PIPEDA: 30 and 60 days in Toronto time',
    input: { jurisdiction: 'PIPEDA', country: 'CA', receivedAt: '2026-06-01T03:30:00Z' },
    receivedDate: '2026-05-31', dueDate: '2026-06-30', extendedDueDate: '2026-07-30', acknowledgeBy: null,
    timezone: 'America/Toronto',
  },
  {
    // 20:00 UTC on 31 Dec 2026 is noon in Vancouver. +30 -> 30 January 2027; +60: 1 to 31 Jan,
    // 28 to 28 Feb, 1 more -> 1 March 2027.
    name: 'PIPEDA: a controller in Vancouver passes its own zone',
    input: { jurisdiction: 'PIPEDA', receivedAt: '2026-12-31T20:00:00Z', timezone: 'America/Vancouver' },
    receivedDate: '2026-12-31', dueDate: '2027-01-30', extendedDueDate: '2027-03-01', acknowledgeBy: null,
    timezone: 'America/Vancouver',
  },

  // --- Marketing opt-out (law.md, "The other rights": Art. 21(2)-(3) with Art. 12(3); 11 CCR §7026) ---
  {
    // 11 CCR §7026(f): no later than 15 business days, no extension, no §7021 acknowledgement. Received
    // Friday 20 Nov 2026 (10:00 in Los Angeles). Business days: 23, 24, 25, (26 Thanksgiving, 27 the day
    // after), 30, 1, 2, 3, 4, 7, 8, 9, 10, 11, 14, 15 -> 15 December 2026, the extended date the same.
    name: 'CCPA opt-out: 15 business days skip Thanksgiving and the day after, with no extension',
    input: { type: 'marketing_opt_out', jurisdiction: 'CCPA', country: 'US', receivedAt: '2026-11-20T18:00:00Z' },
    receivedDate: '2026-11-20', dueDate: '2026-12-15', extendedDueDate: '2026-12-15', acknowledgeBy: null,
  },
  {
    // Received Friday 26 Mar 2027. Business days: 29, 30, (31 César Chávez Day), 1, 2, 5, 6, 7, 8, 9,
    // 12, 13, 14, 15, 16, 19 -> 19 April 2027.
    name: 'CCPA opt-out: 15 business days skip César Chávez Day',
    input: { type: 'marketing_opt_out', jurisdiction: 'CCPA', receivedAt: '2027-03-26T18:00:00Z' },
    receivedDate: '2027-03-26', dueDate: '2027-04-19', extendedDueDate: '2027-04-19', acknowledgeBy: null,
  },
  {
    // GDPR: at most the Art. 12(3) month, counted as any other (EDPB: 5 March -> 5 April 2027, a Monday);
    // Art. 21(3) is absolute, so the month is not extended.
    name: 'GDPR opt-out: the month of Art. 12(3), not extended',
    input: { type: 'marketing_opt_out', jurisdiction: 'GDPR', country: 'NO', receivedAt: at10('2027-03-05') },
    receivedDate: '2027-03-05', dueDate: '2027-04-05', extendedDueDate: '2027-04-05', acknowledgeBy: null,
  },
  {
    // 2026 in Norway: 5 April is Easter Sunday, 6 April 2. påskedag -> Tuesday 7 April, not extended.
    name: 'GDPR opt-out: a month ending on Easter rolls to the next working day',
    input: { type: 'marketing_opt_out', jurisdiction: 'GDPR', country: 'NO', receivedAt: '2026-03-05' },
    receivedDate: '2026-03-05', dueDate: '2026-04-07', extendedDueDate: '2026-04-07', acknowledgeBy: null,
  },
  {
    // The other laws keep their table for an opt-out: Virginia's 45 / 90 days (2 Mar 2026 -> 16 April, 31 May).
    name: 'VCDPA opt-out: the law\'s own 45 and 90 days',
    input: { type: 'marketing_opt_out', jurisdiction: 'VCDPA', receivedAt: '2026-03-02T15:00:00Z' },
    receivedDate: '2026-03-02', dueDate: '2026-04-16', extendedDueDate: '2026-05-31', acknowledgeBy: null,
  },
  {
    // A restriction (Art. 18) is answered within the Art. 12(3) month, extendable by two months like
    // any GDPR request (EDPB: 5 March -> 5 April 2027; extended: 5 June 2027 is a Saturday -> 7 June).
    name: 'GDPR restriction: the month of Art. 12(3), extendable as any request',
    input: { type: 'restriction', jurisdiction: 'GDPR', country: 'NO', receivedAt: at10('2027-03-05') },
    receivedDate: '2027-03-05', dueDate: '2027-04-05', extendedDueDate: '2027-06-07', acknowledgeBy: null,
  },
  {
    // The CCPA has no right to restriction: like every type a law lacks, it keeps the law's own row
    // (45 / 90 days, the §7021 acknowledgement), as a request to know would.
    name: 'CCPA restriction: a type the law lacks keeps the law\'s own row',
    input: { type: 'restriction', jurisdiction: 'CCPA', country: 'US', receivedAt: '2026-11-20T18:00:00Z' },
    receivedDate: '2026-11-20', dueDate: '2027-01-04', extendedDueDate: '2027-02-18', acknowledgeBy: '2026-12-08',
  },
  {
    // The same CCPA receipt as a request to know keeps §7021 (45 days, +90, acknowledge in 10 business days).
    name: 'CCPA access is unchanged by the opt-out rule',
    input: { type: 'access', jurisdiction: 'CCPA', country: 'US', receivedAt: '2026-11-20T18:00:00Z' },
    receivedDate: '2026-11-20', dueDate: '2027-01-04', extendedDueDate: '2027-02-18', acknowledgeBy: '2026-12-08',
  },

  // --- Rectification (law.md, "The other rights": Art. 16 with Art. 12(3); 11 CCR §7023 with §7021) ---
  {
    // Art. 12(3): the month, extendable by two further months like access. 5 March -> 5 April 2027 (a
    // Monday); extended: 5 June 2027 is a Saturday -> Monday 7 June.
    name: 'GDPR rectification: the month of Art. 12(3), extendable to three',
    input: { type: 'rectification', jurisdiction: 'GDPR', country: 'NO', receivedAt: at10('2027-03-05') },
    receivedDate: '2027-03-05', dueDate: '2027-04-05', extendedDueDate: '2027-06-07', acknowledgeBy: null,
  },
  {
    // §7023 with §7021: a request to correct has 45 calendar days, extendable by 45 more (90 from receipt),
    // and its receipt is acknowledged within 10 business days (Thanksgiving and the day after skipped).
    name: 'CCPA rectification: 45 days + 45, acknowledged within 10 business days',
    input: { type: 'rectification', jurisdiction: 'CCPA', country: 'US', receivedAt: '2026-11-20T18:00:00Z' },
    receivedDate: '2026-11-20', dueDate: '2027-01-04', extendedDueDate: '2027-02-18', acknowledgeBy: '2026-12-08',
  },
  {
    // PIPEDA Principle 4.9.5 keeps the law's 30 days + 30 (2 Mar 2026 -> 1 April, 1 May).
    name: 'PIPEDA rectification: the law\'s own 30 and 60 days',
    input: { type: 'rectification', jurisdiction: 'PIPEDA', receivedAt: '2026-03-02T15:00:00Z' },
    receivedDate: '2026-03-02', dueDate: '2026-04-01', extendedDueDate: '2026-05-01', acknowledgeBy: null,
  },
];

describe('computeDeadlines', () => {
  it('has a table of at least 40 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
  });

  it.each(cases)('$name', (c) => {
    const result = computeDeadlines(c.input);
    expect(result).toMatchObject({
      receivedDate: c.receivedDate,
      dueDate: c.dueDate,
      extendedDueDate: c.extendedDueDate,
      acknowledgeBy: c.acknowledgeBy ?? null,
    });
    if (c.timezone) expect(result.timezone).toBe(c.timezone);
  });

  it('accepts a Date as the receipt instant', () => {
    // The EDPB 31 August example again, as a Date.
    const result = computeDeadlines({ jurisdiction: 'GDPR', country: 'DE', receivedAt: new Date('2026-08-31T10:00:00Z') });
    expect(result).toEqual({
      jurisdiction: 'GDPR',
      country: 'DE',
      timezone: 'Europe/Berlin',
      receivedDate: '2026-08-31',
      dueDate: '2026-09-30',
      extendedDueDate: '2026-11-30',
      acknowledgeBy: null,
    });
  });

  it('fills in the one country of a single-country law and its zone', () => {
    const result = computeDeadlines({ jurisdiction: 'CCPA', receivedAt: '2026-03-02T08:00:00Z' });
    expect(result.country).toBe('US');
    expect(result.timezone).toBe('America/Los_Angeles');
  });

  it('reads lower-case codes', () => {
    const result = computeDeadlines({ jurisdiction: 'gdpr', country: 'no', receivedAt: '2026-01-31T23:30:00Z' });
    expect(result).toMatchObject({ jurisdiction: 'GDPR', country: 'NO', receivedDate: '2026-02-01' });
  });

  it.each(EEA_COUNTRIES.map((c) => [c]))('knows the default time zone and the holidays of %s', (country) => {
    const result = computeDeadlines({ jurisdiction: 'GDPR', country, receivedAt: '2026-06-15T10:00:00Z' });
    expect(result.timezone).toBe(COUNTRY_TIME_ZONES[country]);
    expect(result.receivedDate).toBe('2026-06-15');
    // 15 July 2026 is a Wednesday; no EEA state has a public holiday on it.
    expect(result.dueDate).toBe('2026-07-15');
  });
});

describe('computeDeadlines input errors', () => {
  const bad: Array<[string, Record<string, unknown>, RegExp]> = [
    ['an unknown jurisdiction', { jurisdiction: 'HIPAA', country: 'US', receivedAt: at10('2026-01-05') }, /unknown jurisdiction "HIPAA"/],
    ['an unknown country', { jurisdiction: 'GDPR', country: 'XX', receivedAt: at10('2026-01-05') }, /unknown country "XX"/],
    ['UK instead of GB', { jurisdiction: 'UK_GDPR', country: 'UK', receivedAt: at10('2026-01-05') }, /is GB/],
    ['GDPR with a country outside the EEA', { jurisdiction: 'GDPR', country: 'US', receivedAt: at10('2026-01-05') }, /US does not fit GDPR: expected an EEA state/],
    ['GDPR with the United Kingdom', { jurisdiction: 'GDPR', country: 'GB', receivedAt: at10('2026-01-05') }, /GB does not fit GDPR/],
    ['UK_GDPR with an EEA state', { jurisdiction: 'UK_GDPR', country: 'DE', receivedAt: at10('2026-01-05') }, /DE does not fit UK_GDPR: expected GB/],
    ['CCPA with Canada', { jurisdiction: 'CCPA', country: 'CA', receivedAt: at10('2026-01-05') }, /CA does not fit CCPA: expected US/],
    ['GDPR without a country', { jurisdiction: 'GDPR', receivedAt: at10('2026-01-05') }, /GDPR needs the controller's country/],
    ['an impossible date', { jurisdiction: 'GDPR', country: 'NO', receivedAt: '2026-02-30T10:00:00Z' }, /no such day/],
    ['a time without an offset', { jurisdiction: 'GDPR', country: 'NO', receivedAt: '2026-03-01T10:00:00' }, /with an offset/],
    ['an hour out of range', { jurisdiction: 'GDPR', country: 'NO', receivedAt: '2026-03-01T24:00:00Z' }, /invalid receipt date/],
    ['words instead of a date', { jurisdiction: 'GDPR', country: 'NO', receivedAt: 'yesterday' }, /invalid receipt date "yesterday"/],
    ['an invalid Date', { jurisdiction: 'GDPR', country: 'NO', receivedAt: new Date('nope') }, /Invalid Date/],
    ['no receipt date', { jurisdiction: 'GDPR', country: 'NO' }, /missing receipt date/],
    ['an unknown time zone', { jurisdiction: 'GDPR', country: 'NO', receivedAt: at10('2026-01-05'), timezone: 'Mars/Olympus' }, /unknown time zone "Mars\/Olympus"/],
  ];

  it.each(bad)('rejects %s with a DeadlineInputError', (_name, input, message) => {
    let caught: unknown;
    try {
      computeDeadlines(input as unknown as DeadlineInput);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(DeadlineInputError);
    expect((caught as Error).message).toMatch(message);
  });
});

describe('jurisdictionRules', () => {
  it('states extension and clock-stop rules per law', () => {
    expect(jurisdictionRules.GDPR).toMatchObject({ extensionAllowed: true, clockStopAllowed: 'by_configuration' });
    expect(jurisdictionRules.UK_GDPR).toMatchObject({ extensionAllowed: true, clockStopAllowed: 'always' });
    expect(jurisdictionRules.LGPD).toMatchObject({ extensionAllowed: false, clockStopAllowed: 'never' });
    for (const j of ['CCPA', 'VCDPA', 'CPA', 'PIPEDA'] as const) {
      expect(jurisdictionRules[j]).toMatchObject({ extensionAllowed: true, clockStopAllowed: 'never' });
    }
    for (const rule of Object.values(jurisdictionRules)) expect(rule.statute.length).toBeGreaterThan(0);
  });
});

describe('date helpers', () => {
  it('adds calendar days across month ends and leap days', () => {
    expect(addCalendarDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addCalendarDays('2027-02-28', 1)).toBe('2027-03-01');
    expect(addCalendarDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(addCalendarDays('2026-12-31', 1)).toBe('2027-01-01');
    // Across the European switch to summer time (29 March 2026): dates have no hours to lose.
    expect(addCalendarDays('2026-03-28', 2)).toBe('2026-03-30');
  });

  it('counts the days between two dates, negative when the second is earlier', () => {
    expect(daysBetween('2026-01-01', '2026-12-31')).toBe(364);
    expect(daysBetween('2028-01-01', '2029-01-01')).toBe(366);
    expect(daysBetween('2026-03-10', '2026-03-01')).toBe(-9);
    expect(daysBetween('2026-03-28', '2026-03-30')).toBe(2);
  });

  it('rejects malformed dates', () => {
    expect(() => addCalendarDays('2026-13-01', 1)).toThrow(DeadlineInputError);
    expect(() => daysBetween('2026-1-1', '2026-01-02')).toThrow(DeadlineInputError);
  });

  it('tells working days per country', () => {
    expect(isWorkingDay('2028-05-17', 'NO')).toBe(false); // Grunnlovsdag, a Wednesday
    expect(isWorkingDay('2028-05-17', 'GB')).toBe(true);
    expect(isWorkingDay('2026-04-02', 'NO')).toBe(false); // Skjærtorsdag
    expect(isWorkingDay('2026-04-02', 'DE')).toBe(true);
    expect(isWorkingDay('2026-12-24', 'NO')).toBe(true); // julaften is not a public holiday
    expect(isWorkingDay('2026-08-31', 'GB')).toBe(false); // England and Wales summer bank holiday
    expect(isWorkingDay('2026-11-27', 'US-CA')).toBe(false); // day after Thanksgiving, a California holiday
    expect(isWorkingDay('2026-10-10', 'FR')).toBe(false); // a Saturday
    expect(isWorkingDay('2026-10-12', 'FR')).toBe(true);
  });

  it('rejects an unknown country or subdivision', () => {
    expect(() => isWorkingDay('2026-10-12', 'XX')).toThrow(DeadlineInputError);
    expect(() => isWorkingDay('2026-10-12', 'US-ZZ')).toThrow(DeadlineInputError);
  });

  it('refuses a date outside the years of the generated holiday table, saying how to extend it', () => {
    expect(() => isWorkingDay('2051-01-02', 'NO')).toThrow(/no public holidays for 2051: the table covers 2024-2050 \(npm run holidays extends it\)/);
    expect(() => computeDeadlines({ jurisdiction: 'GDPR', country: 'NO', receivedAt: '2050-12-01T10:00:00Z' })).toThrow(DeadlineInputError);
  });
});

describe('shiftDueDates', () => {
  it('moves the unrolled end by the pause and rolls again (GDPR)', () => {
    // Received 2 March 2026 in Norway: the period ends on 2 April, rolled to 7 April past Easter.
    // Three paused days end it on 5 April (Easter Sunday), rolled past 2. påskedag to 7 April again,
    // not to 10 April. Extended: 2 June + 3 = 5 June 2026, a Friday.
    const base = computeDeadlines({ jurisdiction: 'GDPR', country: 'NO', receivedAt: at10('2026-03-02') });
    expect(base.dueDate).toBe('2026-04-07');
    const shifted = shiftDueDates(base, 3);
    expect(shifted).toEqual({ ...base, dueDate: '2026-04-07', extendedDueDate: '2026-06-05' });
  });

  it('moves UK dates by the total paused days', () => {
    // Received 31 July 2026: unrolled ends 31 August and 31 October. Ten paused days: 10 September
    // (Thursday) and 10 November (Tuesday).
    const base = computeDeadlines({ jurisdiction: 'UK_GDPR', country: 'GB', receivedAt: at10('2026-07-31') });
    expect(shiftDueDates(base, 10)).toMatchObject({ dueDate: '2026-09-10', extendedDueDate: '2026-11-10' });
    expect(shiftDueDates(base, 0)).toEqual(base);
  });

  it('refuses a pause under a law that counts from receipt regardless', () => {
    const base = computeDeadlines({ jurisdiction: 'CCPA', receivedAt: '2026-11-20T18:00:00Z' });
    expect(() => shiftDueDates(base, 5)).toThrow(/CCPA does not allow the clock to be stopped/);
    expect(shiftDueDates(base, 0)).toEqual(base);
  });

  it('refuses a negative or fractional pause', () => {
    const base = computeDeadlines({ jurisdiction: 'GDPR', country: 'NO', receivedAt: at10('2026-03-02') });
    expect(() => shiftDueDates(base, -1)).toThrow(DeadlineInputError);
    expect(() => shiftDueDates(base, 1.5)).toThrow(DeadlineInputError);
  });
});
