/**
 * The staff console: a small single-page app under /console/ with path routing (emails link
 * /console/requests/<id>). Links marked data-nav are handled here; everything else is a normal link.
 */
import { Api } from '../shared/api.ts';
import { loadClientConfig, type ClientConfig } from '../shared/config.ts';
import { h, message, render } from '../shared/dom.ts';
import { clearSession, cognitoLogoutUrl, completeCognitoSignIn, readSession, saveSession, type StaffSession } from './auth.ts';
import type { ConsoleContext } from './context.ts';
import { detailView } from './views/detail.ts';
import { metricsView } from './views/metrics.ts';
import { queueView } from './views/queue.ts';
import { signInView } from './views/signin.ts';

const main = document.getElementById('main')!;
const header = document.getElementById('session')!;
const unavailable = new Set<string>();

function navigate(path: string) {
  history.pushState(null, '', path);
  void route();
}

function signOut(config: ClientConfig, notice?: string) {
  clearSession(sessionStorage);
  if (config.auth.mode === 'cognito' && !notice) {
    window.location.assign(cognitoLogoutUrl(config.auth));
    return;
  }
  history.replaceState(null, '', '/console/');
  void route(notice);
}

function sessionBar(config: ClientConfig, session: StaffSession) {
  const out = h('button', { type: 'button' }, 'Sign out');
  out.addEventListener('click', () => signOut(config));
  const role = session.staff.roles.includes('approver') ? 'approver' : 'viewer';
  header.replaceChildren(
    h(
      'nav',
      { 'aria-label': 'Console' },
      h('a', { href: '/console/', 'data-nav': true }, 'Queue'),
      unavailable.has('metrics') ? null : h('a', { href: '/console/metrics', 'data-nav': true }, 'Metrics'),
    ),
    h('span', { class: 'who', 'data-role': role }, `${session.staff.id} (${role})`),
    out,
  );
}

let config: ClientConfig | undefined;

async function route(notice?: string): Promise<void> {
  config ??= await loadClientConfig();
  const api = new Api(config.apiBaseUrl);
  const path = location.pathname.replace(/\/+$/, '') || '/console';

  if (path === '/console/callback' && config.auth.mode === 'cognito') {
    try {
      const { session, returnTo } = await completeCognitoSignIn(config.auth, location.search, sessionStorage, fetch.bind(window));
      saveSession(sessionStorage, session);
      history.replaceState(null, '', returnTo);
    } catch (err) {
      history.replaceState(null, '', '/console/');
      return route((err as Error).message);
    }
  }

  const session = readSession(sessionStorage);
  if (!session) {
    header.replaceChildren();
    signInView(config, new Api(''), main, () => void route(), notice);
    return;
  }
  const cfg = config;
  const ctx: ConsoleContext = {
    api,
    config: cfg,
    session,
    navigate,
    unavailable,
    signedOut: () => signOut(cfg, 'Your session has ended. Sign in again.'),
  };
  sessionBar(cfg, session);
  const params = new URLSearchParams(location.search);
  const detail = /^\/console\/requests\/([^/]+)$/.exec(path);
  if (detail) return detailView(ctx, main, decodeURIComponent(detail[1]!));
  if (path === '/console/metrics') {
    await metricsView(ctx, main, params);
    sessionBar(cfg, session);
    return;
  }
  if (path === '/console' || path === '/console/requests') return queueView(ctx, main, params);
  render(main, h('h1', {}, 'Not found'), h('p', {}, h('a', { href: '/console/', 'data-nav': true }, 'Go to the queue')));
}

document.addEventListener('click', (event) => {
  const link = (event.target as Element | null)?.closest?.('a[data-nav]') as HTMLAnchorElement | null;
  if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
  event.preventDefault();
  navigate(link.getAttribute('href')!);
});
window.addEventListener('popstate', () => void route());

route().catch((err: unknown) => {
  render(main, h('h1', {}, 'The console could not start'), message('error', (err as Error).message));
});
