/**
 * data.json: every record of the package, machine-readable, written as a stream of JSON text so that a
 * subject with millions of records never has them in memory at once. Its shape is data.schema.json.
 * Where an object's records go, it yields the object itself: records-pass.ts puts the records' text,
 * written by the slices (slices.ts), in that place.
 */
import type { DsarConfig } from '#commons/config';
import { localText } from '#commons/local-text';
import { pickLocale } from '../i18n/locale.ts';
import type { PlannedObject, PlannedSystem } from './plan.ts';
import type { AssembleInput } from './types.ts';

/** Identifies the format; also the `$id` of data.schema.json (an identifier: it need not resolve). */
export const DATA_SCHEMA_ID = 'https://dsar-orchestrator.dev/schemas/dsar-export-v1';

/** The controller as data.json names it; a per-language address in the subject's language. */
export function controllerOf(config: DsarConfig, language: string): Record<string, unknown> {
  const o = config.organisation;
  return { name: o.name, address: localText(o.address, language), country: o.country, dpo: { name: o.dpo.name, email: o.dpo.email }, privacyNoticeUrl: o.privacyNoticeUrl };
}

export function* dataJson(input: AssembleInput, systems: PlannedSystem[], generatedAt: string): Iterable<string | PlannedObject> {
  const r = input.request;
  const subject: Record<string, string> = { email: r.subject.email };
  if (r.subject.name) subject.name = r.subject.name;
  const request = { requestId: r.requestId, type: r.type, receivedDate: r.receivedDate, dueDate: r.dueDate, jurisdiction: r.jurisdiction, subject };
  yield `{"schema":${JSON.stringify(DATA_SCHEMA_ID)},"generatedAt":${JSON.stringify(generatedAt)},`;
  yield `"controller":${JSON.stringify(controllerOf(input.config, pickLocale(input.request.locale)))},"request":${JSON.stringify(request)},"systems":[`;
  for (const [si, system] of systems.entries()) {
    yield `${si ? ',' : ''}{"connectorId":${JSON.stringify(system.connectorId)},"displayName":${JSON.stringify(system.displayName)},"objects":[`;
    for (const [oi, o] of system.objects.entries()) {
      yield `${oi ? ',' : ''}{"object":${JSON.stringify(o.object)},"category":${JSON.stringify(o.category)},"origin":${JSON.stringify(o.origin)},"count":${o.count},"records":[`;
      yield o;
      yield ']}';
    }
    yield ']}';
  }
  yield `],"notIncluded":${JSON.stringify((input.missing ?? []).map((m) => ({ connectorId: m.connectorId, displayName: m.displayName, reason: m.reason })))}}`;
}
