/**
 * The public request pages for data subjects:
 *   /request/                     choose the type, give email and name (and jurisdiction if configured)
 *   /request/verify?id=           enter the emailed code
 *   /request/status?id=&token=    the status link from the acknowledgement email
 *   /request/download?id=&token=  the download link, with a readable page when it expired or is invalid
 * Nothing here says whether the company holds data on an address: every filing gets the same answer.
 */
import { Api, ApiError, type Answer, type Schemas } from '../shared/api.ts';
import { loadClientConfig, type ClientConfig } from '../shared/config.ts';
import { field, formatDate, h, message, render } from '../shared/dom.ts';
import { DENIAL_REASON_TEXT, PUBLIC_STATUS_TEXT, SHORT_TYPE, TYPE_LABEL } from '../shared/labels.ts';
import { languageTag } from './locale.ts';

const main = document.getElementById('main')!;

function go(path: string) {
  history.pushState(null, '', path);
  void route();
}

async function route() {
  const config = await loadClientConfig();
  const api = new Api(config.apiBaseUrl);
  const path = location.pathname.replace(/\/+$/, '');
  const params = new URLSearchParams(location.search);
  const id = params.get('id') ?? '';
  const token = params.get('token') ?? '';
  if (path === '/request/verify' && id) return verifyPage(api, id);
  if (path === '/request/status') return statusPage(api, id, token);
  if (path === '/request/download') return downloadPage(api, id, token);
  return requestForm(config, api);
}

function requestForm(config: ClientConfig, api: Api) {
  const form = config.publicForm;
  const types = h(
    'fieldset',
    {},
    h('legend', {}, 'What do you want to ask for?'),
    ...form.types.map((t, i) =>
      h(
        'div',
        { class: 'choice' },
        h('input', { type: 'radio', name: 'type', id: `type-${t}`, value: t, required: true, checked: i === 0 }),
        h('label', { for: `type-${t}` }, TYPE_LABEL[t] ?? t),
      ),
    ),
  );
  const email = h('input', { type: 'email', name: 'email', required: true, autocomplete: 'email', maxlength: 254 });
  const name = h('input', { type: 'text', name: 'name', autocomplete: 'name', maxlength: 200 });
  let jurisdiction: HTMLSelectElement | undefined;
  if (form.askJurisdiction) {
    jurisdiction = h('select', { name: 'jurisdiction', required: true });
    for (const j of form.jurisdictions) jurisdiction.append(h('option', { value: j, selected: j === form.defaultJurisdiction }, j));
  }
  const status = h('div', { 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Send request');
  // One key per filled-in form: a double click or a retry after a network error files one request.
  let idempotencyKey = crypto.randomUUID();
  const el = h(
    'form',
    { novalidate: false },
    types,
    field('Email address', email, 'We send a code to this address to confirm it is yours, and the answer goes only there.'),
    field('Your name (optional)', name),
    jurisdiction ? field('Which privacy law applies to you?', jurisdiction) : null,
    status,
    submit,
  );
  el.addEventListener('input', () => {
    idempotencyKey = crypto.randomUUID();
  });
  el.addEventListener('submit', async (event) => {
    event.preventDefault();
    const data = new FormData(el);
    const locale = languageTag(navigator.language);
    submit.disabled = true;
    status.replaceChildren(message('info', 'Sending…'));
    try {
      const answer = await api.call<Answer<'createRequest', 202>>('POST', '/v1/requests', {
        body: {
          type: String(data.get('type')),
          email: email.value.trim(),
          ...(name.value.trim() ? { name: name.value.trim() } : {}),
          ...(jurisdiction ? { jurisdiction: jurisdiction.value } : {}),
          ...(locale ? { locale } : {}),
        },
        headers: { 'idempotency-key': idempotencyKey },
      });
      go(`/request/verify?id=${encodeURIComponent(answer.requestId)}`);
    } catch (err) {
      submit.disabled = false;
      status.replaceChildren(message('error', (err as Error).message));
    }
  });
  render(
    main,
    h('h1', {}, `Ask ${form.organisation || 'us'} about your personal data`),
    h('p', {}, 'You can ask for a copy of your data, ask us to delete it, or get it in a machine-readable format.'),
    el,
  );
}

function verifyPage(api: Api, id: string) {
  const code = h('input', {
    type: 'text',
    name: 'code',
    inputmode: 'numeric',
    autocomplete: 'one-time-code',
    pattern: '[0-9]{6}',
    maxlength: 6,
    required: true,
  });
  const status = h('div', { 'aria-live': 'polite' });
  const verify = h('button', { type: 'submit', class: 'primary' }, 'Confirm');
  const resend = h('button', { type: 'button' }, 'Send me a new code');
  const form = h('form', {}, field('6-digit code', code, 'Check your inbox (and spam folder). The code is valid for a short time.'), status, h('div', { class: 'actions' }, verify, resend));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    verify.disabled = true;
    status.replaceChildren(message('info', 'Checking…'));
    const confirmed = (title: string) =>
      render(
        main,
        h('h1', {}, title),
        h('p', {}, `Your request number is ${id}.`),
        h('p', {}, 'We sent you an email with a link where you can follow your request. We answer within the time the law gives us.'),
      );
    try {
      await api.call('POST', `/v1/requests/${encodeURIComponent(id)}/verify`, { body: { code: code.value.trim() } });
      confirmed('Thank you, your request is confirmed');
    } catch (err) {
      // A second submit (a double click, the page opened again) meets a request that is already
      // confirmed: say so, rather than show an error for something that went right.
      if (err instanceof ApiError && err.code === 'already_verified') return confirmed('Your request is already confirmed');
      verify.disabled = false;
      status.replaceChildren(message('error', (err as Error).message));
      code.focus();
    }
  });
  resend.addEventListener('click', async () => {
    try {
      await api.call('POST', `/v1/requests/${encodeURIComponent(id)}/code`);
      status.replaceChildren(message('success', 'If the address can receive mail, a new code is on its way.'));
    } catch (err) {
      status.replaceChildren(message('error', (err as Error).message));
    }
  });
  render(
    main,
    h('h1', {}, 'Check your email'),
    // The same words whatever the address: the page never says whether we hold data on it.
    h('p', {}, 'If the address can receive mail, we sent it a 6-digit code. Enter it here to confirm the request is yours.'),
    form,
  );
}

function linkProblem(title: string, text: string) {
  render(
    main,
    h('h1', {}, title),
    h('p', {}, text),
    h('p', {}, h('a', { href: '/request/' }, 'Make a new request')),
  );
}

async function statusPage(api: Api, id: string, token: string) {
  render(main, h('h1', {}, 'Your request'), message('info', 'Loading…'));
  if (!id || !token) return linkProblem('This link is not complete', 'Open the link from your email again, or copy all of it into the address bar.');
  let s: Answer<'getRequestStatus'>;
  try {
    s = await api.call<Answer<'getRequestStatus'>>('GET', `/v1/requests/${encodeURIComponent(id)}?token=${encodeURIComponent(token)}`);
  } catch (err) {
    if (err instanceof ApiError && (err.status === 403 || err.status === 404)) {
      return linkProblem('This link is not valid', 'The link may have been copied incompletely. Open the link from your email again.');
    }
    return linkProblem('We could not load your request', (err as Error).message);
  }
  const list = h('dl', {});
  const add = (term: string, value: string | undefined) => {
    if (value) list.append(h('dt', {}, term), h('dd', {}, value));
  };
  add('Request number', s.requestId);
  add('Type', SHORT_TYPE[s.type] ?? s.type);
  add('Received', formatDate(s.receivedDate));
  add('We answer by', s.status === 'completed' || s.status === 'denied' ? undefined : formatDate(s.dueDate));
  add('Closed', s.closedAt ? formatDate(s.closedAt) : undefined);
  render(
    main,
    h('h1', {}, 'Your request'),
    h('p', { class: 'status', 'data-status': s.status, role: 'status' }, PUBLIC_STATUS_TEXT[s.status] ?? s.status),
    s.denialReason ? h('p', { class: 'reason' }, `Reason: ${DENIAL_REASON_TEXT[s.denialReason] ?? s.denialReason}`) : null,
    s.denialReason ? h('p', {}, 'You may complain to the data protection authority or seek a judicial remedy; our email explains how.') : null,
    s.waitingForSubject ? replyForm(api, id, token, s.waitingForSubject) : null,
    list,
    s.erasureReport ? erasureReportView(s.erasureReport) : null,
  );
}

/**
 * While staff wait for the subject (the clock is stopped, or they sent a question), the page shows what
 * they asked and takes the answer; sending it restarts a stopped clock, and the page reloads.
 */
function replyForm(api: Api, id: string, token: string, waiting: { since: string; asked: string; clockStopped: boolean }): HTMLElement {
  const answer = h('textarea', { name: 'message', rows: 5, required: true, maxlength: 4000 });
  const status = h('div', { 'aria-live': 'polite' });
  const send = h('button', { type: 'submit', class: 'primary' }, 'Send answer');
  const form = h('form', {}, field('Your answer', answer, 'Only the people handling your request read it.'), status, send);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!answer.value.trim()) {
      status.replaceChildren(message('error', 'Write your answer first.'));
      answer.focus();
      return;
    }
    send.disabled = true;
    status.replaceChildren(message('info', 'Sending…'));
    try {
      await api.call('POST', `/v1/requests/${encodeURIComponent(id)}/reply`, { body: { token, message: answer.value.trim() } });
      await statusPage(api, id, token);
      main.append(message('success', 'Thank you, we received your answer and continue with your request.'));
    } catch (err) {
      send.disabled = false;
      status.replaceChildren(message('error', (err as Error).message));
    }
  });
  return h(
    'section',
    { 'aria-labelledby': 'waiting' },
    h('h2', { id: 'waiting' }, 'We need something from you'),
    h(
      'p',
      {},
      waiting.clockStopped
        ? `Since ${formatDate(waiting.since)} we are waiting for your answer, and the time we have to reply is on hold until then:`
        : `Since ${formatDate(waiting.since)} we are waiting for your answer to this question:`,
    ),
    h('blockquote', { class: 'asked' }, waiting.asked),
    form,
  );
}

type ErasureReport = NonNullable<Schemas['SubjectStatus']['erasureReport']>;

const ERASURE_ACTION_TEXT: Record<string, string> = { deleted: 'Deleted', anonymized: 'Anonymized', retained: 'Kept' };

/** What the erasure did, system by system: deleted, anonymized, kept (why and until when), and who was told. */
function erasureReportView(report: ErasureReport): HTMLElement {
  const rows = report.systems.flatMap((system) =>
    system.items
      .filter((i) => i.action !== 'not_found' && i.count > 0)
      .map((i) =>
        h(
          'tr',
          {},
          h('td', {}, system.displayName),
          h('td', {}, i.object),
          h('td', {}, String(i.count)),
          h('td', {}, i.completion ? 'Deletion submitted' : (ERASURE_ACTION_TEXT[i.action] ?? i.action)),
          h(
            'td',
            {},
            i.action === 'retained'
              ? `${i.legalBasis ?? ''}. How long: ${i.retentionPeriod ?? 'until the end of the retention period'}`
              : i.completion
                ? `${i.completion.vendor} completes it within ${i.completion.withinDays} days`
                : '',
          ),
        ),
      ),
  );
  const section = h('section', { 'aria-labelledby': 'erasure-report' }, h('h2', { id: 'erasure-report' }, 'What we erased'));
  if (!rows.length && !report.notErased.length) {
    section.append(h('p', {}, 'We found no personal data about you in any of our systems, so there was nothing to erase.'));
  } else if (rows.length) {
    section.append(
      h(
        'table',
        {},
        h('caption', {}, `Completed on ${formatDate(report.completedAt)}`),
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'System'), h('th', { scope: 'col' }, 'Records'), h('th', { scope: 'col' }, 'How many'), h('th', { scope: 'col' }, 'What we did'), h('th', { scope: 'col' }, 'Why kept, and how long'))),
        h('tbody', {}, ...rows),
      ),
    );
  }
  for (const n of report.notErased) section.append(h('p', { class: 'reason' }, `${n.displayName}: not erased. ${n.reason}`));
  if (report.recipientsNotified.length) {
    section.append(
      h('h3', {}, 'Who we told'),
      h('ul', {}, ...report.recipientsNotified.map((r) => h('li', {}, `${r.name}, on ${formatDate(r.at)}`))),
    );
  }
  // Art. 19 names every recipient, so those not told by the erasure itself are listed too, with why.
  const byStaff = (report.recipientsNotTold ?? []).filter((r) => r.reason === 'staff');
  if (byStaff.length) {
    section.append(h('h3', {}, 'Who our staff will tell'), h('ul', {}, ...byStaff.map((r) => h('li', {}, r.name))));
  }
  const nothing = (report.recipientsNotTold ?? []).filter((r) => r.reason === 'nothing_erased');
  if (nothing.length) {
    section.append(
      h('h3', {}, 'Who had nothing to be told'),
      h('p', {}, 'Nothing of yours was erased in these recipients’ systems:'),
      h('ul', {}, ...nothing.map((r) => h('li', {}, r.name))),
    );
  }
  return section;
}

/**
 * Checks the download link first (a redirect means it is good) so an expired or wrong link shows a page
 * a person can read instead of an API error; a good link then downloads as usual.
 */
async function downloadPage(api: Api, id: string, token: string) {
  render(main, h('h1', {}, 'Your data'), message('info', 'Checking your link…'));
  if (!id || !token) return linkProblem('This download link is not complete', 'Open the link from your email again.');
  const url = api.url(`/v1/downloads/${encodeURIComponent(id)}?token=${encodeURIComponent(token)}`);
  let res: Response;
  try {
    res = await fetch(url, { redirect: 'manual', cache: 'no-store' });
  } catch {
    return linkProblem('We could not check your link', 'Check your connection and try again.');
  }
  if (res.type === 'opaqueredirect' || (res.status >= 300 && res.status < 400)) {
    const link = h('a', { href: url, class: 'button primary', download: '' }, 'Download your data');
    render(main, h('h1', {}, 'Your data is ready'), h('p', {}, 'The download is a ZIP file with a readable report and the data itself.'), link);
    return;
  }
  const body = (await res.json().catch(() => undefined)) as { error?: { code?: string } } | undefined;
  if (res.status === 410 || body?.error?.code === 'link_expired') {
    return linkProblem(
      'This download link has expired',
      'For your privacy, the package was deleted when the link expired. You can make a new request and we will prepare your data again.',
    );
  }
  return linkProblem('This download link is not valid', 'The link may have been copied incompletely. Open the link from your email again.');
}

window.addEventListener('popstate', () => void route());
route().catch((err: unknown) => render(main, h('h1', {}, 'This page could not load'), message('error', (err as Error).message)));
