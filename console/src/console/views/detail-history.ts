/**
 * The detail page's "Subject's requests" panel: every request filed in the same subject's name (GET
 * /v1/admin/requests/{id}/history, from the by-subject index), newest first, with how each ended and a
 * link to it; what staff read before denying a request as repetitive. The section is returned at once and
 * filled when the API answers, so the rest of the page does not wait for it.
 */
import { ApiError, type Answer } from '../../shared/api.ts';
import { h, message } from '../../shared/dom.ts';
import { timeIn } from '../time.ts';
import { DENIAL_REASON_LABEL, SHORT_TYPE, STAFF_STATUS_LABEL } from '../../shared/labels.ts';
import type { ConsoleContext } from '../context.ts';
import { keptWhileUnchanged, type DetailPanel } from './detail-panel.ts';

type History = Answer<'getSubjectHistory'>;
type Item = History['items'][number];

/** The outcome in words: the decision (with the denial reason) for a closed request, else still open. */
function outcome(i: Item): string {
  const status = STAFF_STATUS_LABEL[i.status] ?? i.status;
  if (i.decision?.outcome === 'denied') return `${status}: ${DENIAL_REASON_LABEL[i.decision.reason ?? ''] ?? i.decision.reason ?? 'no reason given'}`;
  if (i.duplicateOf) return `${status} of ${i.duplicateOf}`;
  return status;
}

function table(history: History, zone: string): HTMLElement {
  return h('div', { class: 'table-scroll' }, h(
    'table',
    { class: 'history' },
    h('caption', {}, `${history.items.length} request${history.items.length === 1 ? '' : 's'} filed in this subject’s name, newest first`),
    h('thead', {}, h('tr', {}, ...['Request', 'Type', 'Received', 'Due', 'Closed', 'Status and outcome'].map((c) => h('th', { scope: 'col' }, c)))),
    h(
      'tbody',
      {},
      ...history.items.map((i) =>
        h(
          'tr',
          { 'data-history-id': i.requestId, 'data-status': i.status, class: i.current ? 'current' : null },
          h('th', { scope: 'row' }, i.current ? h('span', {}, i.requestId, ' (this request)') : h('a', { href: `/console/requests/${i.requestId}`, 'data-nav': true }, i.requestId)),
          h('td', {}, SHORT_TYPE[i.type] ?? i.type),
          h('td', {}, timeIn(i.receivedAt, zone)),
          h('td', {}, timeIn(i.dueDate, zone)),
          h('td', {}, timeIn(i.closedAt, zone)),
          h('td', {}, outcome(i)),
        ),
      ),
    ),
  ));
}

export function historySection(ctx: ConsoleContext, requestId: string, zone: string): HTMLElement {
  const body = h('div', { 'aria-live': 'polite' }, message('info', 'Loading the subject\u2019s requests…'));
  const section = h('section', { 'aria-labelledby': 'sec-history', class: 'subject-history' }, h('h2', { id: 'sec-history' }, 'Subject\u2019s requests'), body);
  ctx.api
    .call<History>('GET', `/v1/admin/requests/${encodeURIComponent(requestId)}/history`, { token: ctx.session.token })
    .then((history) => {
      body.replaceChildren(history.items.length > 1 ? table(history, zone) : h('p', {}, 'This is the only request filed in this subject\u2019s name.'));
    })
    .catch((err: unknown) => {
      if (err instanceof ApiError && err.status === 401) return ctx.signedOut();
      body.replaceChildren(message(err instanceof ApiError && err.unavailable ? 'info' : 'error', err instanceof ApiError && err.unavailable ? 'The subject\u2019s history is not available on this API version yet.' : (err as Error).message));
    });
  return section;
}

/**
 * The panel on the detail page. The subject's history does not change with the page's redraws, so it is
 * read once for the request on screen, and again when that request's own status changes (its own row
 * shows its status and outcome).
 */
export const historyPanel: DetailPanel = keptWhileUnchanged(
  (page) => `${page.detail.request.requestId}#${page.detail.request.status}`,
  (page) => historySection(page.ctx, page.detail.request.requestId, page.zone),
);
