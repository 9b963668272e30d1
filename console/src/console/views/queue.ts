/**
 * The queue: open requests ordered by due date (the API's order), with the days-left badge. The API
 * filters by status, type and jurisdiction and fills each page with matches, so a filter finds
 * requests however far down the queue they are. Pages follow the API's cursor; the cursors seen so far
 * make "previous" possible.
 */
import { ApiError, type Answer } from '../../shared/api.ts';
import { field, formatDate, h, message, render } from '../../shared/dom.ts';
import { OPEN_STATUSES, SHORT_TYPE, STAFF_STATUS_LABEL } from '../../shared/labels.ts';
import { badgeElement } from '../badge-element.ts';
import type { ConsoleContext } from '../context.ts';
import { waitingForSubject } from './detail-messages.ts';

const PAGE_SIZE = 25;
const REQUEST_ID = /^dsar_[a-z0-9]{8,40}$/;

export type QueueItem = Answer<'listRequests'>['items'][number];

function select(name: string, options: Array<[string, string]>, value: string): HTMLSelectElement {
  const el = h('select', { name });
  for (const [v, label] of options) el.append(h('option', { value: v, selected: v === value }, label));
  return el;
}

export async function queueView(ctx: ConsoleContext, container: HTMLElement, params: URLSearchParams): Promise<void> {
  const status = params.get('status') ?? '';
  const type = params.get('type') ?? '';
  const jurisdiction = params.get('jurisdiction') ?? '';
  const cursors: Array<string | null> = [null];
  let pageIndex = 0;

  const filters = h(
    'form',
    { class: 'filters', role: 'search', 'aria-label': 'Filter the queue' },
    field('Status', select('status', [['', 'All open'], ...OPEN_STATUSES.map((s): [string, string] => [s, STAFF_STATUS_LABEL[s] ?? s])], status)),
    field('Type', select('type', [['', 'All types'], ...ctx.config.publicForm.types.map((t): [string, string] => [t, SHORT_TYPE[t] ?? t])], type)),
    field(
      'Jurisdiction',
      select('jurisdiction', [['', 'All'], ...ctx.config.publicForm.jurisdictions.map((j): [string, string] => [j, j])], jurisdiction),
    ),
    h('button', { type: 'submit' }, 'Apply filters'),
  );
  filters.addEventListener('submit', (event) => {
    event.preventDefault();
    const data = new FormData(filters);
    const next = new URLSearchParams();
    for (const key of ['status', 'type', 'jurisdiction']) {
      const v = String(data.get(key) ?? '');
      if (v) next.set(key, v);
    }
    ctx.navigate(`/console/${next.size ? `?${next}` : ''}`);
  });

  const idInput = h('input', { type: 'search', name: 'id', placeholder: 'dsar_…', autocomplete: 'off', spellcheck: 'false' });
  const searchMessage = h('div');
  const search = h('form', { class: 'search', role: 'search', 'aria-label': 'Find a request by id' }, field('Request id', idInput), h('button', { type: 'submit' }, 'Open request'), searchMessage);
  search.addEventListener('submit', (event) => {
    event.preventDefault();
    const id = idInput.value.trim();
    if (!REQUEST_ID.test(id)) {
      searchMessage.replaceChildren(message('error', 'A request id looks like dsar_ followed by letters and digits.'));
      return;
    }
    ctx.navigate(`/console/requests/${id}`);
  });

  const results = h('div', { 'aria-live': 'polite' });
  render(container, h('h1', {}, 'Request queue'), h('div', { class: 'toolbar' }, filters, search), results);

  async function load() {
    results.replaceChildren(message('info', 'Loading…'));
    const q = new URLSearchParams({ limit: String(PAGE_SIZE) });
    if (status) q.set('status', status);
    if (type) q.set('type', type);
    if (jurisdiction) q.set('jurisdiction', jurisdiction);
    const cursor = cursors[pageIndex];
    if (cursor) q.set('cursor', cursor);
    let page: Answer<'listRequests'>;
    try {
      page = await ctx.api.call('GET', `/v1/admin/requests?${q}`, { token: ctx.session.token });
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) return ctx.signedOut();
      results.replaceChildren(message('error', (err as Error).message));
      return;
    }
    cursors[pageIndex + 1] = page.cursor;
    const items = page.items;
    const rows = items.map((i) =>
      h(
        'tr',
        { 'data-request-id': i.requestId },
        h('td', {}, badgeElement(i.daysLeft)),
        h('th', { scope: 'row' }, h('a', { href: `/console/requests/${i.requestId}`, 'data-nav': true }, i.requestId)),
        h('td', {}, SHORT_TYPE[i.type] ?? i.type),
        h('td', {}, i.jurisdiction),
        // A failed workflow step waits for staff like a connector decision; the queue names the step.
        h(
          'td',
          {},
          i.status === 'awaiting_staff' && i.attention ? `Needs attention: step ${i.attention.step} failed` : (STAFF_STATUS_LABEL[i.status] ?? i.status),
          // Staff asked the subject something (or stopped the clock): the answer is what the request waits for.
          waitingForSubject(i) ? h('span', { class: 'badge badge-amber waiting-badge' }, 'Waiting for the subject') : null,
        ),
        h('td', {}, formatDate(i.receivedDate)),
        h('td', {}, formatDate(i.dueDate)),
      ),
    );
    const prev = h('button', { type: 'button', disabled: pageIndex === 0 }, 'Previous page');
    const next = h('button', { type: 'button', disabled: !page.cursor }, 'Next page');
    prev.addEventListener('click', () => {
      pageIndex -= 1;
      void load();
    });
    next.addEventListener('click', () => {
      pageIndex += 1;
      void load();
    });
    results.replaceChildren(
      items.length
        ? h(
            'table',
            { class: 'queue' },
            h('caption', {}, `Open requests, earliest due first (page ${pageIndex + 1})`),
            h(
              'thead',
              {},
              h('tr', {}, ...['Days left', 'Request', 'Type', 'Jurisdiction', 'Status', 'Received', 'Due'].map((c) => h('th', { scope: 'col' }, c))),
            ),
            h('tbody', {}, ...rows),
          )
        : message('info', pageIndex === 0 ? 'No open requests match these filters.' : 'No more open requests match these filters.'),
      h('nav', { class: 'pagination', 'aria-label': 'Queue pages' }, prev, h('span', {}, `Page ${pageIndex + 1}`), next),
    );
  }
  await load();
}
