/**
 * The audit trail in sentences: one line per event kind, saying who did what ("Staff anna@example.com
 * approved the request", "HubSpot: 12 records collected"), from the event's detail. Every kind the
 * server writes has a line here (test/console/audit-sentences.test.ts lists them from the code, so a
 * new kind without one fails); an unknown kind (a newer server) still reads as a sentence, with its
 * detail as plain "key: value" text.
 */
import { DENIAL_REASON_LABEL, SHORT_TYPE } from '../shared/labels.ts';

export interface AuditEntry {
  at: string;
  actor: string;
  action: string;
  detail?: Record<string, unknown>;
}

/** How events name systems: the configuration's display names, by connector id. */
export type ConnectorNames = Record<string, string>;

type Detail = Record<string, unknown>;
type Sentence = (who: string, d: Detail, names: ConnectorNames, actor: string) => string;

/** Who did it, as the start of a sentence. */
export function who(actor: string): string {
  if (actor === 'subject') return 'The subject';
  if (actor === 'agent') return 'The subject’s agent';
  if (actor === 'system') return 'The workflow';
  return `Staff ${actor}`;
}

const str = (v: unknown): string => (v === undefined || v === null ? '' : typeof v === 'object' ? flat(v) : String(v));
const list = (v: unknown): string => (Array.isArray(v) ? v.map(str).join(', ') : str(v));
const count = (n: unknown, one: string, many: string): string => `${Number(n ?? 0).toLocaleString('en-GB')} ${Number(n) === 1 ? one : many}`;
const name = (names: ConnectorNames, id: unknown): string => names[String(id)] ?? String(id);
const reason = (d: Detail): string => (d.reason ? `: ${str(d.reason)}` : '');

/** A value with no sentence of its own, as readable text (never raw JSON). */
function flat(v: unknown): string {
  if (Array.isArray(v)) return v.map(flat).join(', ');
  if (v && typeof v === 'object') return Object.entries(v as Detail).map(([k, x]) => `${k} ${flat(x)}`).join(', ');
  return String(v);
}

function bytes(n: unknown): string {
  const b = Number(n);
  if (!Number.isFinite(b)) return '';
  return b >= 1_048_576 ? `${(b / 1_048_576).toFixed(1)} MB` : b >= 1024 ? `${Math.round(b / 1024)} KB` : `${b} bytes`;
}

/** "an access", "a marketing opt-out": the article the word's first sound takes (vowel letters suffice here). */
function article(word: string): string {
  return `${/^[aeiou]/.test(word) ? 'an' : 'a'} ${word}`;
}

/** `contact:deleted:1` (reconcile's erasure summary) as "contact deleted 1". */
const erasureItems = (v: unknown): string => (Array.isArray(v) ? v.map((i) => String(i).split(':').join(' ')).join(', ') : '');

const CLOSED_AS: Record<string, string> = {
  completed: 'completed the request and told the subject',
  completed_partial: 'completed the request in part and told the subject what is missing',
  denied: 'closed the request as denied and told the subject',
  cancelled: 'closed the request as cancelled and told the subject',
  unverified_closed: 'closed the request: the address was not confirmed in time',
  duplicate: 'closed the request as a duplicate',
  forwarded: 'sent the request to the resale partner (the controller), told the subject who answers it, and closed it as forwarded',
};

/** What one system did in a restriction's pass: marked, lifted, or left to staff (no way to mark it). */
function restrictionLine(d: Record<string, unknown>): string {
  const lifting = d.restriction === 'lift';
  const marked = Array.isArray(d.restricted) ? d.restricted.map(str).join(', ') : '';
  const byHand = Number(d.byHand ?? 0);
  const hand = byHand > 0 ? `${count(byHand, 'record', 'records')} for staff to ${lifting ? 'free' : 'restrict'} by hand` : '';
  if (d.applies === false) return hand || 'holds nothing of the subject, nothing to mark';
  return [`${lifting ? 'restriction lifted' : 'restriction confirmed'} (${marked || 'nothing held'})`, hand].filter(Boolean).join('; ');
}

/** What a request did, as the Art. 19 sentence names it (the action keys of functions/domain/art19/recipients.ts). */
const ART19_WORDS: Record<string, string> = { erasure: 'erasure', rectification: 'correction', restriction: 'restriction', restriction_lifted: 'lifting of the restriction' };

export const SENTENCES: Record<string, Sentence> = {
  'request.filed': (w, d) => `${w} filed ${SHORT_TYPE[str(d.type)] ? article(SHORT_TYPE[str(d.type)]!.toLowerCase()) : 'a'} request (${str(d.jurisdiction)}, ${str(d.country)})`,
  'agent.acknowledged': (w) => `${w} told the subject an agent filed for them, and sent the agent a status-only link`,
  'agent.permission_opened': (w) => `${w} opened the agent’s signed permission`,
  'agent.permission_deleted': (w, d) => `${w} deleted the agent’s signed permission for the subject’s erasure ${str(d.erasureRequestId)} (its size and hash stay on record)`,
  'verification.power_of_attorney_accepted': (w) => `${w} accepted the agent’s power of attorney in place of the subject’s own verification`,
  'request.duplicate': (w, d) => `${w} found an open request of the same kind for this address: ${str(d.of)}`,
  'request.acknowledged': (w, d) => (d.duplicateOf ? `${w} told the subject that ${str(d.duplicateOf)} answers this request` : `${w} sent the acknowledgement (due ${str(d.dueDate)})`),
  'request.assigned': (w, d) => `${w} assigned the request to ${str(d.assignee)}`,
  'request.unassigned': (w) => `${w} handed the request back to the team`,
  'request.cancelled': (w, d) => `${w} cancelled the request${reason(d)}`,
  'verification.code_sent': (w, d) => `${w} sent a verification code${d.expiresInMinutes ? ` (valid ${str(d.expiresInMinutes)} minutes)` : ''}`,
  'verification.code_requested': (w) => `${w} asked for another code`,
  'verification.waived': (w, d) => `${w} went ahead without the code: ${d.reason === 'law' ? `the law does not allow asking for it (${str(d.law)})` : `waived by configuration (${str(d.setting)})`}`,
  'verification.failed': (w, d) => `${w} entered a wrong code${d.attempts ? ` (attempt ${str(d.attempts)})` : ''}`,
  'verification.succeeded': (w) => `${w} confirmed their email address`,
  'review.requested': (w) => `${w} asked staff to review the request`,
  'partner.matched': (w, d) => `${w} recognised the subject as an end user of resale partner ${str(d.partnerId)} (by ${d.by === 'email_domain' ? 'email domain' : 'account attribute'}): staff review it`,
  'partner.forwarded': (w, d) => `${w} forwarded the request to resale partner ${str(d.partnerId)}, the controller`,
  'partner.overridden': (w, d) => `${w} found the subject is not resale partner ${str(d.partnerId)}'s customer${reason(d)}`,
  'partner.instruction_recorded': (w, d) =>
    `${w} recorded resale partner ${str(d.partnerId)}'s instruction to answer (reference ${str(d.reference)})${d.note ? `: ${str(d.note)}` : ''}${d.reopened ? ', and reopened the forwarded request for review' : ''}`,
  'review.approved': (w, d) => (d.policy === 'auto' ? `${w} approved the request automatically (the configuration needs no review)` : `${w} approved the request`),
  'review.denied': (w, d) => `${w} denied the request: ${DENIAL_REASON_LABEL[str(d.reason)] ?? str(d.reason)}${d.note ? ` (${str(d.note)})` : ''}`,
  'connectors.planned': (w, d, n) => `${w} planned ${count((d.connectors as unknown[] | undefined)?.length, 'system', 'systems')}: ${Array.isArray(d.connectors) ? d.connectors.map((c) => name(n, c)).join(', ') : ''}`,
  'connector.succeeded': (_w, d, n) =>
    d.restriction !== undefined
      ? `${name(n, d.connectorId)}: ${restrictionLine(d)}`
      : d.suppression !== undefined
      ? `${name(n, d.connectorId)}: ${d.suppression === 'not_applicable' ? 'does not market, nothing to change' : `marketing opt-out confirmed (${list(d.suppression) || 'nothing held'})`}`
      : d.rectification !== undefined
        ? `${name(n, d.connectorId)}: ${d.rectification === 'not_applicable' ? 'nothing to correct' : `correction read back (${list(d.rectification) || 'nothing chosen'})`}`
      : d.erasure ? `${name(n, d.connectorId)}: ${erasureItems(d.erasure) || 'nothing to erase'}` : `${name(n, d.connectorId)}: ${count(d.records, 'record', 'records')} collected`,
  'connector.failed': (_w, d, n) => {
    const e = d.error as { type?: string; message?: string } | undefined;
    return `${name(n, d.connectorId)} failed${e ? `: ${str(e.type)}${e.message ? ` (${e.message})` : ''}` : ''}`;
  },
  'connector.throttled': (_w, d, n) => `${name(n, d.connectorId)} asked us to slow down: the workflow waits ${str(d.waitSeconds)} s`,
  'connectors.awaiting_staff': (_w, d, n) => `Systems failed (${Array.isArray(d.failed) ? d.failed.map((c) => name(n, c)).join(', ') : ''}): waiting for staff to retry, accept or cancel`,
  'connectors.retry': (w, d, n) => `${w} retried ${Array.isArray(d.connectors) ? d.connectors.map((c) => name(n, c)).join(', ') : ''}`,
  'connectors.accepted_partial': (w, d, n) => `${w} accepted a partial answer without ${Array.isArray(d.missing) ? d.missing.map((c) => name(n, c)).join(', ') : ''}${reason(d)}`,
  'deadline.extended': (w, d) => `${w} extended the deadline from ${str(d.previousDueDate)} to ${str(d.dueDate)}${reason(d)}`,
  'deadline.extension_notified': (w, d) => `${w} told the subject about the extension (due ${str(d.dueDate)})`,
  'deadline.extension_rolled_back': (_w, d) => `The extension notice could not be sent (${str(d.error)}), so the extension was undone (due ${str(d.dueDate)})`,
  'deadline.extension_notice_failed': (_w, d) => `The extension notice could not be sent (${str(d.error)}) and the extension stands (due ${str(d.dueDate)})`,
  'deadline.paused': (w, d) => `${w} paused the clock${reason(d)}`,
  'deadline.resumed': (w, d) =>
    `${d.trigger === 'subject_reply' ? "The subject's answer" : w} restarted the clock after ${count(d.pausedDays, 'day', 'days')} (due ${str(d.dueDate)})`,
  'subject.replied': (w, d) => `${w} answered${d.clockRunning === false ? ' (the clock restarts)' : ''}`,
  'subject.message': (w, d) => (d.messageRemovedAt ? `${w} wrote to us (the text was removed with their details)` : `${w} wrote to us (see Messages)`),
  'staff.message': (w, d) => `${w} ${d.question === true ? 'asked the subject a question' : 'wrote to the subject'} (see Messages)`,
  'note.added': (w) => `${w} added an internal note`,
  'preview.counted': (_w, d) => `${str(d.summary) || 'Preview counted'}`,
  'optout.third_party_told': (w, d) => `${w} told third party ${str(d.thirdParty)} by email to stop selling or sharing the subject's data (11 CCR §7026(f))`,
  'todo.added': (w, d) => `${w} added the follow-up task "${str(d.title)}"${d.dueDate ? `, due ${str(d.dueDate)}` : ''}${d.owner ? ` (owner ${str(d.owner)})` : ''}`,
  'todo.done': (w, d) => `${w} ticked off "${str(d.title)}"${d.note ? `: ${str(d.note)}` : ''}`,
  'todo.closed': (w, d) => `${w} closed "${str(d.title)}" without doing it${d.note ? `: ${str(d.note)}` : ''}`,
  'todo.all_done': () => 'Every follow-up task is done: the request is finished for staff',
  'todo.reassigned': (w, d) => `${w} gave "${str(d.title)}" to ${d.to ? str(d.to) : 'the privacy team'}`,
  'package.assembled': (w, d) => `${w} assembled the package: ${count(d.records, 'record', 'records')}${d.bytes ? `, ${bytes(d.bytes)}` : ''}`,
  'package.reviewed': (w) => `${w} downloaded the package for review`,
  'package.previewed': (w, d, n) => `${w} looked at ${count(d.records, 'record', 'records')} of ${name(n, d.connectorId)}, ${str(d.object)}, before release`,
  'package.withheld': (w, d, n) =>
    `${w} withheld from the package ${name(n, d.connectorId)}, ${str(d.object)}${d.recordId !== undefined ? `, record ${str(d.recordId)}` : ''}${d.field !== undefined ? `, field ${str(d.field)}` : ''} (${str(d.reason)}${d.note ? `: ${str(d.note)}` : ''})`,
  'package.released': (w, d) => `${w} released the package to the subject${Number(d.withheld ?? 0) > 0 ? ` with ${count(d.withheld, 'part', 'parts')} withheld` : ', nothing withheld'}`,
  'package.discarded': (w) => `${w} deleted the unreleased package and the staged records (the request closed before release)`,
  'package.nothing_held': (w, d) =>
    d.onlyInferred === true
      ? `${w} found only inferred or derived data in ${count(d.systems, 'system', 'systems')}, which portability does not cover: no package`
      : `${w} found no personal data in the ${count(d.systems, 'system', 'systems')} searched: no package`,
  'release.requested': (w) => `${w} is waiting for staff to review and release the package`,
  'package.downloaded': (w) => `${w} downloaded the package`,
  'package.deleted': (w, d) => `${w} deleted this request's copies of the subject's data${d.erasureRequestId ? ` (erasure ${str(d.erasureRequestId)})` : ''}`,
  'staging.deleted': (w, d) => `${w} deleted the staged records (${count(d.objects, 'object', 'objects')})`,
  'workflow.step_failed': (_w, d) => `Step ${str(d.step)} failed: ${str(d.error)}${d.message ? ` (${str(d.message)})` : ''}`,
  'workflow.needs_attention': (_w, d) => `Step ${str(d.step)} failed for good (${str(d.error)}): waiting for staff`,
  'workflow.step_retried': (w, d) => `${w} ran step ${str(d.step)} again`,
  'attention.staff_not_mailed': (_w, d) => `Staff could not be mailed about the failed step (${str(d.error)})`,
  'restriction.confirmed': (w, d, n) =>
    `${w} confirmed the restriction in every system${Array.isArray(d.systems) && d.systems.length ? ` (marked in ${d.systems.map((c) => name(n, c)).join(', ')})` : ''}${Array.isArray(d.byHand) && d.byHand.length ? `; staff restrict by hand in ${d.byHand.map((c) => name(n, c)).join(', ')}` : ''}, and told the subject it is restricted`,
  'restriction.awaiting_lift': (w) => `${w} keeps the restriction in force until staff tell the subject and lift it`,
  'restriction.lifting_announced': (w, d) => `${w} told the subject the restriction will be lifted from ${str(d.liftOn)}${reason(d)}`,
  'restriction.lift_started': (w) => `${w} lifted the restriction: every system removes its mark`,
  'rectification.chosen': (w, d, n) => {
    const corrections = d.corrections && typeof d.corrections === 'object' ? Object.entries(d.corrections as Record<string, unknown>) : [];
    const where = corrections.map(([c, fields]) => `${list(fields)} in ${name(n, c)}`).join('; ');
    const refused = Array.isArray(d.refused) && d.refused.length ? `; refused: ${list(d.refused)}` : '';
    return `${w} chose the corrections: ${where || 'none'}${refused}`;
  },
  'recipients.told': (w, d) =>
    `${w} passed the ${ART19_WORDS[str(d.action)] ?? str(d.action)} on to its recipients (GDPR Art. 19)${Array.isArray(d.notified) && d.notified.length ? `: told ${list(d.notified)}` : ''}${Array.isArray(d.byStaff) && d.byStaff.length ? `; staff tell ${list(d.byStaff)}` : ''}${!(Array.isArray(d.notified) && d.notified.length) && !(Array.isArray(d.byStaff) && d.byStaff.length) ? ': none concerned' : ''}`,
  'suppression.recorded': (w) => `${w} put the subject's address, as a hash, on the marketing suppression list`,
  'erasure.identifiers_resolved': (w, d, n) => `${w} looked up the subject's identifiers in ${d.systems && typeof d.systems === 'object' ? Object.keys(d.systems).map((c) => name(n, c)).join(', ') : 'the systems'}`,
  'erasure.confirmed': (w) => `${w} read every system back: the erasure took`,
  'erasure.not_confirmed': (w, d, n) => `${w} read the systems back and still found data${Array.isArray(d.unconfirmed) ? ` in ${d.unconfirmed.map((c) => name(n, c)).join(', ')}` : ''}`,
  'erasure.reported': (w, d) => `${w} sent the subject the erasure report${Array.isArray(d.recipientsNotified) && d.recipientsNotified.length ? ` (recipients told: ${list(d.recipientsNotified)})` : ''}`,
  'erasure.recipients_outstanding': (_w, d) => `Recipients our staff must tell about the erasure: ${list(d.recipients)}`,
  'erasure.rechecked': (w, d, n) => `${w} checked ${name(n, d.connectorId)} again: ${str(d.outcome).replaceAll('_', ' ')}`,
  'erasure.earlier_copies_deleted': (w, d) =>
    `${w} deleted the subject's copies on ${count((d.requests as unknown[] | undefined)?.length, 'earlier request', 'earlier requests')}${typeof d.agentPermissions === 'number' && d.agentPermissions > 0 ? `, including ${count(d.agentPermissions, 'agent’s signed permission', 'agents’ signed permissions')}` : ''}`,
  'mail.dropped': (_w, d) => `A mail was not sent: too many to this address (limit ${str(d.limit)})`,
  'email.bounced': (_w, d) => `A mail to ${d.recipient === 'subject' ? 'the subject' : 'another recipient'} bounced (${str(d.bounceType)})`,
  'email.complained': (_w, d) => `${d.recipient === 'subject' ? 'The subject' : 'A recipient'} reported a mail as spam`,
};

/** The sentence for one event; a kind without a line reads "<who>: <kind> (key: value; …)". */
export function auditSentence(e: AuditEntry, names: ConnectorNames = {}): string {
  const w = who(e.actor);
  const d = e.detail ?? {};
  const sentence = SENTENCES[e.action];
  if (sentence) return sentence(w, d, names, e.actor);
  // The workflow closing a request writes `request.<status>`.
  const closed = /^request\.(.+)$/.exec(e.action)?.[1];
  if (closed && CLOSED_AS[closed]) return `${w} ${CLOSED_AS[closed]}`;
  const extra = Object.entries(d).map(([k, v]) => `${k}: ${str(v)}`).join('; ');
  return `${w}: ${e.action.replaceAll('_', ' ')}${extra ? ` (${extra})` : ''}`;
}
