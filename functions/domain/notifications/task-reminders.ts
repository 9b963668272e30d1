/**
 * The escalation digest when it also reminds of follow-up tasks (../todos): the request lines as the
 * plain digest writes them, then one line per task due or overdue. Staff mail: ids, task titles and
 * dates, never the subject.
 */
import type { DsarConfig } from '#commons/config';
import { compose, type Email } from './compose.ts';
import { escalationDigest, escalationSentence, type EscalationLine } from './staff-mails.ts';

export interface TaskReminderLine {
  requestId: string;
  n: number;
  title: string;
  dueDate: string;
  /** Whole days from today (the organisation's zone) to the due date; negative when overdue. */
  daysLeft: number;
  consoleUrl: string;
}

export function taskReminderSentence(l: TaskReminderLine): string {
  const days = Math.abs(l.daysLeft) === 1 ? '1 day' : `${Math.abs(l.daysLeft)} days`;
  const when = l.daysLeft < 0 ? `OVERDUE, due ${l.dueDate} (${days} overdue)` : l.daysLeft === 0 ? `due today, ${l.dueDate}` : `due in ${days}, on ${l.dueDate}`;
  return `${l.requestId}, task ${l.n}: ${l.title}: ${when}.`;
}

/** One digest per recipient and run: the requests near a deadline (if any), then the tasks. */
export function escalationDigestWithTasks(config: DsarConfig, lines: EscalationLine[], tasks: TaskReminderLine[]): Email {
  if (tasks.length === 0) return escalationDigest(config, lines);
  const overdueTasks = tasks.filter((t) => t.daysLeft < 0).length;
  const taskWords = `${tasks.length} follow-up task${tasks.length === 1 ? '' : 's'}${overdueTasks ? ` (${overdueTasks} overdue)` : ''}`;
  const subject = lines.length ? `${escalationDigest(config, lines).subject}; ${taskWords}` : `[DSAR] ${taskWords} due`;
  return compose(config, subject, [
    ...(lines.length
      ? ['These requests have crossed a deadline threshold since the last reminder:', ...lines.map((l) => ({ text: escalationSentence(l), href: l.consoleUrl }))]
      : []),
    'These follow-up tasks are yours and due soon or overdue; tick them off (or close them with a reason) on the request:',
    ...tasks.map((t) => ({ text: taskReminderSentence(t), href: t.consoleUrl })),
  ]);
}
