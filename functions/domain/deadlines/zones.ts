/**
 * The time zone a law's deadlines are counted in when the controller gives none: the law's own zone for
 * the US state laws, else the main zone of the controller's country. Its own module, free of the
 * holiday calendars, so code that only needs a request's zone (staff queues, escalation, metrics) does
 * not bundle the deadline engine.
 */
import type { Jurisdiction } from '#commons/config';
import { COUNTRY_TIME_ZONES, EEA_COUNTRIES } from './countries.ts';

/** The laws whose zone is not their country's main zone (the US state laws use the state's zone). */
const LAW_TIME_ZONES: Readonly<Partial<Record<Jurisdiction, string>>> = {
  CCPA: 'America/Los_Angeles',
  VCDPA: 'America/New_York',
  CPA: 'America/Denver',
};

/** The default zone for `jurisdiction` and an ISO country code; undefined for a country the engine does not know. */
export function defaultTimeZone(jurisdiction: Jurisdiction, country: string): string | undefined {
  return LAW_TIME_ZONES[jurisdiction] ?? (Object.hasOwn(COUNTRY_TIME_ZONES, country) ? COUNTRY_TIME_ZONES[country] : undefined);
}

/**
 * The countries whose controllers a law serves: every EEA state for GDPR, one country for each other
 * law. Here, not beside the counting rules, so the escalation job can list the zones in use without
 * bundling the holiday calendars.
 */
const LAW_COUNTRIES: Readonly<Record<Jurisdiction, readonly string[]>> = {
  GDPR: EEA_COUNTRIES,
  UK_GDPR: ['GB'],
  CCPA: ['US'],
  VCDPA: ['US'],
  CPA: ['US'],
  LGPD: ['BR'],
  PIPEDA: ['CA'],
};

export function jurisdictionCountries(jurisdiction: Jurisdiction): readonly string[] {
  return LAW_COUNTRIES[jurisdiction];
}
