import { describe, expect, it } from 'vitest';
import { translator } from '../../../../functions/domain/i18n/index.ts';
import { displayValue } from '../../../../functions/domain/package/display.ts';

const en = { t: translator('en'), timeZone: 'Europe/Oslo' };
const nb = { t: translator('nb'), timeZone: 'Europe/Oslo' };
const show = (path: string, value: unknown, record: Record<string, unknown> = {}, ctx = en, format?: Parameters<typeof displayValue>[2]) => displayValue(path, value, format, record, ctx);

describe('a value as the report shows it', () => {
  it('shows Unix seconds in a field named like a moment as a date and time in the request zone', () => {
    expect(show('created', 1735725600)).toBe('1 January 2025 at 11:00');
    expect(show('period_end', 1735725600, {}, nb)).toBe('1. januar 2025 kl. 11:00');
  });

  it('leaves a large number alone when its field is not a moment, and does not group whole numbers', () => {
    expect(show('engagementScore', 1735725600)).toBe('1735725600');
    expect(show('card.exp_year', 2030)).toBe('2030');
    expect(show('ratio', 0.25, {}, nb)).toBe('0,25');
  });

  it('shows an ISO date as that calendar day, and an ISO time in the request zone', () => {
    expect(show('passwordUpdatedAt', '2025-06-01')).toBe('1 June 2025');
    expect(show('startedAt', '2026-07-03T22:30:00.000Z')).toBe('4 July 2026 at 00:30');
  });

  it('shows minor units as money in the currency beside them', () => {
    expect(show('amount', 1250, { currency: 'eur' }, en, 'minor-units')).toBe('€12.50');
    expect(show('amount', 1250, { currency: 'nok' }, nb, 'minor-units')).toMatch(/^12,50\skr$/);
    expect(show('amount', 500, { currency: 'jpy' }, en, 'minor-units')).toBe('JP¥500');
    // No currency to be found: the number as it is, never a guessed currency.
    expect(show('amount', 1250, {}, en, 'minor-units')).toBe('1250');
  });

  it('says yes and no in the reader language, and joins lists', () => {
    expect(show('paid', true, {}, nb)).toBe('Ja');
    expect(show('preferred_locales', ['nb', 'en'])).toBe('nb, en');
    expect(show('statuses', [{ id: '1', name: 'Newsletter', status: 'SUBSCRIBED' }, { name: 'Webinars', status: null }])).toBe('Name: Newsletter; Status: SUBSCRIBED\nName: Webinars');
  });

  it('has nothing to show for empty values', () => {
    for (const empty of [null, undefined, '', [], {}]) expect(show('x', empty)).toBeUndefined();
  });
});
