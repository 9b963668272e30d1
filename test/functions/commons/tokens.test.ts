import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hashCode, hashToken, newCode, newRequestId, newToken, sameHash, subjectHash } from '#commons/tokens';

describe('tokens', () => {
  it('makes URL-safe tokens with 256 bits', () => {
    const t = newToken();

    expect(t).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(newToken()).not.toBe(t);
  });

  it('makes 6-digit codes, keeping leading zeros', () => {
    const codes = Array.from({ length: 200 }, newCode);

    expect(codes.every((c) => /^\d{6}$/.test(c))).toBe(true);
  });

  it('binds a code hash to its request and to the secret key (HMAC), so the table alone does not reveal codes', () => {
    const key = Buffer.from('k'.repeat(32));
    expect(hashCode('dsar_a', '123456', key)).not.toBe(hashCode('dsar_b', '123456', key));
    expect(hashCode('dsar_a', '123456', key)).not.toBe(hashCode('dsar_a', '123456', Buffer.from('j'.repeat(32))));
    expect(hashCode('dsar_a', '123456', key)).toBe(createHmac('sha256', key).update('dsar_a:123456').digest('hex'));
    expect(hashCode('dsar_a', '123456', key)).not.toBe(createHash('sha256').update('dsar_a:123456').digest('hex'));
  });

  it('compares hashes in constant time and refuses different lengths', () => {
    expect(sameHash(hashToken('x'), hashToken('x'))).toBe(true);
    expect(sameHash(hashToken('x'), hashToken('y'))).toBe(false);
    expect(sameHash(hashToken('x'), '')).toBe(false);
  });

  it('makes request ids the API accepts, sortable by time', () => {
    const early = newRequestId(new Date('2026-01-01T00:00:00Z'));
    const late = newRequestId(new Date('2026-06-01T00:00:00Z'));

    expect(early).toMatch(/^dsar_[a-z0-9]{8,40}$/);
    expect(early < late).toBe(true);
  });

  it('never keeps an email in clear in the subject hash', () => {
    expect(subjectHash('alice@example.com')).toMatch(/^[0-9a-f]{64}$/);
  });
});
