/** A request type as a subject (or a partner) reads it in a mail, in the reader's language. */
import type { MessageKey, Translator } from '../i18n/index.ts';
import { en } from '../i18n/locales/en/index.ts';

/** The request type in words ("access to your personal data"); a type the catalogue has no words for (a newer one) as it is. */
export function typeWords(t: Translator, type: string): string {
  const key = `type.${type}`;
  return Object.hasOwn(en, key) ? t.t(key as MessageKey) : type;
}
