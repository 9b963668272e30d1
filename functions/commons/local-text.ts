/**
 * Text the configuration gives for the subject to read (a field's label, a system's purposes): one
 * string, read in every language, or one string per language (`{"en": "...", "nb": "..."}`), read in the
 * subject's language with English, then any given language, as fallback. Its own module so the
 * configuration schema and the report share it.
 */
import * as z from 'zod/mini';

export const localTextSchema = z.union([
  z.string().check(z.minLength(1)),
  z.record(z.string().check(z.regex(/^[a-z]{2,3}$/, 'a language code such as en or nb')), z.string().check(z.minLength(1))),
]);
export type LocalText = z.infer<typeof localTextSchema>;

/** The text in `language` (an ISO 639 code), else English, else the first language given. */
export function localText(text: LocalText, language: string): string {
  if (typeof text === 'string') return text;
  return text[language] ?? text.en ?? Object.values(text)[0] ?? '';
}
