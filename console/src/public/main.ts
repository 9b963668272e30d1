/**
 * The public request pages for data subjects:
 *   /request/                     choose the type, give email and name (and jurisdiction if configured)
 *   /request/verify?id=           enter the emailed code (the code mail links here; never with the code)
 *   /request/status?id=&token=    the status link from the acknowledgement email; an unverified request
 *                                 offers the code field and "send a new code" here too
 *   /request/download?id=&token=  the download link, with a readable page when it expired or is invalid
 * Every text comes from the message catalogue in the reader's language: `?lang=` when the reader chose
 * one with the switch (links keep it), else the browser's. Nothing here says whether the company holds
 * data on an address: every filing gets the same answer.
 */
import { LOCALES, pickLocale, translator, type Locale, type MessageKey, type Translator } from '../../../functions/domain/i18n/index.ts';
import { Api, ApiError, type Answer, type Schemas } from '../shared/api.ts';
import { loadClientConfig, type ClientConfig } from '../shared/config.ts';
import { field, formatDate, h, message, render } from '../shared/dom.ts';
import { languageTag } from './locale.ts';
import { codeProblem, problem } from './problems.ts';
import { erasureReportView } from './erasure-report.ts';
import { agentFields, AgentInputProblem } from './agent-form.ts';
import { restrictionGroundField } from './restriction-ground.ts';
import { rectificationFields } from './rectification-form.ts';

const main = document.getElementById('main')!;

/** Each language's name in itself, for the switch. */
const LANGUAGE_NAMES: Record<Locale, string> = { en: 'English', nb: 'Norsk bokmål' };

let t: Translator = translator(undefined);
/** The language the reader chose with the switch (kept in `?lang=`), if any. */
let chosen: Locale | undefined;

function readLanguage() {
  const param = new URLSearchParams(location.search).get('lang') ?? '';
  chosen = (LOCALES as readonly string[]).includes(param) ? (param as Locale) : undefined;
  t = translator(chosen ?? pickLocale(languageTag(navigator.language)));
  document.documentElement.lang = t.tag;
  document.title = t.t('page.title');
  const skip = document.querySelector<HTMLAnchorElement>('a.skip');
  if (skip) skip.textContent = t.t('page.skip');
}

/** A path on this site, carrying the chosen language along. */
function withLanguage(path: string): string {
  if (!chosen) return path;
  const url = new URL(path, location.origin);
  url.searchParams.set('lang', chosen);
  return url.pathname + url.search + url.hash;
}

function go(path: string) {
  history.pushState(null, '', withLanguage(path));
  void route();
}

/**
 * The language switch: plain links to this same page in each language, so it works as a link (open in a
 * new tab, reload, bookmark); a click changes the language in place without losing what the page shows.
 */
function languageSwitch(): HTMLElement {
  const nav = h('nav', { class: 'languages', 'aria-label': t.t('page.language') });
  for (const locale of LOCALES) {
    const url = new URL(location.href);
    url.searchParams.set('lang', locale);
    const current = locale === t.locale;
    const link = h('a', { href: url.pathname + url.search, hreflang: locale, lang: locale, ...(current ? { 'aria-current': 'true' } : {}) }, LANGUAGE_NAMES[locale]);
    link.addEventListener('click', (event) => {
      event.preventDefault();
      history.replaceState(null, '', url.pathname + url.search);
      void route();
    });
    nav.append(link);
  }
  return nav;
}

/** Renders a page under the language switch. */
function page(...children: Parameters<typeof render>[1][]) {
  render(main, languageSwitch(), ...children);
}

async function route() {
  readLanguage();
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

const TYPE_KEYS: Record<string, MessageKey> = {
  access: 'form.type.access',
  erasure: 'form.type.erasure',
  portability: 'form.type.portability',
  marketing_opt_out: 'form.type.marketing_opt_out',
  restriction: 'form.type.restriction',
  rectification: 'form.type.rectification',
};
const SHORT_TYPE_KEYS: Record<string, MessageKey> = {
  access: 'type.short.access',
  erasure: 'type.short.erasure',
  portability: 'type.short.portability',
  marketing_opt_out: 'type.short.marketing_opt_out',
  restriction: 'type.short.restriction',
  rectification: 'type.short.rectification',
};
/** The API's bound on the details field (docs/openapi.yaml NewRequest). */
const DETAILS_MAX = 2000;
const STATUS_KEYS: Record<string, MessageKey> = {
  awaiting_verification: 'status.awaiting_verification',
  closed_unverified: 'status.closed_unverified',
  in_review: 'status.in_review',
  in_progress: 'status.in_progress',
  denied: 'status.denied',
  completed: 'status.completed',
  cancelled: 'status.cancelled',
  duplicate: 'status.duplicate',
  forwarded: 'status.forwarded',
  restricted: 'status.restricted',
};
const DENIAL_KEYS: Record<string, MessageKey> = {
  manifestly_unfounded: 'denial.manifestly_unfounded',
  excessive: 'denial.excessive',
  identity_not_verified: 'denial.identity_not_verified',
  exemption: 'denial.exemption',
  agent_permission_insufficient: 'denial.agent_permission_insufficient',
  other: 'denial.other',
};

/** A catalogue text for a code the API sends, or the code itself when the catalogue has none (a newer API). */
function label(keys: Record<string, MessageKey>, code: string): string {
  const key = keys[code];
  return key ? t.t(key) : code;
}

function requestForm(config: ClientConfig, api: Api) {
  const form = config.publicForm;
  const types = h(
    'fieldset',
    {},
    h('legend', {}, t.t('form.typeLegend')),
    ...form.types.map((type, i) =>
      h(
        'div',
        { class: 'choice' },
        h('input', { type: 'radio', name: 'type', id: `type-${type}`, value: type, required: true, checked: i === 0 }),
        h('label', { for: `type-${type}` }, label(TYPE_KEYS, type)),
      ),
    ),
  );
  const email = h('input', { type: 'email', name: 'email', required: true, autocomplete: 'email', maxlength: 254 });
  const name = h('input', { type: 'text', name: 'name', autocomplete: 'name', maxlength: 200 });
  const details = h('textarea', { name: 'details', rows: 4, maxlength: DETAILS_MAX });
  let jurisdiction: HTMLSelectElement | undefined;
  if (form.askJurisdiction) {
    jurisdiction = h('select', { name: 'jurisdiction', required: true });
    for (const j of form.jurisdictions) jurisdiction.append(h('option', { value: j, selected: j === form.defaultJurisdiction }, j));
  }
  const agentPart = agentFields(t, form.agentPermissionMaxBytes);
  const ground = restrictionGroundField(t);
  const rectificationPart = rectificationFields(t);
  // The parts of one type's form follow the chosen type, from the first (checked on load) on.
  const followType = () => {
    const chosen = types.querySelector<HTMLInputElement>('input[name="type"]:checked')?.value ?? '';
    ground.follow(chosen);
    rectificationPart.show(chosen === 'rectification');
  };
  followType();
  types.addEventListener('change', followType);
  const status = h('div', { 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit', class: 'primary' }, t.t('form.submit'));
  // One key per filled-in form: a double click or a retry after a network error files one request.
  let idempotencyKey = crypto.randomUUID();
  const el = h(
    'form',
    { novalidate: false },
    types,
    rectificationPart.element,
    field(t.t('form.email'), email, t.t('form.emailHint')),
    field(t.t('form.name'), name),
    ground.element,
    field(t.t('form.details'), details, t.t('form.detailsHint', { max: DETAILS_MAX })),
    jurisdiction ? field(t.t('form.jurisdiction'), jurisdiction) : null,
    agentPart.element,
    status,
    submit,
  );
  el.addEventListener('input', () => {
    idempotencyKey = crypto.randomUUID();
  });
  el.addEventListener('submit', async (event) => {
    event.preventDefault();
    const data = new FormData(el);
    // The language the reader chose on the page is the one they want our mails in; else the browser's.
    const locale = chosen ?? languageTag(navigator.language);
    submit.disabled = true;
    status.replaceChildren(message('info', t.t('page.sending')));
    try {
      // An agent's own mail is in the language of the page they filed on.
      const agent = await agentPart.read(locale);
      const why = ground.value(String(data.get('type')));
      const rectification = String(data.get('type')) === 'rectification' ? rectificationPart.read() : undefined;
      const answer = await api.call<Answer<'createRequest', 202>>('POST', '/v1/requests', {
        body: {
          type: String(data.get('type')),
          email: email.value.trim(),
          ...(name.value.trim() ? { name: name.value.trim() } : {}),
          ...(details.value.trim() ? { details: details.value.trim() } : {}),
          ...(jurisdiction ? { jurisdiction: jurisdiction.value } : {}),
          ...(locale ? { locale } : {}),
          ...(agent ? { agent } : {}),
          ...(why ? { ground: why } : {}),
          ...(rectification ? { rectification } : {}),
        },
        headers: { 'idempotency-key': idempotencyKey },
      });
      // The code goes to the person the request is about, not to the agent: no code page for the agent.
      if (agent) return page(h('h1', {}, t.t('agents.form.sentHeading')), message('success', t.t('agents.form.sentText', { requestId: answer.requestId })));
      // A marketing opt-out that needs no code: nothing to enter, the confirmation comes by email.
      if (answer.verification === 'none') return page(h('h1', {}, t.t('optout.form.sentHeading')), message('success', t.t('optout.form.sentText', { requestId: answer.requestId })));
      go(`/request/verify?id=${encodeURIComponent(answer.requestId)}`);
    } catch (err) {
      submit.disabled = false;
      const text =
        err instanceof AgentInputProblem
          ? err.message
          : err instanceof ApiError && (err.status === 400 || err.status === 413)
            ? t.t('form.invalid', { problem: err.message })
            : problem(t, err);
      status.replaceChildren(message('error', text));
    }
  });
  page(
    h('h1', {}, t.t('form.heading', { organisation: form.organisation || t.t('form.us') })),
    h('p', {}, t.t('form.intro')),
    form.types.includes('marketing_opt_out') ? h('p', {}, t.t('form.intro.optOut')) : null,
    el,
  );
}

/**
 * The code field and "send a new code" for a request waiting for its code; `onConfirmed` runs once the
 * code is accepted (or the request turns out to be confirmed already).
 */
function codeForm(api: Api, id: string, onConfirmed: (already: boolean) => void | Promise<void>): HTMLFormElement {
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
  const verify = h('button', { type: 'submit', class: 'primary' }, t.t('verify.confirm'));
  const resend = h('button', { type: 'button' }, t.t('verify.resend'));
  const form = h('form', { class: 'code' }, field(t.t('verify.code'), code, t.t('verify.codeHint')), status, h('div', { class: 'actions' }, verify, resend));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    verify.disabled = true;
    status.replaceChildren(message('info', t.t('verify.checking')));
    try {
      await api.call('POST', `/v1/requests/${encodeURIComponent(id)}/verify`, { body: { code: code.value.trim() } });
      await onConfirmed(false);
    } catch (err) {
      // A second submit (a double click, the page opened again) meets a request that is already
      // confirmed: say so, rather than show an error for something that went right.
      if (err instanceof ApiError && err.code === 'already_verified') return onConfirmed(true);
      verify.disabled = false;
      status.replaceChildren(message('error', codeProblem(t, err)));
      code.focus();
    }
  });
  resend.addEventListener('click', async () => {
    resend.disabled = true;
    try {
      await api.call('POST', `/v1/requests/${encodeURIComponent(id)}/code`);
      status.replaceChildren(message('success', t.t('verify.resent')));
      code.value = '';
      code.focus();
    } catch (err) {
      status.replaceChildren(message('error', codeProblem(t, err)));
    } finally {
      resend.disabled = false;
    }
  });
  return form;
}

function verifyPage(api: Api, id: string) {
  const confirmed = (already: boolean) =>
    page(
      h('h1', {}, t.t(already ? 'verify.alreadyConfirmed' : 'verify.confirmed')),
      h('p', {}, t.t('verify.confirmedNumber', { requestId: id })),
      h('p', {}, t.t('verify.confirmedNext')),
    );
  page(
    h('h1', {}, t.t('verify.heading')),
    // The same words whatever the address: the page never says whether we hold data on it.
    h('p', {}, t.t('verify.intro')),
    h('p', { class: 'request-number' }, t.t('verify.requestNumber', { requestId: id })),
    codeForm(api, id, confirmed),
  );
}

function linkProblem(title: MessageKey, text: string) {
  page(
    h('h1', {}, t.t(title)),
    h('p', {}, text),
    h('p', {}, h('a', { href: withLanguage('/request/') }, t.t('link.newRequest'))),
  );
}

async function statusPage(api: Api, id: string, token: string, notice?: string) {
  page(h('h1', {}, t.t('status.heading')), message('info', t.t('page.loading')));
  if (!id || !token) return linkProblem('link.incomplete.title', t.t('link.incomplete.text'));
  let s: Answer<'getRequestStatus'>;
  try {
    // The page's language: the erasure report's system names and reasons come in it.
    s = await api.call<Answer<'getRequestStatus'>>('GET', `/v1/requests/${encodeURIComponent(id)}?token=${encodeURIComponent(token)}&lang=${t.locale}`);
  } catch (err) {
    if (err instanceof ApiError && (err.status === 403 || err.status === 404)) return linkProblem('link.invalid.title', t.t('link.invalid.text'));
    return linkProblem('link.loadFailed.title', problem(t, err));
  }
  const list = h('dl', {});
  const add = (term: MessageKey, value: string | undefined) => {
    if (value) list.append(h('dt', {}, t.t(term)), h('dd', {}, value));
  };
  add('status.requestNumber', s.requestId);
  add('status.type', label(SHORT_TYPE_KEYS, s.type));
  add('status.received', t.date(s.receivedDate));
  add('status.dueBy', s.status === 'completed' || s.status === 'denied' ? undefined : t.date(s.dueDate));
  // An instant: the day it was where the request is (its deadlines' zone), not in UTC.
  const zone = s.timeZone ? { timeZone: s.timeZone } : {};
  add('status.closed', s.closedAt ? t.date(s.closedAt, zone) : undefined);
  // Until the code is entered, this page is where the subject can enter it or ask for a new one (not the
  // agent's: the code went to the subject).
  const byAgent = s.viewer === 'agent';
  const unverified = s.status === 'awaiting_verification' && !s.verified && !byAgent;
  page(
    h('h1', {}, t.t('status.heading')),
    notice ? message('success', notice) : null,
    h('p', { class: 'status', 'data-status': s.status, role: 'status' }, label(STATUS_KEYS, s.status)),
    byAgent ? h('p', { class: 'agent-view' }, t.t('agents.status.agentView')) : null,
    s.denialReason ? h('p', { class: 'reason' }, t.t('status.reason', { reason: label(DENIAL_KEYS, s.denialReason) })) : null,
    s.denialReason ? h('p', {}, t.t('status.complaint')) : null,
    unverified
      ? h(
          'section',
          { 'aria-labelledby': 'confirm' },
          h('h2', { id: 'confirm' }, t.t('status.confirmHeading')),
          h('p', {}, t.t('status.confirmIntro')),
          codeForm(api, id, (already) => statusPage(api, id, token, t.t(already ? 'verify.alreadyConfirmed' : 'verify.confirmed'))),
        )
      : null,
    s.waitingForSubject ? replyForm(api, id, token, s.waitingForSubject) : null,
    list,
    // In the page's language, like the rest of the page.
    s.erasureReport ? erasureReportView(s.erasureReport, t, s.timeZone) : null,
  );
}

/**
 * While staff wait for the subject (the clock is stopped, or they sent a question), the page shows what
 * they asked and takes the answer; sending it restarts a stopped clock, and the page reloads.
 */
function replyForm(api: Api, id: string, token: string, waiting: { since: string; asked: string; clockStopped: boolean }): HTMLElement {
  const answer = h('textarea', { name: 'message', rows: 5, required: true, maxlength: 4000 });
  const status = h('div', { 'aria-live': 'polite' });
  const send = h('button', { type: 'submit', class: 'primary' }, t.t('reply.send'));
  const form = h('form', {}, field(t.t('reply.answer'), answer, t.t('reply.hint')), status, send);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!answer.value.trim()) {
      status.replaceChildren(message('error', t.t('reply.empty')));
      answer.focus();
      return;
    }
    send.disabled = true;
    status.replaceChildren(message('info', t.t('page.sending')));
    try {
      await api.call('POST', `/v1/requests/${encodeURIComponent(id)}/reply`, { body: { token, message: answer.value.trim() } });
      await statusPage(api, id, token, t.t('reply.thanks'));
    } catch (err) {
      send.disabled = false;
      status.replaceChildren(message('error', problem(t, err)));
    }
  });
  return h(
    'section',
    { 'aria-labelledby': 'waiting' },
    h('h2', { id: 'waiting' }, t.t('reply.heading')),
    h('p', {}, t.t(waiting.clockStopped ? 'reply.intro' : 'reply.introQuestion', { since: t.date(waiting.since) })),
    h('blockquote', { class: 'asked' }, waiting.asked),
    form,
  );
}

/**
 * Checks the download link first (a redirect means it is good) so an expired, wrong or erased link shows
 * a page a person can read instead of an API error; a good link then downloads as usual.
 */
async function downloadPage(api: Api, id: string, token: string) {
  page(h('h1', {}, t.t('download.heading')), message('info', t.t('download.checking')));
  if (!id || !token) return linkProblem('download.incomplete.title', t.t('link.incomplete.text'));
  const url = api.url(`/v1/downloads/${encodeURIComponent(id)}?token=${encodeURIComponent(token)}`);
  let res: Response;
  try {
    res = await fetch(url, { redirect: 'manual', cache: 'no-store', headers: { accept: 'application/json' } });
  } catch {
    return linkProblem('link.checkFailed.title', t.t('link.checkFailed.text'));
  }
  if (res.type === 'opaqueredirect' || (res.status >= 300 && res.status < 400)) {
    const link = h('a', { href: url, class: 'button primary', download: '' }, t.t('download.ready.button'));
    page(h('h1', {}, t.t('download.ready.title')), h('p', {}, t.t('download.ready.text')), link);
    return;
  }
  const body = (await res.json().catch(() => undefined)) as { error?: { code?: string } } | undefined;
  if (body?.error?.code === 'deleted_by_erasure') return linkProblem('download.erased.title', t.t('download.erased.text'));
  if (res.status === 410 || body?.error?.code === 'link_expired') return linkProblem('download.expired.title', t.t('download.expired.text'));
  return linkProblem('download.invalid.title', t.t('download.invalid.text'));
}

window.addEventListener('popstate', () => void route());
route().catch((err: unknown) => render(main, h('h1', {}, t.t('page.loadFailed')), message('error', (err as Error).message)));
