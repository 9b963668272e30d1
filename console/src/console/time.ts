/**
 * Times as staff read them: in the company's time zone (configuration `organisation.timezone`, which
 * the API sends with each request as `timeZone`), with the UTC time in the element's `title` for the
 * hover, and the instant itself in `datetime`. A calendar date (a due date) is a day, not an instant:
 * it is shown as it is, in no zone.
 */
import { h } from '../shared/dom.ts';

const CALENDAR_DATE = /^\d{4}-\d{2}-\d{2}$/;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-GB', { timeZone: zone, dateStyle: 'medium', timeStyle: 'short' });
    } catch {
      // A zone this browser does not know: UTC, said as such, rather than a page that fails.
      f = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', dateStyle: 'medium', timeStyle: 'short' });
    }
    formatters.set(zone, f);
  }
  return f;
}

/** `2026-12-06 07:28 UTC`: the hover text. */
export function utcText(iso: string): string {
  return new Date(iso).toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
}

/** `6 Dec 2026, 08:28 (Europe/Oslo)`, or the date itself for a calendar date. */
export function zonedText(iso: string, zone: string): string {
  if (CALENDAR_DATE.test(iso)) return iso;
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  return `${formatter(zone).format(at)} (${formatter(zone).resolvedOptions().timeZone})`;
}

/** A `<time>` in the company's zone with UTC on hover; a calendar date as a plain `<time>`. */
export function timeIn(iso: string | undefined | null, zone: string): HTMLElement | string {
  if (!iso) return '—';
  if (CALENDAR_DATE.test(iso) || Number.isNaN(Date.parse(iso))) return h('time', { datetime: iso }, iso);
  return h('time', { datetime: iso, title: utcText(iso) }, zonedText(iso, zone));
}
