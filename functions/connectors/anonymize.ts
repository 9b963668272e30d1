/** How a field is anonymized under an `anonymize` erasure policy. */
import { createHash } from 'node:crypto';

export function anonymizeValue(value: unknown, how: 'null' | 'redact' | 'hash'): unknown {
  switch (how) {
    case 'null':
      return null;
    case 'redact':
      return '[redacted]';
    case 'hash':
      return value === undefined || value === null ? value : createHash('sha256').update(String(value)).digest('hex');
  }
}

/** Applies the field rules to a flat record and returns the anonymized copy. */
export function anonymizeRecord(data: Record<string, unknown>, fields: Record<string, 'null' | 'redact' | 'hash'>): Record<string, unknown> {
  const out = { ...data };
  for (const [field, how] of Object.entries(fields)) {
    if (field in out) out[field] = anonymizeValue(out[field], how);
  }
  return out;
}
