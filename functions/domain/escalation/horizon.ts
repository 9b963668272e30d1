/**
 * The dates "today" can be in the zones requests are counted in, so the escalation job's key ranges are
 * exact: the index holds dates in each request's own zone, and a day of margin for every zone on earth
 * would read a whole extra day of due dates on every run.
 */
import { JURISDICTIONS, type DsarConfig, type Jurisdiction } from '#commons/config';
import { jurisdictionCountries } from '../deadlines/zones.ts';
import { dateIn } from '../deadlines/local-date.ts';
import { requestTimeZone } from '../deadlines/request-zone.ts';

/**
 * Every zone a request can be counted in under this configuration: the laws intake accepts (every law
 * when subjects choose it, else the configured default) in each country they serve, each in the zone
 * intake would give it (the organisation's own for its country).
 */
export function zonesInUse(config: DsarConfig, now: Date): string[] {
  const laws: readonly Jurisdiction[] = config.jurisdictions.askSubject ? JURISDICTIONS : [config.jurisdictions.default];
  const zones = new Set<string>([config.organisation.timezone]);
  // Every country a law serves: a subject may name the controller's country even without choosing the law.
  for (const jurisdiction of laws) {
    for (const country of jurisdictionCountries(jurisdiction)) zones.add(requestTimeZone(config, { jurisdiction, country }));
  }
  return [...zones].sort();
}

/** The earliest and the latest date it is at `now` in the given zones. */
export function todaySpan(zones: readonly string[], now: Date): { earliest: string; latest: string } {
  const dates = zones.map((z) => dateIn(z, now)).sort();
  return { earliest: dates[0]!, latest: dates[dates.length - 1]! };
}
