/**
 * The agent panel of the detail page, for a request an authorised agent filed: who the agent is, how
 * they act for the subject, and their signed permission, which an approver opens through a presigned
 * link that lives for minutes (asked for on a click, audited on the server as the package review is).
 * Where configuration allows, an approver accepts the power of attorney in place of the subject's own
 * code; a permission that does not hold is denied in review with "Agent permission insufficient".
 */
import { ApiError, type Answer } from '../../shared/api.ts';
import { h, message } from '../../shared/dom.ts';
import { timeIn } from '../time.ts';
import type { DetailPage } from './detail-panel.ts';

const RELATIONSHIP: Record<string, string> = {
  authorised_agent: 'Authorised agent',
  power_of_attorney: 'Holder of a power of attorney',
  parent_or_guardian: 'Parent or guardian',
  legal_representative: 'Legal representative',
  other: 'Other',
};

const KIND: Record<string, string> = { 'application/pdf': 'PDF', 'image/png': 'PNG image', 'image/jpeg': 'JPEG image' };

function size(bytes: number): string {
  return bytes >= 1_048_576 ? `${(bytes / 1_048_576).toFixed(1)} MB` : bytes >= 1024 ? `${Math.round(bytes / 1024)} KB` : `${bytes} bytes`;
}

export function agentPanel(page: DetailPage): HTMLElement | null {
  const agent = page.detail.request.agent;
  if (!agent) return null;
  const rows: Array<[string, Node | string]> = [
    ['Name', agent.name],
    ['Email', agent.email],
    ...(agent.organisation ? ([['Organisation', agent.organisation]] as Array<[string, string]>) : []),
    ['Acts as', RELATIONSHIP[agent.relationship] ?? agent.relationship],
    ['Signed permission', `${KIND[agent.permission.contentType] ?? agent.permission.contentType}, ${size(agent.permission.bytes)}`],
    ...(agent.powerOfAttorneyAcceptedBy
      ? ([['Power of attorney', h('span', {}, `accepted by ${agent.powerOfAttorneyAcceptedBy.by}, `, timeIn(agent.powerOfAttorneyAcceptedBy.at, page.zone))]] as Array<[string, Node]>)
      : []),
  ];
  const list = h('dl', { class: 'agent' }, ...rows.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
  return h(
    'section',
    { 'aria-labelledby': 'sec-agent', class: 'panel agent-panel' },
    h('h2', { id: 'sec-agent' }, 'Filed by an agent'),
    h(
      'p',
      { class: 'hint' },
      'The subject verifies by their own address and gets the answer; the agent sees the status only. If the permission does not show the subject gave the agent authority, deny in review with “Agent permission insufficient”.',
    ),
    list,
    page.canWrite ? permissionOpener(page) : h('p', { class: 'hint' }, 'Approvers can open the signed permission.'),
    page.detail.actions.includes('accept-power-of-attorney') ? powerOfAttorney(page) : null,
  );
}

/** A click asks the API for a short-lived link (a navigation cannot carry the bearer token), then shows it. */
function permissionOpener(page: DetailPage): HTMLElement {
  const outcome = h('div', { 'aria-live': 'polite', class: 'permission-link' });
  const button = h('button', { type: 'button', 'data-action': 'open-permission' }, 'Get a link to the signed permission');
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      const link = await page.ctx.api.call<Answer<'getAgentPermissionLink'>>('GET', `/v1/admin/requests/${encodeURIComponent(page.detail.request.requestId)}/agent-permission`, {
        token: page.ctx.session.token,
      });
      const minutes = Math.max(1, Math.round(link.expiresInSeconds / 60));
      outcome.replaceChildren(
        h('p', {}, h('a', { href: link.url, target: '_blank', rel: 'noopener noreferrer' }, 'Open the signed permission'), ` (the link works for ${minutes} ${minutes === 1 ? 'minute' : 'minutes'}; opening it is on the audit trail)`),
      );
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) return page.ctx.signedOut();
      outcome.replaceChildren(message('error', (err as Error).message));
    } finally {
      button.disabled = false;
    }
  });
  return h('div', {}, button, outcome);
}

function powerOfAttorney(page: DetailPage): HTMLElement {
  const button = h('button', { type: 'button', 'data-action': 'accept-power-of-attorney' }, 'Accept the power of attorney instead of the subject’s code');
  button.addEventListener('click', () => {
    if (!window.confirm('Accept the agent’s power of attorney in place of the subject’s own verification? This is recorded with your name.')) return;
    button.disabled = true;
    void page.submit('accept-power-of-attorney', {}, 'Power of attorney accepted: the request goes on to review.').then((ok) => {
      if (!ok) button.disabled = false;
    });
  });
  return h('p', {}, button);
}
