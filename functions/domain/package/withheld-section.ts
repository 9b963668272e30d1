/**
 * The part of the subject's package that says what staff withheld before release and why (GDPR
 * Art. 15(4), 20(4)): a section of report.html for access, and lines of README.txt for portability
 * (which has no report). In the subject's language; only the system, the kind of record, the record id
 * and the field name are named, never a withheld value.
 */
import { escapeHtml } from '#commons/html';
import { translator, type Translator } from '../i18n/index.ts';
import type { MessageKey } from '../i18n/catalogue.ts';
import type { AssembleInput } from './types.ts';
import { ObjectDictionary } from './dictionary.ts';
import { connectorConfig } from './view.ts';

type Withheld = NonNullable<AssembleInput['withheld']>[number];

/** The object and field as the report names them (the field dictionary), not as the system's API does. */
function describe(t: Translator, w: Withheld, system: string, dict: ObjectDictionary): string {
  const values = { system, object: dict.label, recordId: w.recordId ?? '', field: w.field !== undefined ? dict.field(w.field).label : '' };
  if (w.field !== undefined) return t.t(w.recordId !== undefined ? 'release.withheld.field.record' : 'release.withheld.field.all', values);
  return t.t(w.recordId !== undefined ? 'release.withheld.record' : 'release.withheld.object', values);
}

function reason(t: Translator, w: Withheld): string {
  const text = t.t(`release.reason.${w.reason}` as MessageKey);
  return w.reason === 'other' && w.note ? `${text} ${w.note}` : text;
}

function lines(input: AssembleInput): Array<{ what: string; why: string }> {
  if (!input.withheld?.length) return [];
  const t = translator(input.request.locale);
  const names = new Map(input.sources.map((s) => [s.connectorId, s.displayName]));
  return (input.withheld ?? []).map((w) => {
    const dict = new ObjectDictionary(connectorConfig(input.config, w.connectorId), w.object, t.locale);
    return { what: describe(t, w, names.get(w.connectorId) ?? w.connectorId, dict), why: reason(t, w) };
  });
}

/** The report's section; nothing when nothing was withheld. */
export function* withheldSection(input: AssembleInput): Iterable<string> {
  const items = lines(input);
  if (items.length === 0) return;
  const t = translator(input.request.locale);
  yield `<section id="withheld" lang="${escapeHtml(t.tag)}"><h2>${escapeHtml(t.t('release.withheld.heading'))}</h2>`;
  yield `<p>${escapeHtml(t.t('release.withheld.intro'))}</p><ul>`;
  for (const i of items) yield `<li><strong>${escapeHtml(i.what)}</strong><br>${escapeHtml(i.why)}</li>`;
  yield '</ul></section>';
}

/** The same for README.txt; no lines when nothing was withheld. */
export function withheldText(input: AssembleInput): string[] {
  const items = lines(input);
  if (items.length === 0) return [];
  const t = translator(input.request.locale);
  return [t.t('release.withheld.text.heading'), `  ${t.t('release.withheld.intro')}`, ...items.flatMap((i) => [`  - ${i.what}`, `    ${i.why}`]), ''];
}
