/**
 * The time zone a request's deadlines are counted in. The record keeps the dates but not the zone, so it
 * is derived the way intake chose it: the organisation's zone for a request under its own country, else
 * the engine's default for the law and country (US state laws use the state's zone). Imports the zone
 * table only, not the deadline engine: the staff queues, escalation and metrics need the zone, not the
 * holiday calendars.
 */
import type { DsarConfig } from '#commons/config';
import { DeadlineInputError } from '../deadlines/errors.ts';
import { defaultTimeZone } from '../deadlines/zones.ts';
import type { RequestRecord } from '../requests/model.ts';
import { dateIn } from './local-date.ts';

export function requestTimeZone(config: DsarConfig, r: Pick<RequestRecord, 'jurisdiction' | 'country'>): string {
  if (r.country === config.organisation.country) return config.organisation.timezone;
  const zone = defaultTimeZone(r.jurisdiction, r.country);
  // Intake validated the country; a record that fails here was written by hand.
  if (!zone) throw new DeadlineInputError(`unknown country "${r.country}" on a ${r.jurisdiction} request`);
  return zone;
}

/** Today's date where the request's deadlines are counted. */
export function requestToday(config: DsarConfig, r: Pick<RequestRecord, 'jurisdiction' | 'country'>, now: Date): string {
  return dateIn(requestTimeZone(config, r), now);
}
