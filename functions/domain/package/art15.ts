/**
 * The GDPR Art. 15 facts of one system, in the subject's language, from the connector's `art15`
 * configuration: purposes, legal bases, categories, recipients (the privacy notice's entries it names),
 * retention, source, third-country transfers with safeguards, profiling and automated decisions. A
 * connector without an `art15` block falls back to the privacy notice's general text, marked as such,
 * so a report never goes without an item, and never claims more precision than the configuration has.
 */
import { recipientLabel, recipientName, type DsarConfig } from '#commons/config';
import { localText } from '#commons/local-text';
import type { Translator } from '../i18n/index.ts';
import { connectorConfig } from './view.ts';

/** A recipient of the privacy notice as the subject reads it, with what it receives this system's data for. */
export interface Recipient {
  name: string;
  role: string;
  purpose: string;
  country?: string;
}

type NoticeRecipient = DsarConfig['privacyNotice']['recipients'][number];

/** A notice's recipient in the reader's language (its label and purpose), with `purpose` when the system names one. */
function readRecipient(config: DsarConfig, r: NoticeRecipient, lang: string, purpose?: string): Recipient {
  return {
    name: recipientLabel(config, r.name, lang),
    role: r.role,
    purpose: purpose ?? localText(r.purpose, lang),
    ...(r.country ? { country: r.country } : {}),
  };
}

export interface Transfer {
  recipient: string;
  country: string;
  safeguards: string;
}

export interface SystemFacts {
  connectorId: string;
  displayName: string;
  purposes: string[];
  legalBases: string[];
  categories: string[];
  recipients: Recipient[];
  retention: string[];
  sources: string[];
  transfers: Transfer[];
  profiling?: string;
  automatedDecisions?: string;
  /** True when the connector has no `art15` block and these are the privacy notice's general facts. */
  fromNotice: boolean;
}

export function systemFacts(config: DsarConfig, system: { connectorId: string; displayName: string }, foundCategories: string[], t: Translator): SystemFacts {
  const lang = t.locale;
  const text = (values: Parameters<typeof localText>[0][]) => values.map((v) => localText(v, lang));
  const notice = config.privacyNotice;
  const art15 = connectorConfig(config, system.connectorId)?.art15;
  if (!art15) {
    return {
      ...system,
      purposes: text(notice.purposes),
      legalBases: [],
      categories: foundCategories.length ? foundCategories : text(notice.categories),
      recipients: notice.recipients.map((r) => readRecipient(config, r, lang)),
      retention: text(notice.retention),
      sources: text(notice.sources),
      transfers: [],
      fromNotice: true,
    };
  }
  const byName = new Map(notice.recipients.map((r) => [r.name, r]));
  return {
    ...system,
    purposes: text(art15.purposes),
    legalBases: text(art15.legalBases),
    categories: art15.categories ? text(art15.categories) : foundCategories,
    recipients: art15.recipients.map((entry) => {
      const r = byName.get(recipientName(entry))!;
      return readRecipient(config, r, lang, typeof entry === 'string' ? undefined : localText(entry.purpose, lang));
    }),
    retention: [localText(art15.retention, lang)],
    sources: [localText(art15.source, lang)],
    transfers: art15.transfers.map((tr) => ({ recipient: recipientLabel(config, tr.recipient, lang), country: tr.country, safeguards: localText(tr.safeguards, lang) })),
    ...(art15.profiling ? { profiling: localText(art15.profiling, lang) } : {}),
    ...(art15.automatedDecisions ? { automatedDecisions: localText(art15.automatedDecisions, lang) } : {}),
    fromNotice: false,
  };
}

/** Each recipient once, in the order the systems name them, with each distinct purpose it has. */
export function recipientsOf(facts: SystemFacts[]): Recipient[] {
  const seen = new Map<string, Recipient>();
  for (const f of facts) {
    for (const r of f.recipients) {
      const known = seen.get(r.name);
      if (!known) seen.set(r.name, r);
      else if (!known.purpose.split('; ').includes(r.purpose)) seen.set(r.name, { ...known, purpose: `${known.purpose}; ${r.purpose}` });
    }
  }
  return [...seen.values()];
}

/** A country code as a name in the reader's language ("USA", "Norge"). */
export function countryName(code: string, t: Translator): string {
  try {
    return new Intl.DisplayNames([t.tag], { type: 'region' }).of(code.toUpperCase()) ?? code;
  } catch {
    return code;
  }
}
