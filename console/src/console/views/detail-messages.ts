/**
 * The thread with the subject on the detail page: what staff wrote (mailed to the subject's verified
 * address) and what the subject answered on their status page, oldest first, and a form to write.
 * A message can ask the subject something; the request then shows that it waits for them until they
 * answer. The subject's words are theirs: once retention or an erasure removed them, the entry says so.
 */
import { field, h } from '../../shared/dom.ts';
import { timeIn } from '../time.ts';
import type { Detail, DetailPage } from './detail-panel.ts';

/** The API's bound (docs/openapi.yaml MessageBody). */
const MESSAGE_MAX = 4000;

type StaffRequest = Detail['request'];

/** What the request waits for from the subject, in words: a stopped clock or an unanswered question. */
export function waitingForSubject(r: StaffRequest): string | undefined {
  if (r.closedAt) return undefined;
  if (r.pause) return `Waiting for the subject since ${r.pause.since} (clock paused)`;
  if (r.awaitingSubject) return `Waiting for the subject's answer since ${r.awaitingSubject.since}`;
  return undefined;
}

export function messagesPanel(page: DetailPage): HTMLElement {
  const r = page.detail.request;
  const { thread } = page.detail;
  const waiting = waitingForSubject(r);
  const list = thread.length
    ? h(
        'ol',
        { class: 'thread' },
        ...thread.map((m) =>
          h(
            'li',
            { class: `from-${m.from}`, 'data-from': m.from },
            h(
              'p',
              { class: 'meta' },
              h('strong', {}, m.from === 'staff' ? `${m.by ?? 'Staff'} to the subject` : 'The subject'),
              m.question ? ' (a question)' : '',
              ' · ',
              timeIn(m.at, page.zone),
            ),
            m.text !== undefined
              ? h('p', { class: 'text' }, m.text)
              : h('p', { class: 'hint' }, m.removedAt ? 'The text was removed with the subject\'s details on ' : 'No text.', m.removedAt ? timeIn(m.removedAt, page.zone) : null),
          ),
        ),
      )
    : h('p', { class: 'hint' }, 'No messages yet.');
  return h(
    'section',
    { 'aria-labelledby': 'sec-messages', class: 'panel messages-panel' },
    h('h2', { id: 'sec-messages' }, 'Messages with the subject'),
    waiting ? h('p', { class: 'waiting', 'data-waiting': 'subject' }, waiting) : null,
    list,
    composer(page),
  );
}

/** The form, or why there is none: only approvers write, only to an open request whose subject confirmed their address. */
function composer(page: DetailPage): HTMLElement | null {
  const r = page.detail.request;
  if (!page.canWrite) return null;
  if (r.closedAt) return h('p', { class: 'hint' }, 'The request is closed: the subject can no longer answer on it.');
  // An opt-out that needed no code never confirmed the address: nothing may be sent to it but its confirmation.
  if (!r.verification?.verifiedAt && r.verificationWaived) return h('p', { class: 'hint' }, 'Messages go only to a confirmed address: this opt-out needed no code, so the address was never confirmed.');
  if (!r.verification?.verifiedAt) return h('p', { class: 'hint' }, 'Messages go only to a confirmed address: the subject has not entered their code yet.');
  const text = h('textarea', { name: 'message', rows: 4, maxlength: MESSAGE_MAX, required: true, 'data-draft': 'message' });
  const question = h('input', { type: 'checkbox', name: 'question', 'data-draft': 'message-question' });
  const button = h('button', { type: 'submit', class: 'primary' }, 'Send to the subject');
  const form = h(
    'form',
    { class: 'message-form' },
    field('Message to the subject', text, `Mailed to the subject in their language, quoted as you write it. At most ${MESSAGE_MAX} characters.`),
    h('label', { class: 'choice' }, question, ' This asks the subject something: the request waits for their answer'),
    button,
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const value = text.value.trim();
    if (!value) return;
    button.disabled = true;
    void page.submit('messages', { text: value, question: question.checked }, 'Message sent to the subject.', form).then((ok) => {
      if (!ok) button.disabled = false;
    });
  });
  return form;
}
