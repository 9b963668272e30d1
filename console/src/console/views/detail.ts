/**
 * One request in full: subject, dates, decision, each connector's outcome (with the vendor's message when
 * it failed), the panels (messages with the subject, internal notes, ...), the audit timeline in
 * sentences, and the actions its state and the staff member's role allow. Every action asks for
 * confirmation; approving an erasure asks for the request id to be typed. The page reads the request
 * again after every action and, with growing pauses, while the workflow works on it (detail-refresh.ts).
 * Times are shown in the company's zone with UTC on hover (../time.ts).
 */
import { ApiError, type Answer, type Schemas } from '../../shared/api.ts';
import { field, h, message, render } from '../../shared/dom.ts';
import { DENIAL_REASON_LABEL, SHORT_TYPE, STAFF_STATUS_LABEL } from '../../shared/labels.ts';
import { openRequestBadge } from '../badge-element.ts';
import type { ConsoleContext } from '../context.ts';
import { confirmAction } from '../dialog.ts';
import { auditSentence } from '../audit-sentences.ts';
import { denialReasonsFor, needsTypedConfirmation, offeredActions, type Action } from '../rules.ts';
import { timeIn } from '../time.ts';
import { historyPanel } from './detail-history.ts';
import { messagesPanel, waitingForSubject } from './detail-messages.ts';
import { nothingHeldSection } from './detail-nothing-held.ts';
import { notesPanel } from './detail-notes.ts';
import { agentPanel } from './detail-agent.ts';
import { partnerPanel } from './detail-partner.ts';
import { restrictionPanel } from './detail-restriction.ts';
import { previewSection } from './detail-preview.ts';
import { rectificationChoice, rectificationPanel } from './detail-rectification.ts';
import { releaseSection } from './detail-release.ts';
import { tasksOpenLabel, tasksSection } from './detail-tasks.ts';
import { subjectDetailsSection } from './detail-subject-details.ts';
import { suppressionSection } from './detail-suppression.ts';
import { keptWhileUnchanged, type Detail, type DetailPage, type DetailPanel } from './detail-panel.ts';
import { FIRST_POLL_MS, fingerprint, keepsPolling, nextDelay } from './detail-refresh.ts';

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

export type { Detail };

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

function reasonInput(label: string): { el: HTMLElement; input: HTMLTextAreaElement } {
  const input = h('textarea', { name: 'reason', rows: 3, required: true, maxlength: 2000 });
  return { el: field(label, input), input };
}

export async function detailView(ctx: ConsoleContext, container: HTMLElement, id: string): Promise<void> {
  render(container, h('h1', {}, `Request ${id}`), message('info', 'Loading…'));
  let detail: Detail;
  try {
    detail = await ctx.api.call<Detail>('GET', requestPath(id), { token: ctx.session.token });
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return ctx.signedOut();
    const text = err instanceof ApiError && err.status === 404 ? `There is no request ${id}.` : (err as Error).message;
    render(container, h('h1', {}, `Request ${id}`), message('error', text), h('p', {}, h('a', { href: '/console/', 'data-nav': true }, 'Back to the queue')));
    return;
  }
  const root = h('article', { class: 'request-detail', 'data-request-id': id });
  render(container, root);
  new RequestPage(ctx, root, detail).draw(undefined, true);
}

const requestPath = (id: string) => `/v1/admin/requests/${encodeURIComponent(id)}`;

/**
 * The panels below the request's own sections, in page order. Each is a function of the page (see
 * detail-panel.ts); a panel of another feature is added here with one line.
 */
const PANELS: DetailPanel[] = [
  agentPanel,
  partnerPanel,
  restrictionPanel,
  (page) => previewSection(page.detail, page.zone),
  rectificationPanel,
  (page) => nothingHeldSection(page.detail.request, page.zone),
  (page) => releaseSection(page.ctx, page.detail, (notice) => void page.reload(notice)),
  // Read again when the request changes (a task ticked elsewhere changes openTodos and updatedAt).
  keptWhileUnchanged(
    (page) => `${page.detail.request.requestId}#${page.detail.request.updatedAt}#${page.detail.request.openTodos ?? 0}`,
    (page) => tasksSection(page.ctx, page.detail.request, page.zone),
  ),
  messagesPanel,
  notesPanel,
  historyPanel,
];

/**
 * One request on screen. Every redraw builds the page anew from the request in full; text typed into a
 * panel's form (`data-draft`) and the focus in it survive a redraw, so a refresh never eats a note.
 */
class RequestPage implements DetailPage {
  readonly zone: string;
  readonly canWrite: boolean;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private delay = FIRST_POLL_MS;

  constructor(
    readonly ctx: ConsoleContext,
    readonly root: HTMLElement,
    public detail: Detail,
  ) {
    this.zone = detail.timeZone;
    this.canWrite = ctx.session.staff.roles.includes('approver');
  }

  private get path(): string {
    return requestPath(this.detail.request.requestId);
  }

  /** Draws the page from `this.detail`; `first` moves focus to the heading, as a page change does. */
  draw(notice?: HTMLElement, first = false, discard?: Element): void {
    const drafts = saveDrafts(this.root, discard);
    this.root.replaceChildren(...this.build(notice));
    restoreDrafts(this.root, drafts);
    this.schedule();
    if (first) {
      const heading = this.root.querySelector<HTMLElement>('h1');
      if (heading) {
        heading.tabIndex = -1;
        heading.focus();
      }
    }
  }

  async submit(route: string, body: unknown, done: string, form?: Element): Promise<boolean> {
    const outcome = this.root.querySelector<HTMLElement>('.outcome');
    outcome?.replaceChildren(message('info', 'Working…'));
    try {
      this.detail = await this.ctx.api.call<Detail>('POST', `${this.path}/${route}`, { token: this.ctx.session.token, body });
      this.delay = FIRST_POLL_MS;
      this.draw(message('success', done), false, form);
      return true;
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) {
        this.ctx.signedOut();
        return false;
      }
      outcome?.replaceChildren(message('error', (err as Error).message));
      return false;
    }
  }

  /** Reads the request again and redraws it with `notice` (after an action: the next reads come soon). */
  async reload(notice?: HTMLElement): Promise<void> {
    this.detail = await this.ctx.api.call<Detail>('GET', this.path, { token: this.ctx.session.token });
    this.delay = FIRST_POLL_MS;
    this.draw(notice);
  }

  /** Plans the next read while the request is worth watching (keepsPolling); one timer at a time. */
  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!keepsPolling(this.detail)) return;
    this.timer = setTimeout(() => void this.poll(), this.delay);
  }

  private async poll(): Promise<void> {
    // The staff member went to another page: this one stops.
    if (!this.root.isConnected) return;
    // Not under an open dialog: the action it confirms acts on what the staff member saw.
    if (document.querySelector('dialog[open]')) {
      this.timer = setTimeout(() => void this.poll(), this.delay);
      return;
    }
    const before = fingerprint(this.detail);
    try {
      const fresh = await this.ctx.api.call<Detail>('GET', this.path, { token: this.ctx.session.token });
      if (!this.root.isConnected) return;
      this.detail = fresh;
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) return this.ctx.signedOut();
      // A failed read waits longer, like one that found nothing new.
      this.delay = nextDelay(this.delay, false);
      this.schedule();
      return;
    }
    const changed = fingerprint(this.detail) !== before;
    this.delay = nextDelay(this.delay, changed);
    if (!changed) {
      this.schedule();
      return;
    }
    // The notice of the last action stays where it was.
    const notice = this.root.querySelector<HTMLElement>('.outcome > *') ?? undefined;
    this.draw(notice);
  }

  private build(notice?: HTMLElement): Node[] {
    const { detail } = this;
    const r = detail.request;
    const outcome = h('div', { 'aria-live': 'polite', class: 'outcome' }, notice ?? null);
    return [
      h('p', {}, h('a', { href: '/console/', 'data-nav': true }, '← Queue')),
      h('h1', {}, `Request ${r.requestId}`),
      h(
        'p',
        { class: 'summary' },
        r.closedAt ? null : openRequestBadge(r),
        ' ',
        h('span', { class: 'status', 'data-status': r.status }, STAFF_STATUS_LABEL[r.status] ?? r.status),
        waitingForSubject(r) ? h('span', { class: 'badge badge-amber waiting-badge' }, 'Waiting for the subject') : null,
      ),
      outcome,
      attentionSection(r, this.zone),
      actionsSection(this, outcome),
      subjectDetailsSection(r),
      suppressionSection(this.detail, this.zone),
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
            ['Received', timeIn(r.receivedAt, this.zone)],
            ['Acknowledge by', r.acknowledgeBy ? timeIn(r.acknowledgeBy, this.zone) : null],
            ['Due', timeIn(r.dueDate, this.zone)],
            ['Latest with extension', timeIn(r.extendedDueDate, this.zone)],
            ['Extended', r.extension ? h('span', {}, `by ${r.extension.by} on `, timeIn(r.extension.at, this.zone), ` from ${r.extension.previousDueDate}: ${r.extension.reason}`) : null],
            ['Clock paused', r.pause ? `since ${r.pause.since} by ${r.pause.by}: ${r.pause.reason}` : null],
            ['Days paused in total', r.pausedDays ? String(r.pausedDays) : null],
            ['Closed', r.closedAt ? timeIn(r.closedAt, this.zone) : null],
            ['Assigned to', r.assignee ?? null],
          ]),
        ),
        r.decision || r.partialAcceptance
          ? h(
              'section',
              { 'aria-labelledby': 'sec-decision' },
              h('h2', { id: 'sec-decision' }, 'Decision'),
              dl([
                ['Outcome', r.decision ? h('span', {}, `${r.decision.outcome} by ${r.decision.by} on `, timeIn(r.decision.at, this.zone)) : null],
                ['Reason', r.decision?.reason ? (DENIAL_REASON_LABEL[r.decision.reason] ?? r.decision.reason) : null],
                ['Note', r.decision?.note],
                ['Accepted as partial', r.partialAcceptance ? `by ${r.partialAcceptance.by}: ${r.partialAcceptance.reason}` : null],
              ]),
            )
          : null,
      ),
      connectorsSection(this, outcome),
      ...PANELS.map((panel) => panel(this)).filter((el): el is HTMLElement => el !== null),
      h(
        'section',
        { 'aria-labelledby': 'sec-audit' },
        h('h2', { id: 'sec-audit' }, 'Audit timeline'),
        h(
          'ol',
          { class: 'timeline' },
          ...detail.audit.map((e) => h('li', { 'data-action': e.action }, timeIn(e.at, this.zone), ' — ', h('span', { class: 'sentence' }, auditSentence(e, detail.connectorNames)))),
        ),
      ),
    ].filter((n): n is HTMLElement => n !== null);
  }
}

/**
 * What staff typed into the page's forms, by `data-draft` name, and where the focus was: in a draft
 * (with the selection), or on an action button (`data-action`, and `data-connector` for a connector's).
 */
interface Drafts {
  values: Map<string, string>;
  focus?: { selector: string; start: number | null; end: number | null };
}

/** A selector that finds the focused control again in the redrawn page, if it is one worth finding. */
function focusSelector(el: HTMLElement): string | undefined {
  if (el.dataset.draft) return `[data-draft="${CSS.escape(el.dataset.draft)}"]`;
  if (el.dataset.action) return `button[data-action="${CSS.escape(el.dataset.action)}"]${el.dataset.connector ? `[data-connector="${CSS.escape(el.dataset.connector)}"]` : ':not([data-connector])'}`;
  return undefined;
}

/** The drafts on the page, except those inside `discard` (the form whose text was just sent). */
function saveDrafts(root: HTMLElement, discard?: Element): Drafts {
  const values = new Map<string, string>();
  for (const el of root.querySelectorAll<HTMLTextAreaElement | HTMLInputElement>('[data-draft]')) {
    if (discard?.contains(el)) continue;
    const checkbox = el instanceof HTMLInputElement && el.type === 'checkbox';
    if (checkbox ? el.checked : el.value) values.set(el.dataset.draft!, checkbox ? 'checked' : el.value);
  }
  const active = document.activeElement;
  if (!(active instanceof HTMLElement) || !root.contains(active) || discard?.contains(active)) return { values };
  const selector = focusSelector(active);
  const text = active instanceof HTMLTextAreaElement ? active : undefined;
  return { values, ...(selector ? { focus: { selector, start: text?.selectionStart ?? null, end: text?.selectionEnd ?? null } } : {}) };
}

function restoreDrafts(root: HTMLElement, drafts: Drafts): void {
  for (const el of root.querySelectorAll<HTMLTextAreaElement | HTMLInputElement>('[data-draft]')) {
    const value = drafts.values.get(el.dataset.draft!);
    if (value === undefined) continue;
    if (el instanceof HTMLInputElement && el.type === 'checkbox') el.checked = true;
    else el.value = value;
  }
  if (!drafts.focus) return;
  const target = root.querySelector<HTMLElement>(drafts.focus.selector);
  target?.focus();
  if (target instanceof HTMLTextAreaElement) target.setSelectionRange(drafts.focus.start, drafts.focus.end);
}

/**
 * The failed step staff must act on: on the queue (awaiting_staff), or on a closed request whose closing
 * mail failed (the failure then carries the closed status itself; one from before a cancel does not).
 */
function pendingAttention(r: StaffRequest): StaffRequest['attention'] {
  return r.attention && (r.status === 'awaiting_staff' || r.attention.status === r.status) ? r.attention : undefined;
}

/** Shown while a workflow step has failed for good (NeedsAttention): which step, and what it said. */
function attentionSection(r: StaffRequest, zone: string): HTMLElement | null {
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
      ['Since', timeIn(a.at, zone)],
    ]),
    h('p', { class: 'hint' }, 'Fix the cause, then retry the step; or cancel the request (the subject is told).'),
  );
}

function connectorsSection(page: RequestPage, outcome: HTMLElement): HTMLElement {
  const { detail } = page;
  // In NeedsAttention the step is retried as a whole (its own button), not a connector.
  const canRetry = offeredActions(detail).includes('retry') && !pendingAttention(detail.request);
  // The erasure column appears for erasure requests, whose connectors report what they did per object.
  const erasure = detail.request.type === 'erasure' || detail.connectors.some((c) => c.erasure?.length);
  const rows = detail.connectors.map((c) => {
    const retry =
      canRetry && c.status === 'failed'
        ? h('button', { type: 'button', 'data-action': 'retry', 'data-connector': c.connectorId }, `Retry ${c.connectorId}`)
        : null;
    retry?.addEventListener('click', () => void act(page, outcome, 'retry', c.connectorId));
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
          'div',
          { class: 'table-scroll' },
          h(
            'table',
            {},
            h('thead', {}, h('tr', {}, ...['Connector', 'Outcome', 'Records', 'Objects', 'Error (vendor message)', ...(erasure ? ['Erased, anonymized or kept'] : []), 'Attempts', ''].map((c) => h('th', { scope: 'col' }, c)))),
            h('tbody', {}, ...rows),
          ),
        )
      : h('p', {}, 'No connector has run yet.'),
  );
}

function actionsSection(page: RequestPage, outcome: HTMLElement): HTMLElement {
  const { ctx, detail } = page;
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
    button.addEventListener('click', () => void act(page, outcome, action));
    return button;
  });
  const readOnly = !roles.includes('approver');
  return h(
    'section',
    { 'aria-labelledby': 'sec-actions', class: 'action-bar' },
    h('h2', { id: 'sec-actions' }, 'Actions'),
    readOnly ? h('p', { class: 'hint' }, 'You have read-only (viewer) access: actions need the approver role.') : null,
    buttons.length
      ? h('div', { class: 'actions' }, ...buttons)
      : detail.request.openTodos
        ? // Answered, but not finished: the work left is in the tasks panel, not "nothing to do".
          h('p', { 'data-tasks-open': detail.request.openTodos }, `The subject has been answered. ${tasksOpenLabel(detail.request.openTodos)}: `, h('a', { href: '#sec-tasks' }, 'tick them off under Follow-up tasks'), '.')
        : h('p', {}, 'No action is possible in this state.'),
  );
}

/** Asks for confirmation and the inputs the action needs; returns the body, or undefined if cancelled. */
async function confirmFor(
  r: StaffRequest,
  action: Action,
  connector?: string,
  me?: string,
  choice?: { corrections: unknown[]; refusals: unknown[] },
): Promise<Record<string, unknown> | undefined> {
  switch (action) {
    case 'approve': {
      if (choice) {
        const ok = await confirmAction({
          title: 'Approve the correction?',
          description: `The workflow writes ${choice.corrections.length} correction${choice.corrections.length === 1 ? '' : 's'}, reads each back, and tells ${r.subject.email} what was corrected${choice.refusals.length ? ` and why ${choice.refusals.length} ${choice.refusals.length === 1 ? 'was' : 'were'} refused` : ''}.`,
          confirmLabel: 'Approve',
        });
        return ok ? {} : undefined;
      }
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
      const reasons = denialReasonsFor(r, Object.keys(DENIAL_REASON_LABEL));
      // One reason left (an agent's request before verification): it is chosen, not left to pick.
      if (reasons.length > 1) reason.append(h('option', { value: '' }, 'Choose a reason'));
      for (const key of reasons) reason.append(h('option', { value: key }, DENIAL_REASON_LABEL[key] ?? key));
      const note = h('textarea', { name: 'note', rows: 3, maxlength: 2000 });
      const early = r.status === 'awaiting_verification';
      const ok = await confirmAction({
        title: 'Deny this request?',
        description: early
          ? "The subject has not confirmed their address yet: an agent's request can be denied now only because the agent's permission is insufficient. The subject receives the reason by email."
          : 'The subject receives the reason by email and sees it on their status page.',
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
      // Taking a request is the common case: one click fills in the signed-in staff member's own address.
      // Only where the staff id is an address the API accepts (a local runtime's `approver@localhost` is not).
      const mine = me && /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(me) ? h('button', { type: 'button' }, 'Assign to me') : null;
      mine?.addEventListener('click', () => {
        assignee.value = me!;
      });
      const ok = await confirmAction({
        title: 'Assign this request?',
        description: 'Deadline reminders for this request go to the assignee instead of the privacy team. Leave the field empty to hand it back to the team.',
        fields: [field('Staff member (email)', assignee), ...(mine ? [mine] : [])],
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

async function act(page: RequestPage, outcome: HTMLElement, action: Action, connector?: string): Promise<void> {
  const { ctx, detail } = page;
  const r = detail.request;
  const token = ctx.session.token;
  const path = requestPath(r.requestId);
  try {
    if (action === 'download') {
      // A navigation cannot carry the bearer token: ask the API for a short-lived link instead.
      const { url } = await ctx.api.call<Answer<'getPackageLink'>>('GET', `${path}/package`, { token });
      window.location.assign(url);
      return;
    }
    // A rectification is approved with the corrections and refusals chosen in its panel.
    const choice = action === 'approve' && r.type === 'rectification' ? rectificationChoice(page.root, detail) : undefined;
    if (choice && 'problem' in choice) {
      outcome.replaceChildren(message('error', choice.problem));
      return;
    }
    const confirmed = await confirmFor(r, action, connector, ctx.session.staff.id, choice);
    if (!confirmed) return;
    const body = choice ? { ...confirmed, rectification: choice } : confirmed;
    outcome.replaceChildren(message('info', 'Working…'));
    await ctx.api.call('POST', `${path}/${action}`, { token, body });
    await page.reload(message('success', `${labelFor(r, action)}: done.`));
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return ctx.signedOut();
    if (err instanceof ApiError && err.unavailable) {
      ctx.unavailable.add(action);
      page.root.querySelector<HTMLButtonElement>(`button[data-action="${action}"]`)?.setAttribute('disabled', '');
      outcome.replaceChildren(message('error', `${ACTION_LABEL[action]} is not available on this API version yet.`));
      return;
    }
    outcome.replaceChildren(message('error', (err as Error).message));
  }
}
