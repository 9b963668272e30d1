/**
 * How a connector recognises the subject's address in a vendor's record: the vendor's value, trimmed
 * and lower-cased, equals the subject's normalised address. Vendors keep addresses as typed ("
 * Alice@Example.com"), and a search may return near matches, so each connector checks every record it
 * finds with this one rule.
 */
export function sameEmail(value: unknown, normalized: string): boolean {
  return typeof value === 'string' && value.trim().toLowerCase() === normalized;
}
