/**
 * The emails the subject receives, in their language, each as text and HTML (staff's are in
 * ./staff-mails.ts). Templates take only what they show: the subject's name appears in the mail to the
 * subject, never in mail to staff (staff open the console).
 * The name is text a requester typed, and these mails come from the company's own address: it is only
 * ever quoted on its own labelled line, never run into a sentence, and never in the code mail.
 */
import type { DsarConfig } from '#commons/config';
import { localText } from '#commons/local-text';
import type { MessageKey, Translator } from '../i18n/index.ts';
import { compose, limited, type Email, type Paragraph } from './compose.ts';
import { en } from '../i18n/locales/en/index.ts';
import { typeWords } from './type-words.ts';

interface RequestFacts {
  requestId: string;
  type: string;
  receivedDate: string;
  dueDate: string;
  name?: string;
}

/** Whether the catalogue has a message for `key` (keys built from data: request types, object names). */
function has(key: string): key is MessageKey {
  return Object.hasOwn(en, key);
}

/** The greeting, and the name as typed on the request on a labelled, quoted line of its own. */
function greeting(t: Translator, name?: string): string[] {
  return name ? [t.t('mail.greeting'), t.t('mail.name_line', { name })] : [t.t('mail.greeting')];
}

export function complaintRight(config: DsarConfig, t: Translator): string {
  const a = config.supervisoryAuthority;
  return t.t('mail.complaint', { authority: localText(a.name, t.locale), address: localText(a.address, t.locale), url: a.url });
}

/** `codeWaived`: a marketing opt-out that goes ahead without the code, so "nothing happens until the code is entered" would be false. */
export function acknowledgement(config: DsarConfig, r: RequestFacts, statusUrl: string, t: Translator, options: { codeWaived?: boolean } = {}): Email {
  return limited('anonymous', compose(config, t.t('mail.ack.subject', { requestId: r.requestId }), [
    ...greeting(t, r.name),
    t.t('mail.ack.received', { type: typeWords(t, r.type), received: t.date(r.receivedDate), requestId: r.requestId }),
    t.t('mail.ack.due', { due: t.date(r.dueDate) }),
    { text: t.t('mail.ack.follow'), href: statusUrl },
    t.t(options.codeWaived ? 'optout.mail.ack.noCode' : 'mail.ack.ignore'),
  ], t));
}

export function verificationCode(config: DsarConfig, r: Pick<RequestFacts, 'requestId'>, code: string, ttlMinutes: number, t: Translator, codePageUrl: string): Email {
  // No name here: whatever a requester typed must not stand next to a code in a mail from us. No code in
  // the subject either: subjects show in lock-screen previews and in SES bounce and complaint events.
  // The link opens the page where the code is entered (request id prefilled), never with the code in it.
  return limited('anonymous', compose(config, t.t('mail.code.subject'), [
    t.t('mail.greeting'),
    t.t('mail.code.line', { requestId: r.requestId, code }),
    t.t('mail.code.validity', { minutes: ttlMinutes }),
    { text: t.t('mail.code.enter'), href: codePageUrl },
  ], t));
}

export function duplicateRequest(config: DsarConfig, r: RequestFacts, statusUrl: string, t: Translator): Email {
  return limited('duplicate-notice', compose(config, t.t('mail.duplicate.subject', { requestId: r.requestId }), [
    ...greeting(t, r.name),
    t.t('mail.duplicate.body', { type: typeWords(t, r.type), requestId: r.requestId, due: t.date(r.dueDate) }),
    { text: t.t('mail.duplicate.follow'), href: statusUrl },
  ], t));
}

/**
 * `reason` is a denial reason code (`excessive`...), said in the reader's language; any other text is
 * shown as it is. `note` is what staff wrote, as they wrote it.
 */
export function denial(config: DsarConfig, r: RequestFacts, reason: string, note: string | undefined, t: Translator): Email {
  const key = `mail.denial.reason.${reason}`;
  const why = has(key) ? t.t(key) : reason;
  return compose(config, t.t('mail.denial.subject', { requestId: r.requestId }), [
    ...greeting(t, r.name),
    t.t('mail.denial.body', { type: typeWords(t, r.type), requestId: r.requestId }),
    t.t('mail.reason', { reason: note ? `${why}\n${note}` : why }),
    complaintRight(config, t),
  ], t);
}

export function unverifiedClosed(config: DsarConfig, r: RequestFacts, t: Translator): Email {
  return limited('anonymous', compose(config, t.t('mail.unverified.subject', { requestId: r.requestId }), [
    ...greeting(t, r.name),
    t.t('mail.unverified.body', { requestId: r.requestId }),
    t.t('mail.unverified.again'),
  ], t));
}

/** `reason` is what staff wrote; without one the mail says our staff cancelled it. */
export function cancelled(config: DsarConfig, r: RequestFacts, reason: string | undefined, t: Translator): Email {
  return compose(config, t.t('mail.cancelled.subject', { requestId: r.requestId }), [
    ...greeting(t, r.name),
    t.t('mail.cancelled.body', { requestId: r.requestId, reason: reason ?? t.t('mail.cancelled.by_staff') }),
    complaintRight(config, t),
  ], t);
}

/**
 * `expiresAt` is an instant: the day it falls on in `timeZone` (the request's, ../deadlines/request-zone.ts), not
 * in UTC, where a link that ends at 00:30 in Oslo would read as ending the day before.
 */
export function completion(config: DsarConfig, r: RequestFacts, downloadUrl: string, expiresAt: string, partial: string[] | undefined, t: Translator, timeZone?: string): Email {
  return compose(config, t.t('mail.completion.subject', { requestId: r.requestId }), [
    ...greeting(t, r.name),
    t.t('mail.completion.done', { type: typeWords(t, r.type), requestId: r.requestId }),
    { text: t.t('mail.completion.download', { expires: t.date(expiresAt, timeZone ? { timeZone } : {}) }), href: downloadUrl },
    ...(partial?.length
      ? [t.t('mail.completion.partial', { systems: new Intl.ListFormat(t.tag, { type: 'conjunction' }).format(partial) })]
      : []),
    complaintRight(config, t),
  ], t);
}

export function extensionNotice(config: DsarConfig, r: RequestFacts, reason: string, previousDueDate: string, statute: string, t: Translator): Email {
  return compose(config, t.t('mail.extension.subject', { requestId: r.requestId }), [
    ...greeting(t, r.name),
    t.t('mail.extension.body', { type: typeWords(t, r.type), requestId: r.requestId, received: t.date(r.receivedDate) }),
    t.t('mail.reason', { reason }),
    t.t('mail.extension.new_date', { due: t.date(r.dueDate), previous: t.date(previousDueDate), statute }),
    complaintRight(config, t),
  ], t);
}

export interface ErasureReportFacts {
  systems: Array<{
    /** Finds the connector's kind, whose objects have names in the catalogue (`erasure.object.<kind>.<object>`). */
    connectorId?: string;
    displayName: string;
    items: Array<{
      object: string;
      action: string;
      count: number;
      legalBasis?: string;
      retentionPeriod?: string;
      /** A catalogue key for a reason a connector gives (`erasure.why.*`); the reason in the reader's language. */
      reason?: string;
      /** Anonymized records that are the very records also reported kept (masked, then kept). */
      alsoRetained?: boolean;
      completion?: { vendor: string; withinDays: number };
    }>;
    confirmed: boolean | 'not_verifiable';
  }>;
  recipientsNotified: Array<{ name: string; how: string; at: string }>;
  notErased: Array<{ displayName: string; reason: string }>;
  /** Configured recipients the erasure did not tell itself (absent on reports stored before it existed). */
  recipientsNotTold?: Array<{ name: string; reason: 'staff' | 'nothing_erased'; systems?: string[] }>;
  /** How many earlier requests' packages the erasure deleted (absent on reports stored before it was recorded). */
  earlierPackagesDeleted?: number;
  /** The subject opted out of marketing: the hash of the address on the suppression list is kept. */
  suppressionKept?: { since: string };
  /** Signed permissions agents gave on the subject's earlier requests, deleted by this erasure. */
  earlierAgentPermissionsDeleted?: number;
}

type ReportItem = ErasureReportFacts['systems'][number]['items'][number];

const held = (i: ReportItem) => i.action !== 'not_found' && i.count > 0;
const noFinalStop = (s: string) => s.trim().replace(/\.$/, '');

/** An object as a person calls it: the connector's name for it, else its own name made readable. */
function objectName(t: Translator, kind: string | undefined, object: string): string {
  const key = `erasure.object.${kind}.${object}`;
  if (kind && has(key)) return t.t(key);
  const words = object.replace(/([a-z])([A-Z])/g, '$1 $2').replaceAll(/[_-]+/g, ' ').trim().toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** Why a record is kept and for how long: a connector's reason in the reader's language, else as configured. */
function keptBecause(t: Translator, i: ReportItem): { basis: string; period: string } {
  if (i.reason && has(i.reason) && has(`${i.reason}.period`)) return { basis: t.t(i.reason), period: t.t(`${i.reason}.period` as MessageKey) };
  return { basis: noFinalStop(i.legalBasis ?? t.t('erasure.default_basis')), period: noFinalStop(i.retentionPeriod ?? t.t('erasure.default_period')) };
}

/**
 * The erasure report as the subject reads it, in their language: per system, one line per object saying
 * what happened to its records (each record counted once: records masked and then kept are "kept, masked",
 * not also "anonymised"), each reason for keeping records stated once and referred to by number, the
 * systems we could not erase, and the recipients (Art. 19) of systems where the subject's data was. A
 * recipient tied to no system that held the subject's data is not named: staff still have it on record.
 * `kindOf` gives a connector's kind, for the names of its objects.
 */
export function erasureReportParagraphs(
  report: ErasureReportFacts,
  t: Translator,
  kindOf: (connectorId: string) => string | undefined = () => undefined,
  /** The zone the dates recipients were told on are shown in (the request's); UTC when absent. */
  timeZone?: string,
): Paragraph[] {
  const out: Paragraph[] = [];
  const withData = report.systems.filter((s) => s.items.some(held));
  if (!withData.length && !report.notErased.length) out.push(t.t('erasure.nothing_found'));
  for (const system of withData) {
    const kind = system.connectorId ? kindOf(system.connectorId) : undefined;
    const items = system.items.filter(held);
    const reasons: Array<{ basis: string; period: string }> = [];
    const reasonNumber = (i: ReportItem) => {
      const why = keptBecause(t, i);
      let n = reasons.findIndex((r) => r.basis === why.basis && r.period === why.period);
      if (n < 0) n = reasons.push(why) - 1;
      return n + 1;
    };
    const lines: string[] = [];
    for (const object of [...new Set(items.map((i) => i.object))]) {
      const own = items.filter((i) => i.object === object);
      const kept = own.some((i) => i.action === 'retained');
      const masked = kept && own.some((i) => i.action === 'anonymized' && i.alsoRetained);
      const parts: string[] = [];
      // Masked records that are kept are the kept ones: said once, as kept.
      for (const i of own.filter((o) => !(o.action === 'anonymized' && o.alsoRetained && kept))) {
        if (i.action === 'retained') parts.push(t.t(masked ? 'erasure.kept_masked' : 'erasure.kept', { count: i.count, reason: reasonNumber(i) }));
        else if (i.action === 'anonymized') parts.push(t.t('erasure.anonymised', { count: i.count }));
        // A deletion the vendor finishes later is not called done: the subject is told when it will be.
        else if (i.completion) parts.push(t.t('erasure.submitted', { count: i.count, vendor: i.completion.vendor, days: i.completion.withinDays }));
        else parts.push(t.t('erasure.deleted', { count: i.count }));
      }
      lines.push(t.t('erasure.line', { object: objectName(t, kind, object), what: parts.join('; ') }));
    }
    if (system.confirmed === 'not_verifiable') lines.push(t.t('erasure.not_verifiable'));
    else if (system.confirmed === false) lines.push(t.t('erasure.not_confirmed'));
    out.push({ title: system.displayName, items: lines });
    if (reasons.length) out.push({ title: t.t('erasure.reasons'), items: reasons.map((r, n) => t.t('erasure.reason', { reason: n + 1, ...r })) });
  }
  // Said plainly, with the reason staff gave on record: the subject must not read a partial erasure as a full one.
  if (report.notErased.length) {
    out.push({ title: t.t('erasure.not_erased'), items: report.notErased.map((n) => t.t('erasure.not_erased_line', { system: n.displayName, reason: n.reason })) });
  }
  if (report.recipientsNotified.length) {
    out.push({ title: t.t('erasure.told'), items: report.recipientsNotified.map((r) => t.t('erasure.told_line', { name: r.name, date: t.date(r.at, timeZone ? { timeZone } : {}) })) });
  }
  const heldBy = new Set([...withData.map((s) => s.displayName), ...report.notErased.map((n) => n.displayName)]);
  const byStaff = (report.recipientsNotTold ?? []).filter((r) => r.reason === 'staff' && r.systems?.some((d) => heldBy.has(d)));
  if (byStaff.length) out.push({ title: t.t('erasure.staff_will_tell'), items: byStaff.map((r) => r.name) });
  if (report.earlierAgentPermissionsDeleted) out.push(t.t('agents.erasure.permissionsDeleted', { count: report.earlierAgentPermissionsDeleted }));
  if (report.suppressionKept) out.push(t.t('optout.erasure.suppressionKept', { date: t.date(report.suppressionKept.since, timeZone ? { timeZone } : {}) }));
  return out;
}

/** The report as plain text lines (what the text mail shows). */
export function erasureReportLines(report: ErasureReportFacts, t: Translator, kindOf?: (connectorId: string) => string | undefined, timeZone?: string): string[] {
  return erasureReportParagraphs(report, t, kindOf, timeZone).flatMap((p) => (typeof p === 'string' ? [p] : 'href' in p ? [p.text, p.href] : [p.title, ...p.items.map((i) => `  - ${i}`)]));
}

export function erasureReport(config: DsarConfig, r: RequestFacts, report: ErasureReportFacts, statusUrl: string | undefined, t: Translator, timeZone?: string): Email {
  const kinds = new Map(config.connectors.map((c) => [c.id, c.kind]));
  return compose(config, t.t('mail.erasure.subject', { requestId: r.requestId }), [
    ...greeting(t, r.name),
    t.t('mail.erasure.intro', { requestId: r.requestId }),
    ...erasureReportParagraphs(report, t, (id) => kinds.get(id), timeZone),
    // The links in the earlier mails now answer that the package is gone: the subject hears why first.
    ...(report.earlierPackagesDeleted ? [t.t('mail.erasure.packages', { count: report.earlierPackagesDeleted })] : []),
    ...(statusUrl ? [{ text: t.t('mail.erasure.status_link'), href: statusUrl }] : []),
    complaintRight(config, t),
  ], t);
}
