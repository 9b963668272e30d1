/**
 * What the connectors that implement `rectify` share: reading a stored value as a rectifiable one (a
 * string, or a postal address from a map or from one attribute per part), refusing a correction whose
 * value does not fit its field before anything is written, comparing a read-back value with the value
 * staff chose, and grouping corrections by record.
 */
import type { RectifyTargets } from '#commons/config';
import { ConnectorMisconfigured } from './errors.ts';
import type { Correction, FieldValueData, PostalAddress, RectifiableField, Subject } from './types.ts';

/** True when A and B are the same set of names. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/**
 * The configuration's `rectify` map names exactly RECTIFIABLE_FIELDS: a field added to one and not the
 * other fails to compile here, rather than being silently absent from the own stores.
 */
const RECTIFY_MAP_COVERS_FIELDS: Same<keyof RectifyTargets, RectifiableField> = true;
void RECTIFY_MAP_COVERS_FIELDS;

/** The parts of a postal address, in the order staff read them. */
export const ADDRESS_PARTS = ['line1', 'line2', 'postalCode', 'city', 'region', 'country'] as const satisfies ReadonlyArray<keyof PostalAddress>;
export type AddressPart = (typeof ADDRESS_PARTS)[number];

/** A stored scalar as text (a phone kept as a number still reads as one); null when there is none. */
export function textOf(value: unknown): string | null {
  if (typeof value === 'string') return value === '' ? null : value;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  return null;
}

/** The address parts `read` gives (by part), or null when the record has none of them. */
export function addressFrom(read: (part: AddressPart) => unknown): PostalAddress | null {
  const out: PostalAddress = {};
  for (const part of ADDRESS_PARTS) {
    const text = textOf(read(part));
    if (text !== null) out[part] = text;
  }
  return Object.keys(out).length ? out : null;
}

/**
 * An address kept in one attribute: a map with the parts' names, or (an older free-text address) a
 * string, read as its first line.
 */
export function addressOfValue(value: unknown): PostalAddress | null {
  if (typeof value === 'string') return value ? { line1: value } : null;
  if (value && typeof value === 'object' && !Array.isArray(value)) return addressFrom((part) => (value as Record<string, unknown>)[part]);
  return null;
}

/** The parts of an address correction, without empty ones. */
export function addressParts(value: PostalAddress): PostalAddress {
  return addressFrom((part) => value[part]) ?? {};
}

/** One address, no spaces: the vendors refuse anything else (Salesforce INVALID_EMAIL_ADDRESS). */
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

const NEEDS: Record<RectifiableField, string> = { name: 'a non-empty text', email: 'an email address', phone: 'a non-empty text', address: 'at least one address part' };

/** Whether `value` is the right shape for `field`: an address is parts, every other field a non-empty string. */
function fits(field: RectifiableField, value: FieldValueData): boolean {
  if (field === 'address') return typeof value === 'object' && value !== null && Object.keys(addressParts(value)).length > 0;
  if (field === 'email') return typeof value === 'string' && EMAIL.test(value.trim());
  return typeof value === 'string' && value.trim() !== '';
}

/**
 * Refuses the whole batch, before anything is written, when a correction's value does not fit its field
 * or names a field this system does not hold (`holds`): the workflow offers only the fields `current`
 * showed, so either is a caller's mistake, and writing the rest would leave the batch half done.
 */
export function checkCorrections(connectorId: string, corrections: readonly Correction[], holds: (field: RectifiableField) => boolean): void {
  for (const c of corrections) {
    if (!holds(c.field)) throw new ConnectorMisconfigured(connectorId, `a correction of ${c.field} on ${c.object} ${c.recordId}, which this system does not hold`);
    if (!fits(c.field, c.value)) throw new ConnectorMisconfigured(connectorId, `a correction of ${c.field} on ${c.object} ${c.recordId} needs ${NEEDS[c.field]}`);
  }
}

/** Whether a store's `rectify` map names a place for `field`. */
export function holdsField(targets: RectifyTargets, field: RectifiableField): boolean {
  return Boolean(targets[field]);
}

/** The system's own name of a field, as staff see it: the attribute or path, or the address's parts' ones. */
export function systemFieldOf(targets: RectifyTargets, field: RectifiableField): string {
  const target = targets[field];
  if (typeof target === 'object') return ADDRESS_PARTS.flatMap((p) => (target[p] ? [target[p]] : [])).join(', ');
  return target ?? field;
}

/**
 * Where the records of an email correction may be found besides the subject's address: the corrected
 * address, for a correction whose record the subject's address no longer finds. An email correction that
 * was written once moves the record to the new address (lookups compare the email), so a repeated run,
 * after a crash or a retry, finds it there and applies the batch again instead of calling it not found.
 */
export function movedTo(corrections: readonly Correction[], known: (c: Correction) => boolean): Subject[] {
  const addresses = new Set(corrections.filter((c) => c.field === 'email' && !known(c)).map((c) => (c.value as string).trim()));
  return [...addresses].map((email) => ({ email, normalizedEmail: email.toLowerCase() }));
}

// Reading back and grouping: what Stripe and HubSpot (one update call per record) share.

/** An address with its empty parts dropped and the rest trimmed, so `null`, `''` and absent compare equal. */
export function cleanAddress(address: PostalAddress): PostalAddress {
  const out: PostalAddress = {};
  for (const part of ADDRESS_PARTS) {
    const v = address[part];
    if (typeof v === 'string' && v.trim() !== '') out[part] = part === 'country' ? v.trim().toUpperCase() : v.trim();
  }
  return out;
}

/** The address `read` gives (by part) as cleanAddress leaves it; null when no part has text. */
export function cleanAddressFrom(read: (part: AddressPart) => unknown): PostalAddress | null {
  // cleanAddress keeps only non-blank strings, so a part read as a number, null or object is dropped.
  const out = cleanAddress(Object.fromEntries(ADDRESS_PARTS.map((part) => [part, read(part)])) as PostalAddress);
  return Object.keys(out).length ? out : null;
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
