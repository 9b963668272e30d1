/**
 * Which of our languages a request's locale tag reads, without the catalogues: links and routing need
 * the language code, and importing the messages (and the ICU parser) for that would put them into every
 * Lambda bundle. The catalogues themselves are in ./index.ts.
 *
 * Anything we have no catalogue for falls back to English. Norwegian Nynorsk and the macro-language tag
 * `no` read Bokmål: a Norwegian reader understands both, and English would be the worse fallback.
 */
export const LOCALES = ['en', 'nb'] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'en';

const ALIASES: Record<string, Locale> = { no: 'nb', nn: 'nb' };

/** The catalogue for a request's locale tag, English when there is none or we do not have it. */
export function pickLocale(tag: string | undefined): Locale {
  if (!tag) return DEFAULT_LOCALE;
  let language: string;
  try {
    language = new Intl.Locale(tag).language.toLowerCase();
  } catch {
    return DEFAULT_LOCALE;
  }
  if ((LOCALES as readonly string[]).includes(language)) return language as Locale;
  return ALIASES[language] ?? DEFAULT_LOCALE;
}
