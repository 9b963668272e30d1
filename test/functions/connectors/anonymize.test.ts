import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { anonymizeRecord, anonymizeValue } from '#connectors/anonymize';

describe('anonymize', () => {
  it('nulls, redacts and hashes values', () => {
    expect(anonymizeValue('Alice', 'null')).toBeNull();
    expect(anonymizeValue('Alice', 'redact')).toBe('[redacted]');
    expect(anonymizeValue('alice@example.com', 'hash')).toBe(createHash('sha256').update('alice@example.com').digest('hex'));
    expect(anonymizeValue(undefined, 'hash')).toBeUndefined();
  });

  it('applies rules only to fields the record has, and leaves the input alone', () => {
    const input = { name: 'Alice', email: 'a@example.com', plan: 'pro' };

    const out = anonymizeRecord(input, { name: 'redact', email: 'null', phone: 'redact' });

    expect(out).toEqual({ name: '[redacted]', email: null, plan: 'pro' });
    expect(input.name).toBe('Alice');
    expect('phone' in out).toBe(false);
  });
});
