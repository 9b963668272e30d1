/**
 * What a marketing opt-out did, per system, on the detail page: where the subject is now opted out (and
 * when the read-back confirmed it), which systems do not market, and which are still pending or failed
 * (the connector table above has their errors and the retry). Counts only, never data.
 */
import { h } from '../../shared/dom.ts';
import { timeIn } from '../time.ts';
import type { Detail } from './detail-panel.ts';

type Connector = Detail['connectors'][number];

function outcome(c: Connector, zone: string): Array<Node | string> {
  const s = c.suppression;
  if (!s) return [c.status === 'accepted_missing' ? 'Accepted as missing: not confirmed' : c.status === 'failed' ? 'Failed: see the connector above' : 'Pending'];
  if (!s.applies) return ['Does not market: nothing to change'];
  if (!s.items.some((i) => i.suppressed > 0)) return ['Holds nothing about the subject'];
  const what = s.items.map((i) => `${i.object} ${i.suppressed}`).join(', ');
  return [`Opted out (${what})`, ...(s.confirmedAt ? [', confirmed ', timeIn(s.confirmedAt, zone)] : [])];
}

export function suppressionSection(detail: Detail, zone: string): HTMLElement | null {
  if (detail.request.type !== 'marketing_opt_out') return null;
  return h(
    'section',
    { 'aria-labelledby': 'sec-suppression', class: 'suppression-panel' },
    h('h2', { id: 'sec-suppression' }, 'Marketing opt-out'),
    h('p', {}, 'Each system was marked as not wanting marketing and read back. The address hash stays on the suppression list, through erasure.'),
    h(
      'table',
      {},
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'System'), h('th', { scope: 'col' }, 'Result'))),
      h('tbody', {}, ...detail.connectors.map((c) => h('tr', { 'data-connector': c.connectorId }, h('td', {}, c.connectorId), h('td', {}, ...outcome(c, zone))))),
    ),
  );
}
