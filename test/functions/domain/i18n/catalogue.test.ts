import { describe, expect, it } from 'vitest';
import { IntlMessageFormat } from 'intl-messageformat';
import { en } from '#domain/i18n/locales/en/index';
import { nb } from '#domain/i18n/locales/nb/index';

/** The placeholder names a message uses, found in its parsed form (plural and select branches included). */
function placeholders(message: string, tag: string): string[] {
  const names = new Set<string>();
  const walk = (elements: unknown[]): void => {
    for (const element of elements as Array<{ type: number; value?: unknown; options?: Record<string, { value: unknown[] }>; children?: unknown[] }>) {
      if (element.type >= 1 && element.type <= 6 && typeof element.value === 'string') names.add(element.value);
      for (const option of Object.values(element.options ?? {})) walk(option.value);
      if (element.children) walk(element.children);
    }
  };
  walk(new IntlMessageFormat(message, tag).getAst());
  return [...names].sort();
}

describe('the message catalogues', () => {
  it('give Norwegian a message for every English key and no others', () => {
    expect(Object.keys(nb).sort()).toEqual(Object.keys(en).sort());
  });

  it.each(Object.keys(en) as Array<keyof typeof en>)('parse %s in both languages with the same placeholders', (key) => {
    expect(placeholders(nb[key], 'nb-NO')).toEqual(placeholders(en[key], 'en-GB'));
  });

  it('leave no message empty', () => {
    for (const catalogue of [en, nb]) {
      for (const [key, message] of Object.entries(catalogue)) expect(message.trim(), key).not.toBe('');
    }
  });
});
