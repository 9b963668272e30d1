/**
 * The time zone a request's deadlines are counted in. The record keeps the dates but not the zone, so it
 * is derived the way intake chose it: the organisation's zone for a request under its own country, else
 * the engine's default for the law and country (US state laws use the state's zone).
 */
import type { DsarConfig } from '#commons/config';
import { computeDeadlines } from '../deadlines/index.ts';
import type { RequestRecord } from './model.ts';
import { dateIn } from './local-date.ts';

const cache = new Map<string, string>();

export function requestTimeZone(config: DsarConfig, r: Pick<RequestRecord, 'jurisdiction' | 'country' | 'receivedAt'>): string {
  if (r.country === config.organisation.country) return config.organisation.timezone;
  const key = `${r.jurisdiction}|${r.country}`;
  let zone = cache.get(key);
  if (!zone) {
    zone = computeDeadlines({ jurisdiction: r.jurisdiction, country: r.country, receivedAt: r.receivedAt }).timezone;
    cache.set(key, zone);
  }
  return zone;
}

/** Today's date where the request's deadlines are counted. */
export function requestToday(config: DsarConfig, r: Pick<RequestRecord, 'jurisdiction' | 'country' | 'receivedAt'>, now: Date): string {
  return dateIn(requestTimeZone(config, r), now);
}
