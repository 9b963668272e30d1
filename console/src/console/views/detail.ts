/**
 * One request in full: subject, dates, decision, each connector's outcome (with the vendor's message when
 * it failed), the audit timeline, and the actions its state and the staff member's role allow. Every
 * action asks for confirmation; approving an erasure asks for the request id to be typed.
 */
import { ApiError, type Answer, type Schemas } from '../../shared/api.ts';
import { field, formatDate, h, message, render } from '../../shared/dom.ts';
import { DENIAL_REASON_LABEL, SHORT_TYPE, STAFF_STATUS_LABEL } from '../../shared/labels.ts';
import { badgeElement } from '../badge-element.ts';
import type { ConsoleContext } from '../context.ts';
import { confirmAction } from '../dialog.ts';
import { previewSection } from './detail-preview.ts';
import { needsTypedConfirmation, offeredActions, type Action } from '../rules.ts';

type Connector = Schemas['ConnectorOutcome'];

const ERASURE_ACTION_LABEL: Record<string, string> = { deleted: 'deleted', anonymized: 'anonymized', retained: 'kept', not_found: 'none found' };

/** One line per object: what was erased, anonymized or kept, and for kept records the basis and until when. */
function erasureCell(c: Connector): Node | string {
  if (!c.erasure?.length) return '—';
  return h(
    'ul',
    { class: 'erasure' },
    ...c.erasure.map((i) =>
      h(
        'li',
        { 'data-object': i.object, 'data-erasure-action': i.action },
        `${i.object}: ${ERASURE_ACTION_LABEL[i.action] ?? i.action} ${i.count}`,
        i.action === 'retained' ? ` (legal basis: ${i.legalBasis ?? 'not given'}; how long: ${i.retentionPeriod ?? 'not given'})` : '',
        i.completion ? ` (submitted; ${i.completion.vendor} completes it within ${i.completion.withinDays} days)` : '',
      ),
    ),
  );
}

type StaffRequest = Schemas['StaffRequest'];

export type Detail = Answer<'getRequest'>;

const ACTION_LABEL: Record<Action, string> = {
  approve: 'Approve',
  deny: 'Deny',
  extend: 'Extend deadline',
  pause: 'Pause the clock',
  resume: 'Resume the clock',
  retry: 'Retry failed connectors',
  'accept-partial': 'Accept as partial',
  cancel: 'Cancel request',
  assign: 'Assign',
  download: 'Download package for review',
};

/** The button's words: in NeedsAttention a retry runs the failed step again, not the connectors. */
function labelFor(r: StaffRequest, action: Action): string {
  const a = pendingAttention(r);
  return action === 'retry' && a ? `Retry step ${a.step}` : ACTION_LABEL[action];
}

function dl(entries: Array<[string, Node | string | null | undefined]>): HTMLElement {
  const list = h('dl', {});
  for (const [term, value] of entries) {
    if (value === undefined || value === null || value === '') continue;
    list.append(h('dt', {}, term), h('dd', {}, value));
  }
  return list;
}

function describe(detail: Record<string, unknown> | undefined): string {
  if (!detail) return '';
  return Object.entries(detail)
    .map(([k, v]) => `${k}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join('; ');
}

function reasonInput(label: string): { el: HTMLElement; input: HTMLTextAreaElement } {
  const input = h('textarea', { name: 'reason', rows: 3, required: true, maxlength: 2000 });
  return { el: field(label, input), input };
}

export async function detailView(ctx: ConsoleContext, container: HTMLElement, id: string): Promise<void> {
  render(container, h('h1', {}, `Request ${id}`), message('info', 'Loading…'));
  let detail: Detail;
  try {
    detail = await ctx.api.call<Detail>('GET', `/v1/admin/requests/${encodeURIComponent(id)}`, { token: ctx.session.token });
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return ctx.signedOut();
    const text = err instanceof ApiError && err.status === 404 ? `There is no request ${id}.` : (err as Error).message;
    render(container, h('h1', {}, `Request ${id}`), message('error', text), h('p', {}, h('a', { href: '/console/', 'data-nav': true }, 'Back to the queue')));
    return;
  }
  show(ctx, container, detail);
}

function show(ctx: ConsoleContext, container: HTMLElement, detail: Detail, notice?: HTMLElement): void {
  const r = detail.request;
  const outcome = h('div', { 'aria-live': 'polite', class: 'outcome' }, notice ?? null);
  render(
    container,
    h('p', {}, h('a', { href: '/console/', 'data-nav': true }, '← Queue')),
    h('h1', {}, `Request ${r.requestId}`),
    h('p', { class: 'summary' }, r.closedAt ? null : badgeElement(r.daysLeft), ' ', h('span', { class: 'status', 'data-status': r.status }, STAFF_STATUS_LABEL[r.status] ?? r.status)),
    outcome,
    attentionSection(r),
    actionsSection(ctx, container, detail, outcome),
    h(
      'div',
      { class: 'columns' },
      h(
        'section',
        { 'aria-labelledby': 'sec-request' },
        h('h2', { id: 'sec-request' }, 'Request'),
        dl([
          ['Subject', r.subject.email],
          ['Name', r.subject.name],
          ['Type', SHORT_TYPE[r.type] ?? r.type],
          ['Jurisdiction', `${r.jurisdiction} (${r.country})`],
          ['Language', r.locale],
        ]),
      ),
      h(
        'section',
        { 'aria-labelledby': 'sec-dates' },
        h('h2', { id: 'sec-dates' }, 'Deadline'),
        dl([
          ['Received', formatDate(r.receivedAt)],
          ['Acknowledge by', r.acknowledgeBy ? formatDate(r.acknowledgeBy) : null],
          ['Due', formatDate(r.dueDate)],
          ['Latest with extension', formatDate(r.extendedDueDate)],
          ['Extended', r.extension ? `by ${r.extension.by} on ${formatDate(r.extension.at)} from ${r.extension.previousDueDate}: ${r.extension.reason}` : null],
          ['Clock paused', r.pause ? `since ${r.pause.since} by ${r.pause.by}: ${r.pause.reason}` : null],
          ['Days paused in total', r.pausedDays ? String(r.pausedDays) : null],
          ['Closed', r.closedAt ? formatDate(r.closedAt) : null],
          ['Assigned to', r.assignee ?? null],
        ]),
      ),
      r.decision || r.partialAcceptance
        ? h(
            'section',
            { 'aria-labelledby': 'sec-decision' },
            h('h2', { id: 'sec-decision' }, 'Decision'),
            dl([
              ['Outcome', r.decision ? `${r.decision.outcome} by ${r.decision.by} on ${formatDate(r.decision.at)}` : null],
              ['Reason', r.decision?.reason ? (DENIAL_REASON_LABEL[r.decision.reason] ?? r.decision.reason) : null],
              ['Note', r.decision?.note],
              ['Accepted as partial', r.partialAcceptance ? `by ${r.partialAcceptance.by}: ${r.partialAcceptance.reason}` : null],
            ]),
          )
        : null,
    ),
    previewSection(detail),
    connectorsSection(ctx, container, detail, outcome),
    h(
      'section',
      { 'aria-labelledby': 'sec-audit' },
      h('h2', { id: 'sec-audit' }, 'Audit timeline'),
      h(
        'ol',
        { class: 'timeline' },
        ...detail.audit.map((e) =>
          h('li', {}, h('time', { datetime: e.at }, formatDate(e.at)), ' ', h('strong', {}, e.action), ` by ${e.actor}`, e.detail ? h('span', { class: 'detail' }, ` — ${describe(e.detail)}`) : null),
        ),
      ),
    ),
  );
}

/**
 * The failed step staff must act on: on the queue (awaiting_staff), or on a closed request whose closing
 * mail failed (the failure then carries the closed status itself; one from before a cancel does not).
 */
function pendingAttention(r: StaffRequest): StaffRequest['attention'] {
  return r.attention && (r.status === 'awaiting_staff' || r.attention.status === r.status) ? r.attention : undefined;
}

/** Shown while a workflow step has failed for good (NeedsAttention): which step, and what it said. */
function attentionSection(r: StaffRequest): HTMLElement | null {
  const a = pendingAttention(r);
  if (!a) return null;
  return h(
    'section',
    { 'aria-labelledby': 'sec-attention', class: 'attention', 'data-step': a.step },
    h('h2', { id: 'sec-attention' }, 'Needs attention: a workflow step failed'),
    dl([
      ['Step', a.step],
      ['Error', a.error],
      ['Message', a.message || null],
      ['Since', formatDate(a.at)],
    ]),
    h('p', { class: 'hint' }, 'Fix the cause, then retry the step; or cancel the request (the subject is told).'),
  );
}

function connectorsSection(ctx: ConsoleContext, container: HTMLElement, detail: Detail, outcome: HTMLElement): HTMLElement {
  // In NeedsAttention the step is retried as a whole (its own button), not a connector.
  const canRetry = offeredActions(detail).includes('retry') && !pendingAttention(detail.request);
  // The erasure column appears for erasure requests, whose connectors report what they did per object.
  const erasure = detail.request.type === 'erasure' || detail.connectors.some((c) => c.erasure?.length);
  const rows = detail.connectors.map((c) => {
    const retry =
      canRetry && c.status === 'failed'
        ? h('button', { type: 'button', 'data-action': 'retry', 'data-connector': c.connectorId }, `Retry ${c.connectorId}`)
        : null;
    retry?.addEventListener('click', () => void act(ctx, container, detail, outcome, 'retry', c.connectorId));
    return h(
      'tr',
      { 'data-connector': c.connectorId },
      h('th', { scope: 'row' }, c.connectorId),
      h('td', {}, c.status),
      h('td', {}, String(c.records ?? 0)),
      h('td', {}, Object.entries(c.objects ?? {}).map(([o, n]) => `${o}: ${n}`).join(', ') || '—'),
      h('td', {}, c.error ? h('span', { class: 'vendor-error' }, `${c.error.type}: ${c.error.message}`) : '—'),
      erasure ? h('td', {}, erasureCell(c)) : null,
      h('td', {}, String(c.attempts ?? 0)),
      h('td', {}, retry),
    );
  });
  return h(
    'section',
    { 'aria-labelledby': 'sec-connectors' },
    h('h2', { id: 'sec-connectors' }, 'Connectors'),
    rows.length
      ? h(
          'table',
          {},
          h('thead', {}, h('tr', {}, ...['Connector', 'Outcome', 'Records', 'Objects', 'Error (vendor message)', ...(erasure ? ['Erased, anonymized or kept'] : []), 'Attempts', ''].map((c) => h('th', { scope: 'col' }, c)))),
          h('tbody', {}, ...rows),
        )
      : h('p', {}, 'No connector has run yet.'),
  );
}

function actionsSection(ctx: ConsoleContext, container: HTMLElement, detail: Detail, outcome: HTMLElement): HTMLElement {
  const roles = ctx.session.staff.roles;
  const actions = offeredActions(detail);
  const buttons = actions.map((action) => {
    const missing = ctx.unavailable.has(action);
    const button = h(
      'button',
      {
        type: 'button',
        'data-action': action,
        class: action === 'deny' || action === 'cancel' ? 'danger' : action === 'approve' ? 'primary' : '',
        disabled: missing,
        title: missing ? 'This API does not offer this action yet' : null,
      },
      labelFor(detail.request, action),
    );
    button.addEventListener('click', () => void act(ctx, container, detail, outcome, action));
    return button;
  });
  const readOnly = !roles.includes('approver');
  return h(
    'section',
    { 'aria-labelledby': 'sec-actions', class: 'action-bar' },
    h('h2', { id: 'sec-actions' }, 'Actions'),
    readOnly ? h('p', { class: 'hint' }, 'You have read-only (viewer) access: actions need the approver role.') : null,
    buttons.length ? h('div', { class: 'actions' }, ...buttons) : h('p', {}, 'No action is possible in this state.'),
  );
}

/** Asks for confirmation and the inputs the action needs; returns the body, or undefined if cancelled. */
async function confirmFor(r: StaffRequest, action: Action, connector?: string): Promise<Record<string, unknown> | undefined> {
  switch (action) {
    case 'approve': {
      const typed = needsTypedConfirmation(action, r.type);
      const ok = await confirmAction({
        title: `Approve ${SHORT_TYPE[r.type] ?? r.type} request?`,
        description: typed
          ? `Approving erases ${r.subject.email}'s data in every connected system. This cannot be undone.`
          : `The workflow collects ${r.subject.email}'s data and sends them the package.`,
        confirmLabel: 'Approve',
        danger: typed,
        ...(typed ? { requireText: r.requestId } : {}),
      });
      return ok ? (typed ? { confirmRequestId: r.requestId } : {}) : undefined;
    }
    case 'deny': {
      const reason = h('select', { name: 'reason', required: true });
      reason.append(h('option', { value: '' }, 'Choose a reason'));
      for (const [key, label] of Object.entries(DENIAL_REASON_LABEL)) reason.append(h('option', { value: key }, label));
      const note = h('textarea', { name: 'note', rows: 3, maxlength: 2000 });
      const ok = await confirmAction({
        title: 'Deny this request?',
        description: 'The subject receives the reason by email and sees it on their status page.',
        fields: [field('Reason', reason), field('Note to the subject', note, 'Required for "Other"; optional otherwise.')],
        confirmLabel: 'Deny request',
        danger: true,
        validate: () =>
          !reason.value ? 'Choose a reason.' : reason.value === 'other' && !note.value.trim() ? 'Explain "Other" in the note.' : undefined,
      });
      return ok ? { reason: reason.value, ...(note.value.trim() ? { note: note.value.trim() } : {}) } : undefined;
    }
    case 'extend':
    case 'pause':
    case 'accept-partial':
    case 'cancel': {
      const copy: Record<string, [string, string, string]> = {
        extend: ['Extend the deadline?', 'The law allows one extension; the subject is told why by email.', 'Extend'],
        pause: [
          'Pause the clock?',
          'Use this while you wait for the subject to clarify the request or prove who they are. The subject sees what you ask on their status page, and their answer there restarts the clock.',
          'Pause',
        ],
        'accept-partial': ['Accept the answer as partial?', 'The package is assembled without the failed connectors; the subject is told which are missing.', 'Accept partial'],
        cancel: ['Cancel this request?', 'The workflow stops and the subject is told.', 'Cancel request'],
      };
      const [title, description, confirmLabel] = copy[action]!;
      const reason = reasonInput(action === 'pause' ? 'What you ask of the subject (shown to them, kept in the audit trail)' : 'Reason (kept in the audit trail)');
      const ok = await confirmAction({
        title,
        description,
        fields: [reason.el],
        confirmLabel,
        danger: action === 'cancel',
        validate: () => (reason.input.value.trim() ? undefined : 'A reason is required.'),
      });
      return ok ? { reason: reason.input.value.trim() } : undefined;
    }
    case 'assign': {
      const assignee = h('input', { name: 'assignee', type: 'email', value: r.assignee ?? '', autocomplete: 'email' });
      const ok = await confirmAction({
        title: 'Assign this request?',
        description: 'Deadline reminders for this request go to the assignee instead of the privacy team. Leave the field empty to hand it back to the team.',
        fields: [field('Staff member (email)', assignee)],
        confirmLabel: 'Assign',
        validate: () => (assignee.value && !assignee.checkValidity() ? 'Enter an email address, or leave it empty.' : undefined),
      });
      return ok ? { assignee: assignee.value.trim() } : undefined;
    }
    case 'resume': {
      const ok = await confirmAction({ title: 'Resume the clock?', description: 'The deadline moves by the days the clock was paused.', confirmLabel: 'Resume' });
      return ok ? {} : undefined;
    }
    case 'retry': {
      const failed = pendingAttention(r);
      if (failed) {
        const again = await confirmAction({
          title: `Retry step ${failed.step}?`,
          description: 'The workflow runs the step again; the request returns here if it fails again.',
          confirmLabel: 'Retry',
        });
        return again ? {} : undefined;
      }
      const ok = await confirmAction({
        title: connector ? `Retry ${connector}?` : 'Retry the failed connectors?',
        description: 'The connector runs again; the request returns here if it fails again.',
        confirmLabel: 'Retry',
      });
      return ok ? (connector ? { connector } : {}) : undefined;
    }
    default:
      return {};
  }
}

async function act(ctx: ConsoleContext, container: HTMLElement, detail: Detail, outcome: HTMLElement, action: Action, connector?: string): Promise<void> {
  const r = detail.request;
  const token = ctx.session.token;
  const path = `/v1/admin/requests/${encodeURIComponent(r.requestId)}`;
  try {
    if (action === 'download') {
      // A navigation cannot carry the bearer token: ask the API for a short-lived link instead.
      const { url } = await ctx.api.call<Answer<'getPackageLink'>>('GET', `${path}/package`, { token });
      window.location.assign(url);
      return;
    }
    const body = await confirmFor(r, action, connector);
    if (!body) return;
    outcome.replaceChildren(message('info', 'Working…'));
    await ctx.api.call('POST', `${path}/${action}`, { token, body });
    const fresh = await ctx.api.call<Detail>('GET', path, { token });
    show(ctx, container, fresh, message('success', `${labelFor(r, action)}: done.`));
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return ctx.signedOut();
    if (err instanceof ApiError && err.unavailable) {
      ctx.unavailable.add(action);
      container.querySelector<HTMLButtonElement>(`button[data-action="${action}"]`)?.setAttribute('disabled', '');
      outcome.replaceChildren(message('error', `${ACTION_LABEL[action]} is not available on this API version yet.`));
      return;
    }
    outcome.replaceChildren(message('error', (err as Error).message));
  }
}
