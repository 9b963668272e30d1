/**
 * The detail page's note on a request of whom no system held anything: no package was built (so there is
 * nothing to review or download), and the subject was mailed that we hold no personal data about them.
 */
import type { Schemas } from '../../shared/api.ts';
import { h } from '../../shared/dom.ts';
import { timeIn } from '../time.ts';

export function nothingHeldSection(r: Schemas['StaffRequest'], zone: string): HTMLElement | null {
  const held = r.nothingHeld;
  if (!held) return null;
  return h(
    'section',
    { 'aria-labelledby': 'sec-nothing-held', class: 'nothing-held' },
    h('h2', { id: 'sec-nothing-held' }, 'No personal data found'),
    h(
      'p',
      {},
      `None of the ${held.systems.length} systems searched returned a record (${held.systems.join(', ')}), so no package was built on `,
      timeIn(held.at, zone),
      '. The subject was mailed that we hold no personal data about them, with the Art. 15 information that still applies.',
    ),
  );
}
