/**
 * The mails staff receive, in English: a request that needs them, the escalation and recheck digests,
 * and the Art. 19 notice to a recipient. The subject's name never appears in them (staff open the
 * console); they carry no message catalogue (./templates.ts has the subject's mails).
 */
import type { DsarConfig } from '#commons/config';
import { compose, type Email } from './compose.ts';
import type { RectifiableField } from '#connectors/types';

export function staffAttention(config: DsarConfig, requestId: string, what: string, consoleUrl: string): Email {
  return compose(config, `[DSAR] ${requestId}: ${what}`, [
    `Request ${requestId} needs a decision: ${what}.`,
    { text: 'Open it in the console:', href: consoleUrl },
  ]);
}

/**
 * The notice of an extension: the law requires the reasons and the new date inside the first period.
 * `reason` is what staff wrote, as they wrote it; `statute` is the law's citation.
 */
export interface EscalationLine {
  requestId: string;
  type: string;
  jurisdiction: string;
  status: string;
  /** The date the line is about: the due date, or the acknowledgement date. */
  date: string;
  daysLeft: number;
  what: 'due' | 'overdue' | 'acknowledgement';
  consoleUrl: string;
}

export function escalationSentence(l: EscalationLine): string {
  const days = Math.abs(l.daysLeft) === 1 ? '1 day' : `${Math.abs(l.daysLeft)} days`;
  const when = l.daysLeft < 0 ? `${days} overdue` : l.daysLeft === 0 ? 'today' : `in ${days}`;
  const head = `${l.requestId} (${l.type}, ${l.jurisdiction}, ${l.status})`;
  if (l.what === 'acknowledgement') return `${head}: receipt not yet acknowledged; acknowledgement due ${when}, on ${l.date}.`;
  if (l.what === 'overdue') return `${head}: OVERDUE, due ${l.date} (${when}).`;
  return `${head}: due ${when}, on ${l.date}.`;
}

/** One digest per recipient per run; staff mail names requests, never subjects (staff open the console). */
/** A follow-up task (../todos) due soon or overdue, for its owner's digest. */
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

/** One digest per recipient and run: the requests near a deadline (if any), then their follow-up tasks (if any). */
export function escalationDigest(config: DsarConfig, lines: EscalationLine[], tasks: TaskReminderLine[] = []): Email {
  const overdue = lines.filter((l) => l.what === 'overdue').length;
  const requestWords = overdue
    ? `${overdue} overdue, ${lines.length} request${lines.length === 1 ? '' : 's'} need attention`
    : `${lines.length} request${lines.length === 1 ? '' : 's'} near a deadline`;
  const overdueTasks = tasks.filter((t) => t.daysLeft < 0).length;
  const taskWords = `${tasks.length} follow-up task${tasks.length === 1 ? '' : 's'}${overdueTasks ? ` (${overdueTasks} overdue)` : ''}`;
  const subject = !tasks.length ? `[DSAR] ${requestWords}` : lines.length ? `[DSAR] ${requestWords}; ${taskWords}` : `[DSAR] ${taskWords} due`;
  return compose(config, subject, [
    ...(lines.length
      ? ['These requests have crossed a deadline threshold since the last reminder:', ...lines.map((l) => ({ text: escalationSentence(l), href: l.consoleUrl }))]
      : []),
    ...(tasks.length
      ? [
          'These follow-up tasks are yours and due soon or overdue; tick them off (or close them with a reason) on the request:',
          ...tasks.map((t) => ({ text: taskReminderSentence(t), href: t.consoleUrl })),
        ]
      : []),
  ]);
}

/** One vendor deletion a later read-back could not confirm: ids, the system and counts, never the subject's data. */
export interface RecheckLine {
  requestId: string;
  system: string;
  windows: Array<{ object: string; vendor: string; withinDays: number }>;
  /** Records still found, per object. */
  residual?: Record<string, number>;
  /** Why it could not be read back. */
  reason?: string;
  consoleUrl: string;
}

/** To staff: deletions a vendor was to complete within its window that a read-back after it did not confirm. */
export function erasureRecheckDigest(config: DsarConfig, lines: RecheckLine[]): Email {
  const sentence = (l: RecheckLine) => {
    const windows = l.windows.map((w) => `${w.object} (${w.vendor}, within ${w.withinDays} days)`).join(', ');
    const what = l.residual
      ? `${Object.entries(l.residual).map(([object, n]) => `${n} ${object}`).join(', ')} still found`
      : `the read-back did not run: ${l.reason ?? 'unknown'}`;
    return `${l.requestId}, ${l.system}: deletion submitted for ${windows}; after the window, ${what}. Retry the erasure or follow up with the vendor.`;
  };
  return compose(config, `[DSAR] ${lines.length} vendor deletion${lines.length === 1 ? '' : 's'} not confirmed after the vendor's window`, [
    'A read-back after the vendor\'s documented completion window did not confirm these erasures:',
    ...lines.map((l) => ({ text: sentence(l), href: l.consoleUrl })),
  ]);
}

export function recipientErasureNotice(config: DsarConfig, requestId: string, subjectEmail: string, completedAt: string): Email {
  return compose(config, `Erasure notice under GDPR Art. 19 (${requestId})`, [
    `Under Article 19 GDPR we inform you that on ${completedAt.slice(0, 10)} we erased the personal data of the data subject identified by ${subjectEmail} at their request (${requestId}).`,
    'Please erase any copy of their personal data you received from us, unless you must keep it by law, and tell us if you cannot.',
  ]);
}

export function recipientRestrictionNotice(config: DsarConfig, requestId: string, subjectEmail: string, at: string): Email {
  return compose(config, `Restriction of processing under GDPR Art. 19 (${requestId})`, [
    `Under Article 19 GDPR we inform you that on ${at.slice(0, 10)} we restricted the processing of the personal data of the data subject identified by ${subjectEmail} at their request (${requestId}, GDPR Art. 18).`,
    'Please restrict the processing of any of their personal data you received from us in the same way: store it, but do not otherwise use it until we tell you the restriction is lifted. Tell us if you cannot.',
  ]);
}

/** A field of the subject in a recipient's words (staff-facing English: recipients are companies). */
const RECTIFIED_FIELD_WORDS: Record<RectifiableField, string> = { name: 'name', email: 'email address', phone: 'phone number', address: 'postal address' };

/** Which fields were corrected, never their values: the recipient corrects its copy from its own source or asks us. */
export function recipientRectificationNotice(config: DsarConfig, requestId: string, subjectEmail: string, fields: readonly RectifiableField[], at: string): Email {
  const words = fields.map((f) => RECTIFIED_FIELD_WORDS[f]).join(', ');
  return compose(config, `Rectification notice under GDPR Art. 19 (${requestId})`, [
    `Under Article 19 GDPR we inform you that on ${at.slice(0, 10)} we corrected the personal data of the data subject identified by ${subjectEmail} at their request (${requestId}, GDPR Art. 16). Corrected: ${words || 'their personal data'}.`,
    'Please correct the same data in any copy you received from us, and tell us if you cannot. Reply to this email if you need the corrected values.',
  ]);
}

export function recipientRestrictionLiftedNotice(config: DsarConfig, requestId: string, subjectEmail: string, at: string): Email {
  return compose(config, `Restriction of processing lifted, GDPR Art. 19 (${requestId})`, [
    `Under Article 19 GDPR we inform you that on ${at.slice(0, 10)} we lifted the restriction of processing we told you about for the data subject identified by ${subjectEmail} (${requestId}).`,
    'You may again process the personal data you received from us as our agreement with you provides.',
  ]);
}
