/**
 * "What approval will touch": the preview counted after verification and before review (issue 17), so
 * staff approve knowing what will go out. Per system the number of the subject's records and the count
 * per object; a system that could not be counted says so with the error's type; for an erasure, what the
 * configured policy will do to each object. Counts only: the preview never holds the subject's data.
 */
import type { Schemas } from '../../shared/api.ts';
import { h } from '../../shared/dom.ts';
import { timeIn } from '../time.ts';
import type { Detail } from './detail.ts';

type PreviewSystem = Schemas['PreviewSystem'];

const POLICY_LABEL: Record<string, string> = { delete: 'deleted', anonymize: 'anonymized', retain: 'kept' };

const records = (n: number) => `${n} record${n === 1 ? '' : 's'}`;

function objectsCell(s: PreviewSystem): Node | string {
  const entries = Object.entries(s.objects ?? {});
  if (!entries.length) return 'none found';
  return h('ul', { class: 'objects' }, ...entries.map(([object, n]) => h('li', { 'data-object': object }, `${object}: ${n}`)));
}

function erasureCell(s: PreviewSystem): Node | string {
  const entries = Object.entries(s.erasure ?? {});
  if (!entries.length) return '—';
  return h(
    'ul',
    { class: 'erasure' },
    ...entries.map(([object, action]) => h('li', { 'data-object': object, 'data-policy': action }, `${object}: ${POLICY_LABEL[action] ?? action}`)),
  );
}

function row(s: PreviewSystem, erasure: boolean): HTMLElement {
  const cells =
    s.status === 'failed'
      ? [h('td', { colspan: erasure ? 3 : 2, class: 'could-not-count' }, h('span', { class: 'vendor-error' }, `could not count (${s.error ?? 'unknown error'})`))]
      : [h('td', {}, records(s.records ?? 0)), h('td', {}, objectsCell(s)), erasure ? h('td', {}, erasureCell(s)) : null];
  return h('tr', { 'data-preview-system': s.connectorId, 'data-preview-status': s.status }, h('th', { scope: 'row' }, s.displayName), ...cells);
}

/** The panel, or nothing for a request that was not previewed (approved automatically, or from before previews). */
export function previewSection(detail: Detail, zone: string): HTMLElement | null {
  const preview = detail.preview;
  // A rectification's preview is its current values, shown in its own panel (detail-rectification.ts).
  if (!preview || detail.request.type === 'rectification') return null;
  const erasure = detail.request.type === 'erasure';
  const total = preview.systems.reduce((n, s) => n + (s.status === 'counted' ? (s.records ?? 0) : 0), 0);
  const failed = preview.systems.filter((s) => s.status === 'failed').length;
  return h(
    'section',
    { 'aria-labelledby': 'sec-preview', class: 'preview' },
    h('h2', { id: 'sec-preview' }, 'What approval will touch'),
    preview.counting
      ? h('p', { class: 'counting' }, 'Counting the subject’s records in each system. Approve and deny are offered once the counts are in.')
      : h(
          'p',
          {},
          `${records(total)} in ${preview.systems.length - failed} system${preview.systems.length - failed === 1 ? '' : 's'}`,
          failed ? `; ${failed} could not be counted` : '',
          ...(preview.at ? ['. Counted ', timeIn(preview.at, zone), ', before approval; nothing was exported.'] : ['.']),
        ),
    preview.systems.length
      ? h(
          'div',
          { class: 'table-scroll' },
          h(
            'table',
            {},
            h('thead', {}, h('tr', {}, ...['System', 'Records', 'Per object', ...(erasure ? ['On approval (configured policy)'] : [])].map((c) => h('th', { scope: 'col' }, c)))),
            h('tbody', {}, ...preview.systems.map((s) => row(s, erasure))),
          ),
        )
      : null,
  );
}
