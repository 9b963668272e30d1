/**
 * The generated holiday table against date-holidays itself: the Lambdas read the table, so it must say
 * what date-holidays says, for every region the engine knows, and be what the generator writes today.
 */
import { readFileSync } from 'node:fs';
import Holidays from 'date-holidays';
import { describe, expect, it } from 'vitest';
import { dateHolidaysVersion, HOLIDAY_TABLE_PATH } from '../../../infra/build/generate-holidays.ts';
import { HOLIDAY_YEARS, holidayRegions, renderHolidayTable } from '../../../infra/build/public-holidays.ts';
import { isPublicHoliday } from '../../../functions/domain/deadlines/holidays.ts';
import { COUNTRY_TIME_ZONES } from '../../../functions/domain/deadlines/countries.ts';

/** The ten years checked day by day. */
const FIRST = 2026;
const YEARS = Array.from({ length: 10 }, (_, i) => FIRST + i);

const DAY = 86_400_000;
const iso = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/**
 * date-holidays' calendar for a region (GB is England and Wales, `US-CA` a state), its times read in
 * UTC so that a day's midnight is `<date>T00:00Z` whatever the region's zone.
 */
function calendar(region: string): Holidays {
  const [country = '', state] = region.split('-');
  const hd = new Holidays();
  if (region === 'GB') hd.init('GB', 'ENG', { types: ['public'] });
  else if (state) hd.init(country, state, { types: ['public'] });
  else hd.init(country, { types: ['public'] });
  hd.setTimezone('UTC');
  return hd;
}

describe('the generated public holiday table', () => {
  it('covers every country the engine knows, and California for the CCPA', () => {
    expect(holidayRegions()).toEqual(expect.arrayContaining([...Object.keys(COUNTRY_TIME_ZONES), 'US-CA']));
    expect(HOLIDAY_YEARS.first).toBeLessThanOrEqual(FIRST);
    expect(HOLIDAY_YEARS.last).toBeGreaterThanOrEqual(YEARS.at(-1)!);
  });

  it(`gives date-holidays' answer for every region on every day of ${FIRST}-${YEARS.at(-1)}`, () => {
    const differences: string[] = [];
    for (const region of holidayRegions()) {
      const hd = calendar(region);
      for (const year of YEARS) {
        // A day is a public holiday when a public holiday is under way at its midnight: a half day
        // from noon is not, each day of a holiday several days long is. Checked from the previous
        // year's list too, for a holiday that runs into January.
        const spans = [...hd.getHolidays(year - 1), ...hd.getHolidays(year)]
          .filter((h) => h.type === 'public')
          .map((h) => [h.start.getTime(), h.end.getTime()] as const);
        for (let t = Date.parse(`${year}-01-01T00:00:00Z`); iso(t).startsWith(String(year)); t += DAY) {
          const date = iso(t);
          const expected = spans.some(([start, end]) => start <= t && t < end);
          if (isPublicHoliday(date, region) !== expected) differences.push(`${region} ${date}: date-holidays says ${expected}`);
        }
      }
    }
    expect(differences).toEqual([]);
  });

  it('is what `npm run holidays` writes today (regenerate and commit it when this fails)', () => {
    expect(readFileSync(HOLIDAY_TABLE_PATH, 'utf8')).toBe(renderHolidayTable(dateHolidaysVersion()));
  });
});
