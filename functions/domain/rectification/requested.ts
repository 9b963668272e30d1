/**
 * What a subject asks to have corrected (GDPR Art. 16; 11 CCR §7023): optional structured values they
 * say are right, beside the free-text details every type has. Stored with the subject's identity
 * (`subject.rectification`), so masking and retention treat them as the identity; never logged or mailed.
 */
import { RECTIFIABLE_FIELDS, type PostalAddress, type RectifiableField } from '#connectors/types';
import { INVISIBLE } from '../requests/names.ts';

/** The values the subject says are right; each optional. */
export interface RequestedFields {
  name?: string;
  email?: string;
  phone?: string;
  address?: PostalAddress;
}

export interface RequestedRectification {
  fields: RequestedFields;
}

/** Bounds of each structured value: long enough for any real value, short enough to show on one line. */
export const RECTIFICATION_LIMITS = { name: 200, email: 254, phone: 30, line: 200, postalCode: 20, city: 100, region: 100 } as const;

/** Digits with the separators people write (`+47 912 34 567`, `(555) 010-0199`), or empty (not given). */
export const PHONE_PATTERN = /^(\+?[0-9][0-9 ()./-]{2,29})?$/;


/** The fields the subject gave, in the product's order. */
export function fieldsAsked(requested: RequestedRectification | undefined): RectifiableField[] {
  const fields = requested?.fields ?? {};
  return RECTIFIABLE_FIELDS.filter((f) => fields[f] !== undefined);
}

/**
 * The fields to look up before staff decide: the ones the subject gave, or all of them when they only
 * wrote what is wrong in their own words.
 */
export function fieldsToLookUp(requested: RequestedRectification | undefined): RectifiableField[] {
  const asked = fieldsAsked(requested);
  return asked.length ? asked : [...RECTIFIABLE_FIELDS];
}

/** Drops empty address parts and an address with none; undefined when nothing is left. */
export function cleanRequested(requested: RequestedRectification | undefined): RequestedRectification | undefined {
  if (!requested) return undefined;
  const { address, ...rest } = requested.fields;
  const fields: RequestedFields = Object.fromEntries(Object.entries(rest).filter(([, v]) => typeof v === 'string' && v.trim() !== '').map(([k, v]) => [k, (v as string).trim()]));
  if (address) {
    const parts = Object.fromEntries(
      Object.entries(address)
        .filter(([, v]) => typeof v === 'string' && v.trim() !== '')
        .map(([k, v]) => [k, k === 'country' ? (v as string).trim().toUpperCase() : (v as string).trim()]),
    );
    if (Object.keys(parts).length) fields.address = parts as PostalAddress;
  }
  return Object.keys(fields).length ? { fields } : undefined;
}

/** What is wrong with the structured values, or undefined when they may be stored and shown to staff. */
export function requestedProblem(requested: RequestedRectification): string | undefined {
  const { address, ...text } = requested.fields;
  for (const [field, value] of Object.entries(text)) {
    if (INVISIBLE.test(value as string)) return `rectification.fields.${field} must not contain line breaks, control or invisible characters`;
  }
  for (const [part, value] of Object.entries(address ?? {})) {
    if (INVISIBLE.test(value as string)) return `rectification.fields.address.${part} must not contain line breaks, control or invisible characters`;
  }
  return undefined;
}
