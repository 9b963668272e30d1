import { describe, expect, it } from 'vitest';
import { daysLeftBadge } from '../../console/src/console/badge.ts';

describe('the days-left badge', () => {
  it.each([
    [30, 'green', '30d left'],
    [10, 'green', '10d left'],
    [9, 'amber', '9d left'],
    [5, 'amber', '5d left'],
    [4, 'red', '4d left'],
    [1, 'red', '1d left'],
    [0, 'red', 'due today'],
    [-1, 'overdue', '1d overdue'],
    [-12, 'overdue', '12d overdue'],
  ])('It should show %i days as %s (%s)', (days, tone, text) => {
    const badge = daysLeftBadge(days);
    expect(badge.tone).toBe(tone);
    expect(badge.text).toBe(text);
  });

  it('It should say the meaning in words, not only in colour', () => {
    expect(daysLeftBadge(1).label).toBe('1 day left');
    expect(daysLeftBadge(7).label).toBe('7 days left');
    expect(daysLeftBadge(-1).label).toBe('Overdue by 1 day');
    expect(daysLeftBadge(0).label).toBe('Due today');
  });
});
