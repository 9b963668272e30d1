/**
 * The request's follow-up tasks on the detail page (docs/console.md, "Follow-up tasks"): Art. 19
 * recipients our staff must tell, partial answers to finish, withheld records to review. Each open task
 * has a checkbox: ticking it asks for an optional note and marks it done; "Close without doing" asks for
 * the reason; "Reassign" hands it to another staff member. Viewers see the list without controls. The
 * panel loads its own list (GET .../tasks) and redraws from what each action answers.
 */
import { ApiError, type Answer, type Schemas } from '../../shared/api.ts';
import { field, h, message } from '../../shared/dom.ts';
import { timeIn } from '../time.ts';
import type { ConsoleContext } from '../context.ts';
import { confirmAction } from '../dialog.ts';

type Task = Schemas['Task'];
type Tasks = Answer<'listTasks'>;
/** The request the panel works on, and the company's zone its times are shown in. */
type Request = Pick<Schemas['StaffRequest'], 'requestId'> & { zone: string };

const KIND_LABEL: Record<string, string> = {
  'art19-recipient': 'Art. 19 recipient',
  'partial-answer': 'Partial answer',
  'withheld-review': 'Withheld records',
  'optout-third-party': 'Opt-out third party',
};

/** The words for open follow-up tasks beside a request's status ("" when none): for the queue and the detail. */
export function tasksOpenLabel(openTodos: number | undefined): string {
  if (!openTodos) return '';
  return `${openTodos} follow-up task${openTodos === 1 ? '' : 's'} open`;
}

/** Open, or who did or closed the task, when (in the company's zone, UTC on hover) and their note. */
function statusText(t: Task, zone: string): Array<Node | string> {
  if (t.status === 'open' || !t.resolution) return [t.status === 'done' ? 'Done' : t.status === 'closed' ? 'Closed without doing' : 'Open'];
  const note = t.resolution.note ? `: ${t.resolution.note}` : '';
  return [`${t.status === 'done' ? 'Done' : 'Closed without doing'} by ${t.resolution.by} on `, timeIn(t.resolution.at, zone), note];
}

/**
 * The "Follow-up tasks" section: empty until the list arrives, and left out of the page when the request
 * has none (most requests).
 */
export function tasksSection(ctx: ConsoleContext, request: Pick<Schemas['StaffRequest'], 'requestId'>, zone: string): HTMLElement {
  const section = h('section', { 'aria-labelledby': 'sec-tasks', class: 'tasks', hidden: true });
  void load(ctx, section, { requestId: request.requestId, zone });
  return section;
}

async function load(ctx: ConsoleContext, section: HTMLElement, request: Request): Promise<void> {
  try {
    const tasks = await ctx.api.call<Tasks>('GET', base(request), { token: ctx.session.token });
    draw(ctx, section, request, tasks.items);
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return ctx.signedOut();
    // An API without tasks (an older deployment) shows nothing rather than an error.
    if (err instanceof ApiError && err.unavailable) return;
    section.hidden = false;
    section.replaceChildren(h('h2', { id: 'sec-tasks' }, 'Follow-up tasks'), message('error', (err as Error).message));
  }
}

const base = (r: Request) => `/v1/admin/requests/${encodeURIComponent(r.requestId)}/tasks`;

function draw(ctx: ConsoleContext, section: HTMLElement, request: Request, tasks: Task[], notice?: HTMLElement): void {
  if (tasks.length === 0) {
    section.hidden = true;
    section.replaceChildren();
    return;
  }
  const canAct = ctx.session.staff.roles.includes('approver');
  const open = tasks.filter((t) => t.status === 'open').length;
  const outcome = h('div', { 'aria-live': 'polite', class: 'outcome' }, notice ?? null);
  const rows = tasks.map((t) => {
    const isOpen = t.status === 'open';
    const box = h('input', {
      type: 'checkbox',
      id: `task-${t.n}`,
      'data-task': t.n,
      checked: !isOpen,
      disabled: !isOpen || !canAct,
      'aria-describedby': `task-${t.n}-status`,
    });
    box.addEventListener('change', () => void act(ctx, section, request, tasks, t, 'done', box));
    const controls =
      isOpen && canAct
        ? [
            h('button', { type: 'button', 'data-task-action': 'close', 'data-task': t.n, onclick: () => void act(ctx, section, request, tasks, t, 'close') }, 'Close without doing…'),
            h('button', { type: 'button', 'data-task-action': 'assign', 'data-task': t.n, onclick: () => void act(ctx, section, request, tasks, t, 'assign') }, 'Reassign…'),
          ]
        : [];
    return h(
      'tr',
      { 'data-task': t.n, 'data-task-status': t.status, 'data-kind': t.kind },
      h('td', {}, box),
      h('th', { scope: 'row' }, h('label', { for: box.id }, t.title)),
      h('td', {}, KIND_LABEL[t.kind] ?? t.kind),
      h('td', {}, t.owner ?? 'DPO'),
      h('td', {}, timeIn(t.dueDate, request.zone)),
      h('td', { id: `task-${t.n}-status`, class: 'task-status' }, ...statusText(t, request.zone)),
      h('td', {}, h('div', { class: 'actions' }, ...controls)),
    );
  });
  section.hidden = false;
  section.replaceChildren(
    h('h2', { id: 'sec-tasks' }, 'Follow-up tasks'),
    h(
      'p',
      { class: 'hint', 'data-tasks-open': open },
      open
        ? `${tasksOpenLabel(open)}: the subject has been answered, but the request is finished only when every task is done or closed with a reason.`
        : 'Every follow-up task is done or closed: the request is finished.',
    ),
    outcome,
    h(
      'div',
      { class: 'table-scroll' },
      h(
        'table',
        {},
        h('thead', {}, h('tr', {}, ...['Done', 'Task', 'Kind', 'Owner', 'Due', 'Status', ''].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, ...rows),
      ),
    ),
  );
}

async function act(
  ctx: ConsoleContext,
  section: HTMLElement,
  request: Request,
  tasks: Task[],
  task: Task,
  action: 'done' | 'close' | 'assign',
  box?: HTMLInputElement,
): Promise<void> {
  const body = await ask(task, action);
  if (!body) {
    if (box) box.checked = false;
    return;
  }
  try {
    const after = await ctx.api.call<Tasks>('POST', `${base(request)}/${task.n}/${action}`, { token: ctx.session.token, body });
    const words = { done: 'ticked off', close: 'closed', assign: 'reassigned' }[action];
    draw(ctx, section, request, after.items, message('success', `Task ${task.n} ${words}.`));
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return ctx.signedOut();
    if (box) box.checked = false;
    // Someone else may have finished it meanwhile (409): show the list as it is now, with the reason.
    const fresh = await ctx.api.call<Tasks>('GET', base(request), { token: ctx.session.token }).catch(() => ({ items: tasks }));
    draw(ctx, section, request, fresh.items, message('error', (err as Error).message));
  }
}

async function ask(task: Task, action: 'done' | 'close' | 'assign'): Promise<Record<string, unknown> | undefined> {
  if (action === 'done') {
    const note = h('textarea', { name: 'note', rows: 3, maxlength: 2000 });
    const ok = await confirmAction({
      title: `Tick off: ${task.title}?`,
      description: 'The task is marked done with your name and the time.',
      fields: [field('Note (optional)', note, 'How it was done, e.g. who was told and by which channel.')],
      confirmLabel: 'Mark done',
    });
    return ok ? (note.value.trim() ? { note: note.value.trim() } : {}) : undefined;
  }
  if (action === 'close') {
    const reason = h('textarea', { name: 'reason', rows: 3, required: true, maxlength: 2000 });
    const ok = await confirmAction({
      title: `Close without doing: ${task.title}?`,
      description: 'The task is closed without being done. The reason is kept in the audit trail.',
      fields: [field('Reason (kept in the audit trail)', reason)],
      confirmLabel: 'Close task',
      validate: () => (reason.value.trim() ? undefined : 'A reason is required.'),
    });
    return ok ? { reason: reason.value.trim() } : undefined;
  }
  const owner = h('input', { name: 'owner', type: 'email', value: task.owner ?? '', autocomplete: 'email' });
  const ok = await confirmAction({
    title: `Reassign: ${task.title}?`,
    description: 'Reminders for this task go to its owner. Leave the field empty to leave it to the DPO.',
    fields: [field('Staff member (email)', owner)],
    confirmLabel: 'Reassign',
    validate: () => (owner.value && !owner.checkValidity() ? 'Enter an email address, or leave it empty.' : undefined),
  });
  return ok ? { owner: owner.value.trim() || null } : undefined;
}
