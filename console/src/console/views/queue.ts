/**
 * The queue: open requests ordered by due date (the API's order) with the days-left badge, or closed ones
 * most recently closed first; each row names the subject, the type and status in words, the due date,
 * the assignee and the law. The API filters by status, type, jurisdiction, assignee and overdue and fills
 * each page with matches, so a filter finds requests however far down the list they are. The filters live
 * in the URL (so a view can be bookmarked), and the saved views are links that set them. Search by email
 * asks the API for the subject's requests, open and closed; the address is never put in the URL (it would
 * stay in the browser's history). Pages follow the API's cursor; the cursors seen so far make "previous"
 * possible.
 */
import { ApiError, type Answer } from '../../shared/api.ts';
import { field, h, message, render } from '../../shared/dom.ts';
import { timeIn } from '../time.ts';
import { CLOSED_STATUSES, OPEN_STATUSES, SHORT_TYPE, STAFF_STATUS_LABEL } from '../../shared/labels.ts';
import { openRequestBadge } from '../badge-element.ts';
import type { ConsoleContext } from '../context.ts';
import { waitingForSubject } from './detail-messages.ts';
import { tasksOpenLabel } from './detail-tasks.ts';

const PAGE_SIZE = 25;
const REQUEST_ID = /^dsar_[a-z0-9]{8,40}$/;
/** The filters the URL carries, in the order the API takes them. */
const FILTERS = ['state', 'status', 'type', 'jurisdiction', 'assignee', 'dueBefore', 'overdue'] as const;

export type QueueItem = Answer<'listRequests'>['items'][number];

function select(name: string, options: Array<[string, string]>, value: string): HTMLSelectElement {
  const el = h('select', { name });
  for (const [v, label] of options) el.append(h('option', { value: v, selected: v === value }, label));
  return el;
}

/** The saved views: links that set the filters (the staff member's own address for "mine"). */
function savedViews(ctx: ConsoleContext, params: URLSearchParams): HTMLElement {
  const views: Array<[string, string]> = [
    ['All open', ''],
    ['Mine', `assignee=${encodeURIComponent(ctx.session.staff.id)}`],
    ['Overdue', 'overdue=true'],
    ['Awaiting review', 'status=awaiting_review'],
    ['Closed', 'state=closed'],
  ];
  const current = new URLSearchParams(params);
  current.delete('view');
  const here = current.toString();
  return h(
    'nav',
    { class: 'saved-views', 'aria-label': 'Saved views' },
    ...views.map(([label, query]) =>
      h('a', { href: `/console/${query ? `?${query}` : ''}`, 'data-nav': true, 'aria-current': query === here ? 'page' : null }, label),
    ),
  );
}

/** Who the request is about: name and address (masked by the API for viewers where configured). */
function subjectCell(i: QueueItem): HTMLElement {
  return h('td', { class: 'subject' }, i.subject.name ? h('span', { class: 'name' }, i.subject.name) : null, i.subject.name ? h('br') : null, h('span', { class: 'email' }, i.subject.email));
}

function statusText(i: QueueItem): string {
  // A failed workflow step waits for staff like a connector decision; the queue names the step.
  return i.status === 'awaiting_staff' && i.attention ? `Needs attention: step ${i.attention.step} failed` : (STAFF_STATUS_LABEL[i.status] ?? i.status);
}

/** `zone`: the company's, as the detail page shows times (../time.ts); UTC on hover. */
function row(i: QueueItem, zone: string): HTMLElement {
  const closed = CLOSED_STATUSES.includes(i.status);
  return h(
    'tr',
    { 'data-request-id': i.requestId, 'data-status': i.status },
    h('td', {}, closed ? h('span', { class: 'badge badge-closed' }, 'Closed') : openRequestBadge(i)),
    h('th', { scope: 'row' }, h('a', { href: `/console/requests/${i.requestId}`, 'data-nav': true }, i.requestId)),
    subjectCell(i),
    h('td', {}, SHORT_TYPE[i.type] ?? i.type),
    h(
      'td',
      {},
      statusText(i),
      // Staff asked the subject something (or stopped the clock): the answer is what the request waits for.
      waitingForSubject(i) ? h('span', { class: 'badge badge-amber waiting-badge' }, 'Waiting for the subject') : null,
      // Answered but not finished for staff: the closed list would otherwise hide work still to do.
      i.openTodos ? h('span', { class: 'badge badge-amber tasks-open-badge' }, tasksOpenLabel(i.openTodos)) : null,
    ),
    h('td', {}, timeIn(i.dueDate, zone)),
    h('td', { class: 'assignee' }, i.assignee ?? '—'),
    h('td', {}, i.jurisdiction),
    h('td', {}, timeIn(closed && i.closedAt ? i.closedAt : i.receivedAt, zone)),
  );
}

/** The table, in a box of its own that scrolls sideways on a phone, so the page itself never does. */
function table(items: QueueItem[], caption: string, closed: boolean, zone: string): HTMLElement {
  const columns = ['Days left', 'Request', 'Subject', 'Type', 'Status', 'Due', 'Assignee', 'Jurisdiction', closed ? 'Closed' : 'Received'];
  return h('div', { class: 'table-scroll' }, h(
    'table',
    { class: 'queue' },
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, ...columns.map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, ...items.map((i) => row(i, zone))),
  ));
}

export async function queueView(ctx: ConsoleContext, container: HTMLElement, params: URLSearchParams): Promise<void> {
  const value = (name: string) => params.get(name) ?? '';
  const closedList = value('state') === 'closed';
  const cursors: Array<string | null> = [null];
  let pageIndex = 0;

  const statuses = closedList ? CLOSED_STATUSES : OPEN_STATUSES;
  const overdue = h('input', { type: 'checkbox', id: 'queue-overdue', name: 'overdue', value: 'true', checked: value('overdue') === 'true', disabled: closedList });
  const filters = h(
    'form',
    { class: 'filters', role: 'search', 'aria-label': 'Filter the queue' },
    field('Open or closed', select('state', [['', 'Open'], ['closed', 'Closed']], value('state'))),
    field('Status', select('status', [['', closedList ? 'All closed' : 'All open'], ...statuses.map((s): [string, string] => [s, STAFF_STATUS_LABEL[s] ?? s])], value('status'))),
    field('Type', select('type', [['', 'All types'], ...ctx.config.publicForm.types.map((t): [string, string] => [t, SHORT_TYPE[t] ?? t])], value('type'))),
    field('Jurisdiction', select('jurisdiction', [['', 'All'], ...ctx.config.publicForm.jurisdictions.map((j): [string, string] => [j, j])], value('jurisdiction'))),
    field('Assignee (email)', h('input', { type: 'email', name: 'assignee', value: value('assignee'), autocomplete: 'off' })),
    field('Due on or before', h('input', { type: 'date', name: 'dueBefore', value: value('dueBefore'), disabled: closedList })),
    h('div', { class: 'field checkbox' }, overdue, h('label', { for: 'queue-overdue' }, 'Overdue only')),
    h('button', { type: 'submit' }, 'Apply filters'),
  );
  filters.addEventListener('submit', (event) => {
    event.preventDefault();
    const data = new FormData(filters);
    const next = new URLSearchParams();
    for (const key of FILTERS) {
      const v = String(data.get(key) ?? '').trim();
      if (v) next.set(key, v);
    }
    // A status belongs to one list: switching between open and closed drops the other list's status.
    const status = next.get('status');
    if (status && (next.get('state') === 'closed') !== CLOSED_STATUSES.includes(status)) next.delete('status');
    // Due dates matter while a request is open: the closed list has no due-date filters.
    if (next.get('state') === 'closed') {
      next.delete('overdue');
      next.delete('dueBefore');
    }
    ctx.navigate(`/console/${next.size ? `?${next}` : ''}`);
  });

  const emailInput = h('input', { type: 'email', name: 'email', autocomplete: 'off', spellcheck: 'false' });
  const emailSearch = h('form', { class: 'search', role: 'search', 'aria-label': 'Find a subject by email' }, field('Subject email', emailInput), h('button', { type: 'submit' }, 'Find subject'));
  emailSearch.addEventListener('submit', (event) => {
    event.preventDefault();
    const email = emailInput.value.trim();
    if (!email || !emailInput.checkValidity()) {
      results.replaceChildren(message('error', 'Enter the subject\u2019s whole email address.'));
      return;
    }
    void searchByEmail(email);
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
  render(container, h('h1', {}, 'Request queue'), savedViews(ctx, params), h('div', { class: 'toolbar' }, filters), h('div', { class: 'toolbar' }, emailSearch, search), results);

  async function fetchPage(q: URLSearchParams): Promise<Answer<'listRequests'> | undefined> {
    try {
      return await ctx.api.call<Answer<'listRequests'>>('GET', `/v1/admin/requests?${q}`, { token: ctx.session.token });
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) {
        ctx.signedOut();
        return undefined;
      }
      results.replaceChildren(message('error', (err as Error).message));
      return undefined;
    }
  }

  async function searchByEmail(email: string) {
    results.replaceChildren(message('info', 'Searching…'));
    const page = await fetchPage(new URLSearchParams({ email, limit: '100' }));
    if (!page) return;
    results.replaceChildren(
      page.items.length
        ? table(page.items, `Requests filed by ${email}, open and closed, newest first`, false, page.timeZone)
        : message('info', 'No request was filed with this email address (or its subject details were already removed under the retention policy).'),
    );
  }

  async function load() {
    results.replaceChildren(message('info', 'Loading…'));
    const q = new URLSearchParams({ limit: String(PAGE_SIZE) });
    for (const key of FILTERS) if (value(key)) q.set(key, value(key));
    const cursor = cursors[pageIndex];
    if (cursor) q.set('cursor', cursor);
    const page = await fetchPage(q);
    if (!page) return;
    cursors[pageIndex + 1] = page.cursor;
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
    const which = closedList ? 'Closed requests, most recently closed first' : 'Open requests, earliest due first';
    results.replaceChildren(
      page.items.length
        ? table(page.items, `${which} (page ${pageIndex + 1})`, closedList, page.timeZone)
        : message('info', `No ${pageIndex === 0 ? '' : 'more '}${closedList ? 'closed' : 'open'} requests match these filters.`),
      h('nav', { class: 'pagination', 'aria-label': 'Queue pages' }, prev, h('span', {}, `Page ${pageIndex + 1}`), next),
    );
  }
  await load();
}
