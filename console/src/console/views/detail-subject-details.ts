/**
 * What the subject wrote in the form's details field (any request type), on the detail page. It is the
 * subject's own text: shown as typed (as text, never markup), with its line breaks; absent when the
 * subject is masked for this viewer or retention removed it with the subject's identity.
 */
import { h } from '../../shared/dom.ts';
import type { Detail } from './detail-panel.ts';

export function subjectDetailsSection(r: Detail['request']): HTMLElement | null {
  const details = r.subject.details;
  if (!details) return null;
  return h(
    'section',
    { 'aria-labelledby': 'sec-subject-details', class: 'subject-details' },
    h('h2', { id: 'sec-subject-details' }, 'What the subject wrote'),
    h('p', { class: 'subject-details-text' }, details),
  );
}
