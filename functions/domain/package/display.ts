/**
 * One value as a person reads it in the access report: dates (ISO strings and Unix seconds) in the
 * request's time zone and the subject's language, money from minor units in its currency, yes/no,
 * lists as text. Empty values (null, "", [], {}) have nothing to show and give undefined. data.json and
 * the CSVs keep the raw values.
 */
import type { FieldFormat } from '#commons/config';
import type { Translator } from '../i18n/index.ts';
import { humanize } from './dictionary.ts';
import { cellText } from './flatten.ts';
import { isPlainObject } from './view.ts';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const ISO_DATETIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/;
/** Names that hold a moment: `created`, `period_end`, `createdAt`, `ClosedDate`, `hs_timestamp`. */
const MOMENT_NAME = /(^|[._])(created|date|time|timestamp|start|end|expires|due|updated|canceled|cancelled|period_start|period_end)$|(At|Date|Time)$|_at$/i;
/** Unix seconds between 2001 and 2286: a number in a moment's field outside this is not a timestamp. */
const UNIX_SECONDS = [1e9, 1e10] as const;

export interface DisplayContext {
  t: Translator;
  timeZone: string;
}

export function displayValue(path: string, value: unknown, format: FieldFormat | undefined, record: Record<string, unknown>, ctx: DisplayContext): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (Array.isArray(value) && value.length === 0) return undefined;
  if (isPlainObject(value) && Object.keys(value).length === 0) return undefined;
  const { t, timeZone } = ctx;
  const kind = format ?? guess(path, value);
  switch (kind) {
    case 'unix-date':
    case 'unix-datetime':
      if (typeof value === 'number') return t.date(new Date(value * 1000), { timeZone, with: kind === 'unix-date' ? 'date' : 'datetime' });
      break;
    case 'date':
    case 'datetime':
      if (typeof value === 'string') return t.date(value, { timeZone, with: kind });
      break;
    case 'minor-units': {
      const currency = currencyOf(path, record);
      if (typeof value === 'number' && currency) return money(value, currency, t.tag);
      break;
    }
  }
  if (typeof value === 'boolean') return t.t(value ? 'report.value.yes' : 'report.value.no');
  // Whole numbers as they are (a year, a quantity); grouping would turn 2030 into "2,030".
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : t.number(value);
  if (Array.isArray(value) && value.every((v) => v === null || typeof v !== 'object')) return value.map((v) => cellText(v)).join(', ');
  // A list of objects (HubSpot's subscription statuses): one line per item, its fields as "name: value".
  if (Array.isArray(value) && value.every(isPlainObject)) return value.map((item) => itemLine(item)).join('\n');
  return cellText(value);
}

function itemLine(item: Record<string, unknown>): string {
  return Object.entries(item)
    .filter(([k, v]) => k !== 'id' && v !== null && v !== undefined && v !== '')
    .map(([k, v]) => `${humanize(k)}: ${cellText(v)}`)
    .join('; ');
}

function guess(path: string, value: unknown): FieldFormat | undefined {
  if (typeof value === 'string') {
    if (ISO_DATE.test(value)) return 'date';
    if (ISO_DATETIME.test(value)) return 'datetime';
    return undefined;
  }
  if (typeof value === 'number' && Number.isInteger(value) && value >= UNIX_SECONDS[0] && value < UNIX_SECONDS[1] && MOMENT_NAME.test(path)) return 'unix-datetime';
  return undefined;
}

/** The currency beside an amount: `currency` in the same object, else on the record. */
function currencyOf(path: string, record: Record<string, unknown>): string | undefined {
  const parent = path.includes('.') ? path.slice(0, path.lastIndexOf('.')) : '';
  let here: unknown = record;
  for (const part of parent ? parent.split('.') : []) here = isPlainObject(here) ? here[part] : undefined;
  const local = isPlainObject(here) ? here.currency : undefined;
  const currency = typeof local === 'string' ? local : typeof record.currency === 'string' ? record.currency : undefined;
  return currency && /^[a-z]{3}$/i.test(currency) ? currency.toUpperCase() : undefined;
}

const moneyFormats = new Map<string, Intl.NumberFormat>();

function money(minor: number, currency: string, tag: string): string {
  const id = `${tag}|${currency}`;
  let format = moneyFormats.get(id);
  if (!format) {
    format = new Intl.NumberFormat(tag, { style: 'currency', currency });
    moneyFormats.set(id, format);
  }
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(minor / 10 ** digits);
}
