/**
 * The detail page's note on a request of whom no system held anything: no package was built (so there is
 * nothing to review or download), and the subject was mailed that we hold no personal data about them;
 * or, for portability, that the systems held only inferred or derived data, which portability does not cover.
 */
import type { Schemas } from '../../shared/api.ts';
import { h } from '../../shared/dom.ts';
import { timeIn } from '../time.ts';

export function nothingHeldSection(r: Schemas['StaffRequest'], zone: string): HTMLElement | null {
  const held = r.nothingHeld;
  if (!held) return null;
  if (held.onlyInferred) {
    // A portability request: the systems hold data about the subject, but only inferred or derived data.
    return h(
      'section',
      { 'aria-labelledby': 'sec-nothing-held', class: 'nothing-held' },
      h('h2', { id: 'sec-nothing-held' }, 'Nothing portable found'),
      h(
        'p',
        {},
        `The ${held.systems.length} systems searched (${held.systems.join(', ')}) hold only inferred or derived data about the subject, which portability does not cover, so no package was built on `,
        timeIn(held.at, zone),
        '. The subject was mailed that, and told they can see that data with an access request.',
      ),
    );
  }
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
