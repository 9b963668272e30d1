/**
 * The code mail's line with the code, in English or Norwegian Bokmål (`mail.code.line` in
 * functions/domain/i18n/locales/<lang>/mail.ts). Tests read codes from mails with it; a new language's
 * code line is added here.
 */
export const CODE_LINE = /(?:code for request \S+ is|for forespørsel \S+ er): (\d{6})/;
