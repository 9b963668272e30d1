/**
 * report.html: the access answer a person reads, in two layers and in their language. First a summary
 * (which systems hold what about them, in words and counts, the dates that matter, what they can do
 * next); then one section per system with its Art. 15 facts and its records, each record a `<details>`
 * with labelled values from the field dictionary, dates in the request's time zone. Then what the
 * processing means across systems (recipients, profiling, transfers, sources) and what the report covers.
 *
 * Self-contained (inline CSS, no scripts, nothing fetched; a Content-Security-Policy forbids both in
 * case a value ever slipped through), every value HTML-escaped. No tables: definition lists that wrap on
 * a phone. At most REPORT_ROWS records per object; every record and field is in data.json and the CSVs.
 */
import type { DsarConfig, Origin } from '#commons/config';
import { escapeHtml as escapeText } from '#commons/html';
import { localText } from '#commons/local-text';
import { translator, type Translator } from '../i18n/index.ts';
import { countryName, recipientsOf, systemFacts, type SystemFacts } from './art15.ts';
import { ObjectDictionary, type FieldView } from './dictionary.ts';
import { displayValue, type DisplayContext } from './display.ts';
import { cellText, flatten } from './flatten.ts';
import type { PlannedObject, PlannedSystem } from './plan.ts';
import type { AssembleInput, MissingSource } from './types.ts';
import { connectorConfig, type RecordView } from './view.ts';
import { withheldSection } from './withheld-section.ts';
import { OPT_OUT_OBJECT } from '../suppression/opt-out-object.ts';

/** A value as the report shows it (objects as JSON), escaped by the one HTML escape (#commons/html). */
export function escapeHtml(value: unknown): string {
  return escapeText(cellText(value));
}

/** A link only for http(s) addresses; anything else (say `javascript:`) is shown as text. */
function link(url: string, text?: string): string {
  let ok = false;
  try {
    ok = ['http:', 'https:'].includes(new URL(url).protocol);
  } catch {
    ok = false;
  }
  return ok ? `<a href="${escapeHtml(url)}">${escapeHtml(text ?? url)}</a>` : escapeHtml(text ?? url);
}

const STYLE = `
*{box-sizing:border-box}
body{font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1a1a1a;max-width:48rem;margin:1rem auto;padding:0 1rem;overflow-wrap:anywhere}
h1{font-size:1.6rem;line-height:1.25;margin:.5rem 0}h2{font-size:1.3rem;border-bottom:2px solid #ccc;padding-bottom:.2rem;margin-top:2.2rem}
h3{font-size:1.1rem;margin-top:1.6rem}
.muted{color:#555}.note{background:#f4f6f8;border-left:4px solid #8a9aad;padding:.5rem .8rem}
.summary{background:#f7f9fb;border:1px solid #d8dee4;border-radius:6px;padding:.2rem 1rem .6rem}
ul{padding-left:1.2rem}li{margin:.2rem 0}
dl{margin:.3rem 0}dt{font-weight:600;margin-top:.4rem}dd{margin:0 0 0 1rem;white-space:pre-wrap}
details{border:1px solid #d8dee4;border-radius:6px;margin:.4rem 0;padding:.2rem .6rem}
details details{border-color:#e6eaee}
summary{cursor:pointer;font-weight:600;padding:.2rem 0}
.facts{border-left:4px solid #8a9aad;padding:.1rem .8rem;margin:.6rem 0}
@media print{
 body{max-width:none;margin:0;font-size:11pt}
 details{border:none;padding:0}
 details::details-content{content-visibility:visible;display:block}
 summary{list-style:none}
 nav{display:none}
 a{color:inherit}
 section.system{break-before:page}
}
`;

interface ReportContext extends DisplayContext {
  config: DsarConfig;
}

export function* reportHtml(input: AssembleInput, systems: PlannedSystem[], generatedAt: string): Iterable<string> {
  const { config, request } = input;
  const t = translator(request.locale);
  const ctx: ReportContext = { t, timeZone: request.timeZone ?? config.organisation.timezone, config };
  const org = config.organisation;
  const missing = input.missing ?? [];
  const found = systems.filter((s) => s.objects.length > 0);
  const facts = found.map((s) => systemFacts(config, s, [...new Set(s.objects.map((o) => o.category))], t));
  const title = t.t('report.title', { org: org.name });

  yield `<!doctype html>\n<html lang="${t.tag}"><head><meta charset="utf-8">`;
  yield `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`;
  yield '<meta name="viewport" content="width=device-width, initial-scale=1">';
  yield `<title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body>`;
  yield `<header><h1>${escapeHtml(title)}</h1>`;
  yield `<p class="muted">${escapeHtml(t.t('report.lead', { reference: request.requestId, prepared: t.date(generatedAt, { timeZone: ctx.timeZone }) }))}</p></header>`;

  yield* summary(input, systems, missing, ctx, generatedAt);
  yield* contents(found, ctx);
  yield `<section id="data"><h2>${escapeHtml(t.t('report.data.heading'))}</h2>`;
  for (const [i, system] of found.entries()) yield* systemSection(system, facts[i]!, ctx);
  yield '</section>';
  yield* withheldSection(input);
  yield* processing(facts, found, ctx);
  yield* coverage(systems, missing, ctx);
  yield `<footer><p class="muted">${escapeHtml(t.t('report.footer', { org: org.name, address: localText(org.address, t.locale), dpo: org.dpo.name, email: org.dpo.email }))} ${link(org.privacyNoticeUrl, t.t('report.footer.notice'))}</p></footer>`;
  yield '</body></html>\n';
}

function* summary(input: AssembleInput, systems: PlannedSystem[], missing: MissingSource[], ctx: ReportContext, generatedAt: string): Iterable<string> {
  const { t } = ctx;
  const found = systems.filter((s) => s.objects.length > 0);
  const empty = systems.filter((s) => s.objects.length === 0);
  const records = found.reduce((n, s) => n + s.objects.reduce((m, o) => m + o.count, 0), 0);
  yield `<section id="summary" class="summary"><h2>${escapeHtml(t.t('report.summary.heading'))}</h2>`;
  yield `<p>${escapeHtml(t.t('report.summary.found', { records, found: found.length, searched: systems.length }))}</p>`;
  if (found.length) {
    yield '<ul>';
    for (const s of found) {
      const connector = connectorConfig(ctx.config, s.connectorId);
      const parts = s.objects.map((o) => t.t('report.summary.object', { label: new ObjectDictionary(connector, o.object, t.locale).label, count: o.count }));
      yield `<li><a href="#${systemAnchor(s)}"><strong>${escapeHtml(s.displayName)}</strong></a>: ${escapeHtml(parts.join('; '))}</li>`;
    }
    yield '</ul>';
  }
  if (empty.length) yield `<p>${escapeHtml(t.t('report.summary.empty', { systems: empty.map((s) => s.displayName).join(', ') }))}</p>`;
  if (missing.length) yield `<p>${escapeHtml(t.t('report.summary.missing', { systems: missing.map((m) => m.displayName).join(', ') }))} <a href="#not-included">${escapeHtml(t.t('report.summary.why'))}</a></p>`;

  const r = input.request;
  yield `<h3 id="dates">${escapeHtml(t.t('report.dates.heading'))}</h3><dl>`;
  yield `<dt>${escapeHtml(t.t('report.dates.received'))}</dt><dd>${escapeHtml(t.date(r.receivedDate))}</dd>`;
  yield `<dt>${escapeHtml(t.t('report.dates.due'))}</dt><dd>${escapeHtml(t.date(r.dueDate))}</dd>`;
  yield `<dt>${escapeHtml(t.t('report.dates.prepared'))}</dt><dd>${escapeHtml(t.date(generatedAt, { timeZone: ctx.timeZone, with: 'datetime' }))}</dd>`;
  // The link's end, as Assemble sets it from the same moment: after it the package is deleted.
  const until = new Date(Date.parse(generatedAt) + ctx.config.delivery.linkTtlDays * 86_400_000);
  yield `<dt>${escapeHtml(t.t('report.dates.available'))}</dt><dd>${escapeHtml(t.date(until, { timeZone: ctx.timeZone }))}</dd></dl>`;

  yield* rights(ctx);
  yield `<p class="muted">${escapeHtml(t.t('report.summary.files'))}</p></section>`;
}

/** Art. 15(1)(e) and (f): what the subject can do next, said once. */
function* rights(ctx: ReportContext): Iterable<string> {
  const { t, config } = ctx;
  const dpo = config.organisation.dpo;
  const authority = config.supervisoryAuthority;
  yield `<section id="rights"><h3>${escapeHtml(t.t('report.rights.heading'))}</h3><ul>`;
  for (const key of ['report.rights.rectify', 'report.rights.erase', 'report.rights.restrict', 'report.rights.object', 'report.rights.portability', 'report.rights.consent'] as const) {
    yield `<li>${escapeHtml(t.t(key))}</li>`;
  }
  yield '</ul>';
  yield `<p>${escapeHtml(t.t('report.rights.contact', { dpo: dpo.name, email: dpo.email }))}</p>`;
  yield `<p id="complaint">${escapeHtml(t.t('report.rights.complaint', { authority: localText(authority.name, t.locale), address: localText(authority.address, t.locale) }))} ${link(authority.url)}</p></section>`;
}

function* contents(found: PlannedSystem[], ctx: ReportContext): Iterable<string> {
  const { t } = ctx;
  yield `<nav id="contents"><h2>${escapeHtml(t.t('report.contents.heading'))}</h2><ol>`;
  for (const s of found) yield `<li><a href="#${systemAnchor(s)}">${escapeHtml(s.displayName)}</a></li>`;
  yield `<li><a href="#processing">${escapeHtml(t.t('report.processing.heading'))}</a></li>`;
  yield `<li><a href="#not-included">${escapeHtml(t.t('report.coverage.heading'))}</a></li></ol></nav>`;
}

function systemAnchor(s: PlannedSystem): string {
  return `system-${s.connectorId}`;
}

function* systemSection(system: PlannedSystem, facts: SystemFacts, ctx: ReportContext): Iterable<string> {
  const { t } = ctx;
  const connector = connectorConfig(ctx.config, system.connectorId);
  yield `<section class="system" id="${systemAnchor(system)}"><h3>${escapeHtml(system.displayName)}</h3>`;
  yield* systemFactsList(facts, ctx);
  // The suppression list's record for this system (workflow/collect.ts): said in words first.
  for (const r of system.objects.find((o) => o.object === OPT_OUT_OBJECT)?.preview ?? []) {
    const since = typeof r.data.optedOutAt === 'string' ? r.data.optedOutAt : undefined;
    if (since) yield `<p class="opted-out">${escapeHtml(t.t('objection.access.line', { date: t.date(since, { timeZone: ctx.timeZone }), system: system.displayName }))}</p>`;
  }
  for (const o of system.objects) yield* objectDetails(o, new ObjectDictionary(connector, o.object, t.locale), ctx);
  yield '</section>';
}

/** Art. 15(1)(a)-(d), (g) and 15(2) for one system. */
function* systemFactsList(f: SystemFacts, ctx: ReportContext): Iterable<string> {
  const { t } = ctx;
  const item = (key: Parameters<Translator['t']>[0], values: string[]) =>
    values.length ? `<dt>${escapeHtml(t.t(key))}</dt>${values.map((v) => `<dd>${escapeHtml(v)}</dd>`).join('')}` : '';
  yield `<div class="facts"><dl>`;
  yield item('report.facts.purposes', f.purposes);
  yield item('report.facts.legalBases', f.legalBases);
  yield item('report.facts.categories', f.categories);
  yield item('report.facts.recipients', f.recipients.length ? f.recipients.map((r) => recipientLine(r, ctx)) : [t.t('report.facts.noRecipients')]);
  yield item('report.facts.retention', f.retention);
  yield item('report.facts.source', f.sources);
  yield item(
    'report.facts.transfers',
    f.transfers.length ? f.transfers.map((tr) => t.t('report.facts.transfer', { recipient: tr.recipient, country: countryName(tr.country, t), safeguards: tr.safeguards })) : [t.t('report.facts.noTransfers')],
  );
  yield '</dl>';
  if (f.fromNotice) yield `<p class="muted">${escapeHtml(t.t('report.facts.fromNotice'))}</p>`;
  yield '</div>';
}

function recipientLine(r: SystemFacts['recipients'][number], ctx: ReportContext): string {
  const { t } = ctx;
  const role = r.role === 'processor' ? t.t('report.role.processor') : r.role === 'third party' ? t.t('report.role.thirdParty') : r.role;
  return t.t('report.recipient', { name: r.name, purpose: r.purpose, details: r.country ? `${role}; ${countryName(r.country, t)}` : role });
}

/** One object: a `<details>` holding one `<details>` per record, each a list of labelled values. */
function* objectDetails(o: PlannedObject, dict: ObjectDictionary, ctx: ReportContext): Iterable<string> {
  const { t } = ctx;
  yield `<details class="object"><summary>${escapeHtml(dict.label)} (${escapeHtml(t.number(o.count))})</summary>`;
  yield `<p class="muted">${escapeHtml(t.t(`report.origin.${o.origin}`))}</p>`;
  for (const view of o.preview) yield recordDetails(view, o, dict, ctx);
  if (o.count > o.preview.length) {
    yield `<p class="note">${escapeHtml(t.t('report.object.more', { shown: o.preview.length, count: o.count, csv: o.csvPath }))}</p>`;
  }
  yield '</details>';
}

interface Line {
  field: FieldView;
  text: string;
  derived: boolean;
}

function recordDetails(view: RecordView, o: PlannedObject, dict: ObjectDictionary, ctx: ReportContext): string {
  const lines = recordLines(view, o, dict, ctx);
  const title = lines.find((l) => l.field.title)?.text ?? lines.find((l) => !l.field.title && l.text.length <= 60)?.text ?? '';
  const when = momentOf(view.data, dict, ctx);
  const head = [when, title].filter(Boolean).join(' · ') || dict.label;
  const items = lines.map((l) => `<dt>${escapeHtml(l.field.label)}${l.derived ? ` <span class="muted">(${escapeHtml(ctx.t.t('report.value.assessment'))})</span>` : ''}</dt><dd>${escapeHtml(l.text)}</dd>`);
  return `<details class="record"><summary>${escapeHtml(truncate(head, 90))}</summary><dl>${items.join('')}</dl></details>`;
}

function recordLines(view: RecordView, o: PlannedObject, dict: ObjectDictionary, ctx: ReportContext): Line[] {
  const lines: Line[] = [];
  flatten(view.data, (path, value) => {
    const field = dict.field(path);
    if (field.hidden) return;
    const text = displayValue(path, value, field.format, view.data, ctx);
    if (text === undefined) return;
    const origin = o.filter.originOf(path, view.origin);
    lines.push({ field, text, derived: origin === 'inferred' || origin === 'derived' });
  });
  return lines;
}

/** The record's first moment (a creation or start time) for its one-line summary. */
function momentOf(data: Record<string, unknown>, dict: ObjectDictionary, ctx: ReportContext): string | undefined {
  let out: string | undefined;
  flatten(data, (path, value) => {
    if (out !== undefined || (typeof value !== 'string' && typeof value !== 'number')) return;
    const field = dict.field(path);
    if (field.hidden || !isMoment(field, path, value)) return;
    // Only a value the report shows as a date (not a number that merely sits in a date-like field).
    const text = displayValue(path, value, field.format, data, ctx);
    if (text !== undefined && text !== cellText(value)) out = ctx.t.date(typeof value === 'number' ? new Date(value * 1000) : value, { timeZone: ctx.timeZone });
  });
  return out;
}

function isMoment(field: FieldView, path: string, value: string | number): boolean {
  if (field.format) return field.format !== 'text' && field.format !== 'minor-units';
  return typeof value === 'string' ? /^\d{4}-\d{2}-\d{2}/.test(value) : /(created|date|time|start|at)$/i.test(path);
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Art. 15(1)(c), (g), (h) and 15(2) across the systems where data was found. */
function* processing(facts: SystemFacts[], found: PlannedSystem[], ctx: ReportContext): Iterable<string> {
  const { t, config } = ctx;
  yield `<section id="processing"><h2>${escapeHtml(t.t('report.processing.heading'))}</h2>`;

  yield `<section id="recipients"><h3>${escapeHtml(t.t('report.recipients.heading'))}</h3>`;
  const recipients = recipientsOf(facts);
  if (recipients.length) {
    yield `<p>${escapeHtml(t.t('report.recipients.lead'))}</p><ul>`;
    for (const r of recipients) yield `<li>${escapeHtml(recipientLine(r, ctx))}</li>`;
    yield '</ul>';
  } else {
    yield `<p>${escapeHtml(t.t('report.recipients.none'))}</p>`;
  }
  yield '</section>';

  yield `<section id="automated-decisions"><h3>${escapeHtml(t.t('report.profiling.heading'))}</h3>`;
  const assessed = profilingFields(found, ctx);
  if (assessed.length) {
    yield `<p>${escapeHtml(t.t('report.profiling.lead'))}</p><ul>`;
    for (const a of assessed) yield `<li><strong>${escapeHtml(a.system)}</strong>: ${escapeHtml(a.fields.join(', '))}${a.purpose ? `. ${escapeHtml(a.purpose)}` : ''}</li>`;
    yield '</ul>';
  } else {
    yield `<p>${escapeHtml(t.t('report.profiling.none'))}</p>`;
  }
  yield `<p>${escapeHtml(localText(config.privacyNotice.automatedDecisions, t.locale))}</p>`;
  for (const f of facts) if (f.automatedDecisions) yield `<p><strong>${escapeHtml(f.displayName)}</strong>: ${escapeHtml(f.automatedDecisions)}</p>`;
  yield '</section>';

  yield `<section id="transfers"><h3>${escapeHtml(t.t('report.transfers.heading'))}</h3>`;
  const transfers = facts.flatMap((f) => f.transfers);
  const seen = new Set<string>();
  const unique = transfers.filter((tr) => !seen.has(tr.recipient) && seen.add(tr.recipient));
  if (unique.length) {
    yield '<ul>';
    for (const tr of unique) yield `<li>${escapeHtml(t.t('report.facts.transfer', { recipient: tr.recipient, country: countryName(tr.country, t), safeguards: tr.safeguards }))}</li>`;
    yield `</ul><p>${escapeHtml(t.t('report.transfers.copy', { email: config.organisation.dpo.email }))}</p>`;
  } else {
    yield `<p>${escapeHtml(t.t('report.transfers.none'))}</p>`;
  }
  yield '</section>';

  yield `<section id="sources"><h3>${escapeHtml(t.t('report.sources.heading'))}</h3><ul>`;
  for (const f of facts) yield `<li><strong>${escapeHtml(f.displayName)}</strong>: ${escapeHtml(f.sources.join(' '))}</li>`;
  yield '</ul></section></section>';
}

interface Assessed {
  system: string;
  fields: string[];
  purpose?: string;
}

/** Per system, the inferred or derived fields (or objects) found in the subject's data, by label. */
function profilingFields(found: PlannedSystem[], ctx: ReportContext): Assessed[] {
  const { t, config } = ctx;
  const out: Assessed[] = [];
  for (const s of found) {
    const connector = connectorConfig(config, s.connectorId);
    const labels = new Set<string>();
    for (const o of s.objects) {
      const dict = new ObjectDictionary(connector, o.object, t.locale);
      if (isAssessment(o.origin)) {
        labels.add(dict.label);
        continue;
      }
      for (const view of o.preview) {
        flatten(view.data, (path, value) => {
          if (value === null || value === undefined || value === '') return;
          if (isAssessment(o.filter.originOf(path, view.origin))) labels.add(dict.field(path).label);
        });
      }
    }
    if (labels.size) {
      const purpose = connector?.art15?.profiling;
      out.push({ system: s.displayName, fields: [...labels], ...(purpose ? { purpose: localText(purpose, t.locale) } : {}) });
    }
  }
  return out;
}

function isAssessment(origin: Origin): boolean {
  return origin === 'inferred' || origin === 'derived';
}

/** What the report covers: the systems searched, and those staff accepted as missing, with the reason. */
function* coverage(systems: PlannedSystem[], missing: MissingSource[], ctx: ReportContext): Iterable<string> {
  const { t } = ctx;
  yield `<section id="not-included"><h2>${escapeHtml(t.t('report.coverage.heading'))}</h2>`;
  yield `<p>${escapeHtml(t.t('report.coverage.searched', { count: systems.length }))}</p><ul>`;
  for (const s of systems) yield `<li>${escapeHtml(s.displayName)}</li>`;
  yield '</ul>';
  if (missing.length) {
    yield `<p>${escapeHtml(t.t('report.coverage.missing'))}</p><ul>`;
    for (const m of missing) yield `<li><strong>${escapeHtml(m.displayName)}</strong>: ${escapeHtml(m.reason)}</li>`;
    yield '</ul>';
  }
  yield `<p>${escapeHtml(t.t('report.coverage.files'))}</p></section>`;
}
