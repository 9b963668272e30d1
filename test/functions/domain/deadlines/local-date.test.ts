import { describe, expect, it } from 'vitest';
import { dateIn } from '../../../../functions/domain/deadlines/local-date.ts';
import { DeadlineInputError } from '../../../../functions/domain/deadlines/errors.ts';

describe('the date of an instant in a time zone', () => {
  it('is the date a wall clock in that zone shows, ahead of or behind UTC', () => {
    const lateInJanuary = new Date('2026-01-31T23:30:00Z');
    expect(dateIn('Europe/Oslo', lateInJanuary)).toBe('2026-02-01');
    expect(dateIn('UTC', lateInJanuary)).toBe('2026-01-31');
    expect(dateIn('America/Los_Angeles', new Date('2026-03-03T05:00:00Z'))).toBe('2026-03-02');
  });

  it('refuses a zone the runtime does not know with the deadline engine’s input error', () => {
    expect(() => dateIn('Mars/Olympus_Mons', new Date())).toThrow(DeadlineInputError);
  });
});
