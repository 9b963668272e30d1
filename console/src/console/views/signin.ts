/**
 * Sign-in. Locally the staff member pastes the token `npm start` printed; the runtime tells the console
 * which staff member and roles it stands for. With Cognito a button starts the hosted UI (PKCE).
 */
import type { Api } from '../../shared/api.ts';
import type { ClientConfig } from '../../shared/config.ts';
import { field, h, message, render } from '../../shared/dom.ts';
import { beginCognitoSignIn, rolesFrom, saveSession, type StaffSession } from '../auth.ts';

export function signInView(config: ClientConfig, api: Api, container: HTMLElement, done: (session: StaffSession) => void, notice?: string): void {
  const status = h('div', { 'aria-live': 'polite' }, notice ? message('info', notice) : null);
  if (config.auth.mode === 'cognito') {
    const auth = config.auth;
    const button = h('button', { type: 'button', class: 'primary' }, 'Sign in with your company account');
    button.addEventListener('click', async () => {
      window.location.assign(await beginCognitoSignIn(auth, sessionStorage, crypto, window.location.pathname + window.location.search));
    });
    render(container, h('h1', {}, 'Sign in to the privacy console'), status, button);
    return;
  }
  const token = h('input', { type: 'password', name: 'token', autocomplete: 'off', required: true, spellcheck: 'false' });
  const form = h(
    'form',
    { class: 'signin' },
    field('Staff token', token, 'The approver or viewer token that `npm start` printed. It is kept for this tab only.'),
    h('button', { type: 'submit', class: 'primary' }, 'Sign in'),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    status.replaceChildren(message('info', 'Checking…'));
    try {
      const who = await api.call<{ id: string; roles: string[] }>('GET', '/console/local/whoami', { token: token.value.trim() });
      const session: StaffSession = { token: token.value.trim(), staff: { id: who.id, roles: rolesFrom(who.roles) } };
      saveSession(sessionStorage, session);
      done(session);
    } catch (err) {
      status.replaceChildren(message('error', (err as { status?: number }).status === 401 ? 'That token is not valid.' : (err as Error).message));
      token.focus();
    }
  });
  render(container, h('h1', {}, 'Sign in to the privacy console'), status, form);
}
