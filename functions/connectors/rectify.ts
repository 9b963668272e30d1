/**
 * What every connector's `rectify` capability shares: comparing a read-back value with the value staff
 * chose, and grouping corrections by record (one update call per record).
 */
import type { Correction, FieldValueData, PostalAddress } from './types.ts';

const ADDRESS_PARTS = ['line1', 'line2', 'postalCode', 'city', 'region', 'country'] as const;

/** An address with its empty parts dropped and the rest trimmed, so `null`, `''` and absent compare equal. */
export function cleanAddress(address: PostalAddress): PostalAddress {
  const out: PostalAddress = {};
  for (const part of ADDRESS_PARTS) {
    const v = address[part];
    if (typeof v === 'string' && v.trim() !== '') out[part] = part === 'country' ? v.trim().toUpperCase() : v.trim();
  }
  return out;
}

/**
 * Whether a system's value is the one staff chose: strings trimmed, runs of spaces as one (emails also case-insensitively, as
 * every system here compares them), addresses part by part (the two street lines as one) with empty parts equal to absent ones.
 */
export function sameFieldValue(field: string, read: FieldValueData | null, chosen: FieldValueData): boolean {
  if (read === null) return false;
  if (typeof chosen === 'string' || typeof read === 'string') {
    if (typeof chosen !== 'string' || typeof read !== 'string') return false;
    // Runs of spaces count as one: a name written as first and last name reads back with one space between.
    const norm = (v: string) => v.trim().replace(/\s+/g, ' ');
    return field === 'email' ? norm(read).toLowerCase() === norm(chosen).toLowerCase() : norm(read) === norm(chosen);
  }
  // The street lines compare as one: a system with a single street property (HubSpot's `address`)
  // stores line2 joined to line1.
  const flat = (x: PostalAddress) => {
    const c = cleanAddress(x);
    return [[c.line1, c.line2].filter(Boolean).join(', '), c.postalCode, c.city, c.region, c.country].map((v) => (v ?? '').replace(/\s+/g, ' '));
  };
  const [a, b] = [flat(read), flat(chosen)];
  return a.every((v, i) => v === b[i]);
}

/** The corrections for each record, in the order first named. */
export function byRecord(corrections: readonly Correction[]): Map<string, Correction[]> {
  const out = new Map<string, Correction[]>();
  for (const c of corrections) out.set(c.recordId, [...(out.get(c.recordId) ?? []), c]);
  return out;
}

/** A string value, or null for a missing or empty one. */
export function textOrNull(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value : null;
}
