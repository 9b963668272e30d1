/**
 * The subject's language. Every text a subject reads (mails, public pages, reports) comes from one
 * message catalogue per language (`locales/<lang>/`), written in ICU message format so plurals and
 * numbers read right in each language, and formatted by FormatJS's `intl-messageformat`.
 *
 * The request's locale (a BCP 47 tag the subject's browser sent, e.g. `nb-NO`) picks the catalogue;
 * anything we have no catalogue for falls back to English. Norwegian Nynorsk and the macro-language tag
 * `no` read Bokmål: a Norwegian reader understands both, and English would be the worse fallback.
 * Adding a language is adding a folder under `locales/` typed as `Catalogue` (the compiler lists every
 * missing message), its code in `LOCALES` (./locale.ts) and one line in `CATALOGUES` below; docs/i18n.md
 * says how.
 */
import { IntlMessageFormat } from 'intl-messageformat';
import type { Catalogue, MessageKey } from './catalogue.ts';
import { pickLocale, type Locale } from './locale.ts';
import { en } from './locales/en/index.ts';
import { nb } from './locales/nb/index.ts';

export type { Catalogue, MessageKey } from './catalogue.ts';
export { DEFAULT_LOCALE, LOCALES, pickLocale, type Locale } from './locale.ts';

/** Each supported language's catalogue, with the tag `Intl` formats its dates and numbers in. */
const CATALOGUES: Record<Locale, { tag: string; messages: Catalogue }> = {
  en: { tag: 'en-GB', messages: en },
  nb: { tag: 'nb-NO', messages: nb },
};

export type MessageValues = Record<string, string | number | Date>;

export interface DateOptions {
  /** IANA zone the date is shown in (the subject's or the company's); UTC when absent. */
  timeZone?: string;
  /** `date` (the default) shows the day only; `datetime` adds the time of day. */
  with?: 'date' | 'datetime';
}

export interface Translator {
  readonly locale: Locale;
  /** The tag dates and numbers are formatted in, and the `lang` attribute of pages in this language. */
  readonly tag: string;
  /** The message in this language, its `{placeholders}` filled; plain text (escape it for HTML). */
  t(key: MessageKey, values?: MessageValues): string;
  /**
   * A date as a reader of this language writes it ("6 December 2026", "6. desember 2026"). A bare
   * calendar date (`2026-12-06`, as deadlines are stored) is that day wherever the reader is; an
   * instant is shown in `timeZone`.
   */
  date(value: string | Date, options?: DateOptions): string;
  number(value: number): string;
}

const compiled = new Map<string, IntlMessageFormat>();

function format(locale: Locale, key: MessageKey): IntlMessageFormat {
  const id = `${locale}\u0000${key}`;
  let message = compiled.get(id);
  if (!message) {
    const { tag, messages } = CATALOGUES[locale];
    message = new IntlMessageFormat(messages[key], tag);
    compiled.set(id, message);
  }
  return message;
}

const CALENDAR_DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Formatters are costly to build (a report formats thousands of dates) and few in kind: one per
 * language, zone and style, kept for the life of the process.
 */
const dateFormats = new Map<string, Intl.DateTimeFormat>();
const numberFormats = new Map<string, Intl.NumberFormat>();

function dateFormat(tag: string, timeZone: string, withTime: boolean): Intl.DateTimeFormat {
  const id = `${tag}|${timeZone}|${withTime}`;
  let f = dateFormats.get(id);
  if (!f) {
    f = new Intl.DateTimeFormat(tag, { dateStyle: 'long', ...(withTime ? { timeStyle: 'short' } : {}), timeZone });
    dateFormats.set(id, f);
  }
  return f;
}

function numberFormat(tag: string): Intl.NumberFormat {
  let f = numberFormats.get(tag);
  if (!f) {
    f = new Intl.NumberFormat(tag);
    numberFormats.set(tag, f);
  }
  return f;
}

export function translator(localeTag: string | undefined): Translator {
  const locale = pickLocale(localeTag);
  const { tag } = CATALOGUES[locale];
  return {
    locale,
    tag,
    t(key, values) {
      const out = format(locale, key).format(values);
      // With only text and number arguments the formatter returns a string; a list would mean a rich-text
      // tag slipped into a message, which this catalogue does not use.
      return Array.isArray(out) ? out.join('') : String(out);
    },
    date(value, options = {}) {
      const calendarDay = typeof value === 'string' && CALENDAR_DATE.test(value);
      const instant = typeof value === 'string' ? new Date(calendarDay ? `${value}T00:00:00Z` : value) : value;
      if (Number.isNaN(instant.getTime())) return String(value);
      return dateFormat(tag, calendarDay ? 'UTC' : (options.timeZone ?? 'UTC'), options.with === 'datetime' && !calendarDay).format(instant);
    },
    number(value) {
      return numberFormat(tag).format(value);
    },
  };
}
