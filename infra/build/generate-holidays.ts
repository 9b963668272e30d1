/**
 * Writes functions/domain/deadlines/holiday-table.generated.ts from date-holidays (see
 * ./public-holidays.ts). Run with `npm run holidays`; commit the result. A test fails while the
 * committed table differs from what this would write.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { renderHolidayTable } from './public-holidays.ts';

export const HOLIDAY_TABLE_PATH = new URL('../../functions/domain/deadlines/holiday-table.generated.ts', import.meta.url);

export function dateHolidaysVersion(): string {
  const pkg = createRequire(import.meta.url).resolve('date-holidays/package.json');
  return (JSON.parse(readFileSync(pkg, 'utf8')) as { version: string }).version;
}

if (import.meta.url === new URL(process.argv[1] ?? '', 'file:').href) {
  writeFileSync(HOLIDAY_TABLE_PATH, renderHolidayTable(dateHolidaysVersion()));
  console.log(`wrote ${HOLIDAY_TABLE_PATH.pathname}`);
}
