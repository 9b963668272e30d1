/**
 * English is the reference catalogue: its keys are the message keys, and every other language must
 * give a message for each (the compiler checks it; test/functions/domain/i18n checks that the messages
 * parse and use the same placeholders).
 */
import type { en } from './locales/en/index.ts';

export type MessageKey = keyof typeof en;
export type Catalogue = Record<MessageKey, string>;
