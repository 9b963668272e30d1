/**
 * The calendar date of an instant in a time zone, as `YYYY-MM-DD`: deadlines are dates in the controller's
 * zone. The engine's own `localDate` (./timezone.ts, which imports nothing heavy) under the argument order
 * the request code uses; it had a formatter of its own before deadlines got one home.
 */
import { localDate } from './timezone.ts';

export function dateIn(timeZone: string, at: Date): string {
  return localDate(at, timeZone);
}
