import { h } from '../shared/dom.ts';
import { daysLeftBadge } from './badge.ts';

/** The badge as an element: text plus an accessible label, coloured by a class (no inline style, per the CSP). */
export function badgeElement(daysLeft: number): HTMLElement {
  const badge = daysLeftBadge(daysLeft);
  return h('span', { class: `badge badge-${badge.tone}`, title: badge.label, 'aria-label': badge.label, 'data-tone': badge.tone }, badge.text);
}

/** An open request's badge: a restriction in force has its answer, so no countdown whatever its due date was. */
export function openRequestBadge(r: { status: string; daysLeft: number }): HTMLElement {
  return r.status === 'restricted' ? h('span', { class: 'badge badge-answered' }, 'Answered') : badgeElement(r.daysLeft);
}
