/**
 * Internal notes on the detail page: every staff member reads them, approvers add them. They are for
 * staff only (the subject never sees them); each shows who wrote it and when, in the company's zone.
 */
import { field, h } from '../../shared/dom.ts';
import { timeIn } from '../time.ts';
import type { DetailPage } from './detail-panel.ts';

/** The API's bound (docs/openapi.yaml NoteBody). */
const NOTE_MAX = 4000;

export function notesPanel(page: DetailPage): HTMLElement {
  const { notes } = page.detail;
  const list = notes.length
    ? h(
        'ol',
        { class: 'notes' },
        ...notes.map((n) => h('li', { class: 'note' }, h('p', { class: 'meta' }, h('strong', {}, n.by), ' · ', timeIn(n.at, page.zone)), h('p', { class: 'text' }, n.text))),
      )
    : h('p', { class: 'hint' }, 'No notes yet.');
  return h(
    'section',
    { 'aria-labelledby': 'sec-notes', class: 'panel notes-panel' },
    h('h2', { id: 'sec-notes' }, 'Internal notes'),
    h('p', { class: 'hint' }, 'For staff only: the subject never sees these.'),
    list,
    page.canWrite ? noteForm(page) : null,
  );
}

function noteForm(page: DetailPage): HTMLElement {
  const text = h('textarea', { name: 'note', rows: 3, maxlength: NOTE_MAX, required: true, 'data-draft': 'note' });
  const button = h('button', { type: 'submit' }, 'Add note');
  const form = h('form', { class: 'note-form' }, field('New note', text, `At most ${NOTE_MAX} characters.`), button);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const value = text.value.trim();
    if (!value) return;
    button.disabled = true;
    void page.submit('notes', { text: value }, 'Note added.', form).then((ok) => {
      // On success the page is redrawn without the draft; on failure the text stays for another try.
      if (!ok) button.disabled = false;
    });
  });
  return form;
}
