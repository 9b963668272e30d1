/**
 * The emails the subject and staff receive, each as text and HTML. Templates take only what they show:
 * the subject's name appears in the mail to the subject, never in mail to staff (staff open the console).
 * The name is text a requester typed, and these mails come from the company's own address: it is only
 * ever quoted on its own labelled line, never run into a sentence, and never in the code mail.
 */
import type { DsarConfig } from '#commons/config';
import { escapeHtml } from '#commons/html';
import { translator, type Translator } from '../i18n/index.ts';

export interface Email {
  subject: string;
  text: string;
  html: string;
  /**
   * Set on mails an anonymous caller can cause (by filing, asking for a code, or filing and walking
   * away): the mailer counts them per recipient address and drops them past the configured limit.
   * Mails that follow a verified request or a staff action have none and are never dropped.
   */
  volume?: MailVolume;
}

/** `duplicate-notice` is counted as `anonymous` too, and has its own, smaller limit. */
export type MailVolume = 'anonymous' | 'duplicate-notice';

function limited(volume: MailVolume, email: Email): Email {
  return { ...email, volume };
}

interface RequestFacts {
  requestId: string;
  type: string;
  receivedDate: string;
  dueDate: string;
  name?: string;
}

const TYPE_WORDS: Record<string, string> = {
  access: 'access to your personal data',
  erasure: 'erasure of your personal data',
  portability: 'a copy of your personal data to take elsewhere (portability)',
};

/** The greeting, and the name as typed on the request on a labelled, quoted line of its own. */
function greeting(name?: string): string[] {
  return name ? ['Hello,', `Name on the request: "${name}"`] : ['Hello,'];
}

/**
 * Builds both bodies from paragraphs; a paragraph may hold one link. `t` is the reader's language (the
 * signature is written in it); mails to staff take the default.
 */
export function compose(config: DsarConfig, subject: string, paragraphs: Array<string | { text: string; href: string }>, t: Translator = translator(undefined)): Email {
  const dpo = t.t('mail.signature.dpo', { name: config.organisation.dpo.name, email: config.organisation.dpo.email });
  const signature = `${config.organisation.name}\n${dpo}`;
  const text = [...paragraphs.map((p) => (typeof p === 'string' ? p : `${p.text}\n${p.href}`)), signature].join('\n\n');
  const html = [
    `<!doctype html><html lang="${t.tag}"><body style="font-family:system-ui,sans-serif;line-height:1.5;max-width:40em">`,
    ...paragraphs.map((p) =>
      typeof p === 'string'
        ? `<p>${escapeHtml(p).replaceAll('\n', '<br>')}</p>`
        : `<p>${escapeHtml(p.text)}<br><a href="${escapeHtml(p.href)}">${escapeHtml(p.href)}</a></p>`,
    ),
    `<p style="color:#555">${escapeHtml(signature).replaceAll('\n', '<br>')}</p>`,
    '</body></html>',
  ].join('\n');
  return { subject, text, html };
}

function complaintRight(config: DsarConfig): string {
  const a = config.supervisoryAuthority;
  return `You have the right to lodge a complaint with the supervisory authority, ${a.name} (${a.address}, ${a.url}), and to seek a judicial remedy.`;
}

export function acknowledgement(config: DsarConfig, r: RequestFacts, statusUrl: string): Email {
  return limited('anonymous', compose(config, `We received your request (${r.requestId})`, [
    ...greeting(r.name),
    `We received your request for ${TYPE_WORDS[r.type] ?? r.type} on ${r.receivedDate}. Its reference is ${r.requestId}.`,
    `We will answer by ${r.dueDate}. First we need to confirm that this address belongs to you: we are sending you a separate email with a 6-digit code.`,
    { text: 'You can follow your request here:', href: statusUrl },
    'If you did not make this request, you can ignore this email: nothing happens until the code is entered.',
  ]));
}

export function verificationCode(config: DsarConfig, r: Pick<RequestFacts, 'requestId'>, code: string, ttlMinutes: number): Email {
  // No name here: whatever a requester typed must not stand next to a code in a mail from us. No code in
  // the subject either: subjects show in lock-screen previews and in SES bounce and complaint events.
  return limited('anonymous', compose(config, 'Your verification code', [
    'Hello,',
    `Your code for request ${r.requestId} is: ${code}`,
    `It is valid for ${ttlMinutes} minutes. Enter it where you made the request. Never share it with anyone: we will never ask you for it by phone.`,
  ]));
}

export function duplicateRequest(config: DsarConfig, r: RequestFacts, statusUrl: string): Email {
  return limited('duplicate-notice', compose(config, `You already have an open request (${r.requestId})`, [
    ...greeting(r.name),
    `We received a new request for ${TYPE_WORDS[r.type] ?? r.type}, but a request of the same kind for this address is already open (${r.requestId}, due ${r.dueDate}). We will answer that one; there is nothing more to do.`,
    { text: 'You can follow it here:', href: statusUrl },
  ]));
}

export function denial(config: DsarConfig, r: RequestFacts, reason: string, note?: string): Email {
  return compose(config, `Your request ${r.requestId} was declined`, [
    ...greeting(r.name),
    `We have declined your request for ${TYPE_WORDS[r.type] ?? r.type} (${r.requestId}).`,
    `Reason: ${reason}${note ? `\n${note}` : ''}`,
    complaintRight(config),
  ]);
}

export function unverifiedClosed(config: DsarConfig, r: RequestFacts): Email {
  return limited('anonymous', compose(config, `Your request ${r.requestId} was closed`, [
    ...greeting(r.name),
    `We closed your request (${r.requestId}) because the email address was not confirmed in time, so we could not be sure the request came from you. No data was disclosed or changed.`,
    'You are welcome to make a new request at any time.',
  ]));
}

export function cancelled(config: DsarConfig, r: RequestFacts, reason: string): Email {
  return compose(config, `Your request ${r.requestId} was cancelled`, [
    ...greeting(r.name),
    `Your request (${r.requestId}) was cancelled. Reason: ${reason}`,
    complaintRight(config),
  ]);
}

export function completion(config: DsarConfig, r: RequestFacts, downloadUrl: string, expiresAt: string, partial?: string[]): Email {
  return compose(config, `Your data is ready (${r.requestId})`, [
    ...greeting(r.name),
    `We have finished your request for ${TYPE_WORDS[r.type] ?? r.type} (${r.requestId}).`,
    { text: `Download your data (the link works until ${expiresAt.slice(0, 10)}; it is for you only, do not forward it):`, href: downloadUrl },
    ...(partial?.length
      ? [`Data from these systems could not be included: ${partial.join(', ')}. The report in the package explains why.`]
      : []),
    complaintRight(config),
  ]);
}

export function staffAttention(config: DsarConfig, requestId: string, what: string, consoleUrl: string): Email {
  return compose(config, `[DSAR] ${requestId}: ${what}`, [
    `Request ${requestId} needs a decision: ${what}.`,
    { text: 'Open it in the console:', href: consoleUrl },
  ]);
}

/** The notice of an extension: the law requires the reasons and the new date inside the first period. */
export function extensionNotice(config: DsarConfig, r: RequestFacts, reason: string, previousDueDate: string, statute: string): Email {
  return compose(config, `We need more time for your request ${r.requestId}`, [
    ...greeting(r.name),
    `We are extending the time to answer your request for ${TYPE_WORDS[r.type] ?? r.type} (${r.requestId}), received on ${r.receivedDate}.`,
    `Reason: ${reason}`,
    `We will answer by ${r.dueDate} instead of ${previousDueDate}, as ${statute} allows.`,
    complaintRight(config),
  ]);
}

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
export function escalationDigest(config: DsarConfig, lines: EscalationLine[]): Email {
  const overdue = lines.filter((l) => l.what === 'overdue').length;
  const subject = overdue
    ? `[DSAR] ${overdue} overdue, ${lines.length} request${lines.length === 1 ? '' : 's'} need attention`
    : `[DSAR] ${lines.length} request${lines.length === 1 ? '' : 's'} near a deadline`;
  return compose(config, subject, [
    'These requests have crossed a deadline threshold since the last reminder:',
    ...lines.map((l) => ({ text: escalationSentence(l), href: l.consoleUrl })),
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

export interface ErasureReportFacts {
  systems: Array<{
    displayName: string;
    items: Array<{ object: string; action: string; count: number; legalBasis?: string; retentionPeriod?: string; completion?: { vendor: string; withinDays: number } }>;
    confirmed: boolean | 'not_verifiable';
  }>;
  recipientsNotified: Array<{ name: string; how: string; at: string }>;
  notErased: Array<{ displayName: string; reason: string }>;
  /** Configured recipients the erasure did not tell itself (absent on reports stored before it existed). */
  recipientsNotTold?: Array<{ name: string; reason: 'staff' | 'nothing_erased' }>;
}

/** Lines of the erasure report, shared by the email and the status page's text. */
export function erasureReportLines(report: ErasureReportFacts): string[] {
  const lines: string[] = [];
  const sum = (action: string) => report.systems.flatMap((s) => s.items).filter((i) => i.action === action).reduce((n, i) => n + i.count, 0);
  if (sum('deleted') + sum('anonymized') + sum('retained') === 0 && !report.notErased.length) {
    lines.push('We found no personal data about you in any of our systems, so there was nothing to erase.');
  }
  for (const system of report.systems) {
    const done = system.items.filter((i) => i.action !== 'not_found' && i.count > 0);
    if (!done.length) continue;
    lines.push(`${system.displayName}:`);
    for (const i of done) {
      const what = `${i.count} ${i.object} record${i.count === 1 ? '' : 's'}`;
      if (i.action === 'retained') lines.push(`  - ${what} kept: ${i.legalBasis ?? 'legal obligation'}. How long: ${i.retentionPeriod ?? 'until the end of the retention period'}.`);
      // A deletion the vendor finishes later is not called done: the subject is told when it will be.
      else if (i.completion) lines.push(`  - ${what}: deletion submitted; ${i.completion.vendor} completes it within ${i.completion.withinDays} days.`);
      else lines.push(`  - ${what} ${i.action}.`);
    }
    if (system.confirmed === 'not_verifiable') lines.push('  (This system accepts deletion requests but cannot be read back to confirm them.)');
    else if (system.confirmed === false) lines.push('  (We could not confirm this by reading the system back.)');
  }
  // Said plainly, with the reason staff gave on record: the subject must not read a partial erasure as a full one.
  if (report.notErased.length) {
    lines.push('We could not erase your data, or could not confirm that it was erased, in these systems:');
    for (const n of report.notErased) lines.push(`  - ${n.displayName}: your data may still be there. Why: ${n.reason}`);
  }
  if (report.recipientsNotified.length) {
    lines.push('We told these recipients of your data about the erasure:');
    for (const r of report.recipientsNotified) lines.push(`  - ${r.name}, on ${r.at.slice(0, 10)}`);
  }
  // Art. 19: every recipient in our privacy notice is accounted for, including those we cannot reach automatically.
  const byStaff = (report.recipientsNotTold ?? []).filter((r) => r.reason === 'staff');
  if (byStaff.length) {
    lines.push('Our staff will tell these recipients of your data about the erasure:');
    for (const r of byStaff) lines.push(`  - ${r.name}, to be told by our staff`);
  }
  const nothing = (report.recipientsNotTold ?? []).filter((r) => r.reason === 'nothing_erased');
  if (nothing.length) {
    lines.push('These recipients had nothing to be told, because nothing of yours was erased in their systems:');
    for (const r of nothing) lines.push(`  - ${r.name}`);
  }
  return lines;
}

export function erasureReport(config: DsarConfig, r: RequestFacts, report: ErasureReportFacts, statusUrl?: string): Email {
  return compose(config, `Your data was erased (${r.requestId})`, [
    ...greeting(r.name),
    `We have finished your request for erasure (${r.requestId}). This is what we did:`,
    erasureReportLines(report).join('\n'),
    ...(statusUrl ? [{ text: 'The same report is on your request page:', href: statusUrl }] : []),
    complaintRight(config),
  ]);
}

export function recipientErasureNotice(config: DsarConfig, requestId: string, subjectEmail: string, completedAt: string): Email {
  return compose(config, `Erasure notice under GDPR Art. 19 (${requestId})`, [
    `Under Article 19 GDPR we inform you that on ${completedAt.slice(0, 10)} we erased the personal data of the data subject identified by ${subjectEmail} at their request (${requestId}).`,
    'Please erase any copy of their personal data you received from us, unless you must keep it by law, and tell us if you cannot.',
  ]);
}
