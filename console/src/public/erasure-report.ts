/**
 * The erasure report on the subject's status page: the same words as the report mail (one home for
 * them: `erasureReportParagraphs` in functions/domain/notifications/templates.ts), in the reader's
 * language, as headings and lists that fit a phone (a table of five columns did not: 723 px in 390).
 */
import type { Translator } from '../../../functions/domain/i18n/index.ts';
import { erasureReportParagraphs } from '../../../functions/domain/notifications/templates.ts';
import type { Schemas } from '../shared/api.ts';
import { h } from '../shared/dom.ts';

type ErasureReport = NonNullable<Schemas['SubjectStatus']['erasureReport']>;

/** `timeZone` is the request's: the report's instants are shown as days there. */
export function erasureReportView(report: ErasureReport, t: Translator, timeZone?: string): HTMLElement {
  const zone = timeZone ? { timeZone } : {};
  const kinds = new Map(report.systems.map((s, i) => [String(i), s.kind]));
  const systems = report.systems.map((s, i) => ({ ...s, connectorId: String(i) }));
  const section = h(
    'section',
    { 'aria-labelledby': 'erasure-report', class: 'erasure-report' },
    h('h2', { id: 'erasure-report' }, t.t('erasure.title')),
    h('p', {}, t.t('erasure.completed', { date: t.date(report.completedAt, zone) })),
  );
  for (const p of erasureReportParagraphs({ ...report, systems }, t, (id) => kinds.get(id), timeZone)) {
    if (typeof p === 'string') section.append(h('p', {}, p));
    else if ('href' in p) section.append(h('p', {}, p.text, h('br'), h('a', { href: p.href }, p.href)));
    else section.append(h('h3', {}, p.title), h('ul', {}, ...p.items.map((i) => h('li', {}, i))));
  }
  if (report.earlierPackagesDeleted) section.append(h('p', {}, t.t('erasure.packages', { count: report.earlierPackagesDeleted })));
  return section;
}
