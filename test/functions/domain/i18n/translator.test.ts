import { describe, expect, it } from 'vitest';
import { pickLocale, translator } from '#domain/i18n/index';

describe('pickLocale', () => {
  it.each([
    ['nb-NO', 'nb'], ['nb', 'nb'], ['no', 'nb'], ['nn-NO', 'nb'],
    ['en-US', 'en'], ['de-DE', 'en'], [undefined, 'en'], ['not a tag', 'en'],
  ])('reads %s as %s', (tag, locale) => {
    expect(pickLocale(tag)).toBe(locale);
  });
});

describe('a translator', () => {
  it('fills placeholders and plurals in the subject language', () => {
    expect(translator('nb-NO').t('records.count', { count: 1 })).toBe('1 oppføring');
    expect(translator('nb-NO').t('records.count', { count: 2 })).toBe('2 oppføringer');
    expect(translator('en').t('records.count', { count: 2 })).toBe('2 records');
  });

  it('writes a stored calendar date as that day in every zone', () => {
    expect(translator('en').date('2026-12-06')).toBe('6 December 2026');
    expect(translator('nb-NO').date('2026-12-06')).toBe('6. desember 2026');
  });

  it('shows an instant in the zone it is given', () => {
    const late = '2026-12-06T23:30:00Z';
    expect(translator('en').date(late, { timeZone: 'Europe/Oslo' })).toBe('7 December 2026');
    expect(translator('en').date(late, { timeZone: 'Europe/Oslo', with: 'datetime' })).toBe('7 December 2026 at 00:30');
  });

  it('falls back to English for a language it has no catalogue for', () => {
    expect(translator('de').t('type.short.access')).toBe('Access');
  });
});
