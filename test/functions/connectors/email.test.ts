import { describe, expect, it } from 'vitest';
import { sameEmail } from '#connectors/email';

describe('sameEmail, the one rule by which every connector recognises the subject in a record', () => {
  it('matches an address stored as typed, with spaces and capitals', () => {
    expect(sameEmail('  Alice@Example.COM ', 'alice@example.com')).toBe(true);
  });

  it('does not match another address, a near match, or a value that is not text', () => {
    expect(sameEmail('alice@example.co', 'alice@example.com')).toBe(false);
    expect(sameEmail('malice@example.com', 'alice@example.com')).toBe(false);
    expect(sameEmail(undefined, 'alice@example.com')).toBe(false);
    expect(sameEmail(['alice@example.com'], 'alice@example.com')).toBe(false);
  });
});
