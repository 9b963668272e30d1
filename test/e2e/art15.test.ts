/**
 * GDPR Art. 15(1)(a)-(h) and 15(2), item by item, in the answers alice (every system), bob (Stripe,
 * HubSpot and one support ticket) and carol (nothing) get on the embedded runtime. What each answer must
 * say comes from the runtime's configuration and from the data the package holds, so the test checks the
 * report against the facts, not against a copy of its own text.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectorName, recipientLabel, recipientName, type DsarConfig, type Origin } from '#commons/config';
import { localText } from '#commons/local-text';
import { ObjectDictionary } from '../../functions/domain/package/dictionary.ts';
import { startTestRuntime, type TestRuntime } from '../support/runtime.ts';
import { accessAnswer, type AccessAnswer } from '../support/answers.ts';
import { ALICE, BOB, CAROL } from '../../infra/local/demo/people.ts';

let rt: TestRuntime;
const answers: Record<string, AccessAnswer> = {};

beforeAll(async () => {
  rt = await startTestRuntime({ crowd: 50 });
  // One after another: the runtime's Step Functions emulator shares the 2 cores with other tests.
  answers.alice = await accessAnswer(rt, ALICE.email, 'en-GB');
  answers.bob = await accessAnswer(rt, BOB.email, 'nb-NO');
  answers.carol = await accessAnswer(rt, CAROL.email, 'en');
}, 240_000);
afterAll(async () => {
  await rt?.cleanup();
});

/** The text of the element with this id: tags dropped, entities read, spaces collapsed. */
function text(html: string, id: string): string {
  const start = html.indexOf(`id="${id}"`);
  if (start < 0) throw new Error(`no element #${id}`);
  const tag = html.lastIndexOf('<', start);
  const name = /^<(\w+)/.exec(html.slice(tag))![1]!;
  let depth = 0;
  const re = new RegExp(`<(/?)${name}\\b`, 'g');
  re.lastIndex = tag;
  let end = html.length;
  for (let m = re.exec(html); m; m = re.exec(html)) {
    depth += m[1] ? -1 : 1;
    if (depth === 0) {
      end = m.index;
      break;
    }
  }
  return html
    .slice(tag, end)
    .replace(/<[^>]+>/g, ' ')
    .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');
}

interface Found {
  connectorId: string;
  objects: Array<{ object: string; origin: Origin; records: Array<{ data: Record<string, unknown> }> }>;
}

function systemsWithData(a: AccessAnswer): Found[] {
  return (JSON.parse(a.files!.get('data.json')!).systems as Found[]).filter((s) => s.objects.some((o) => o.records.length > 0));
}

/** The labels of inferred or derived fields (or whole objects) present in a system's records. */
function assessedLabels(config: DsarConfig, s: Found, lang: string): string[] {
  const connector = config.connectors.find((c) => c.id === s.connectorId)!;
  const labels = new Set<string>();
  for (const o of s.objects) {
    const dict = new ObjectDictionary(connector, o.object, lang);
    const assessed = (origin: Origin | undefined) => origin === 'inferred' || origin === 'derived';
    if (assessed(o.origin)) {
      labels.add(dict.label);
      continue;
    }
    for (const [path, origin] of Object.entries(connector.objects[o.object]?.fieldOrigins ?? {})) {
      const present = o.records.some((r) => path.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], r.data) != null);
      if (assessed(origin) && present) labels.add(dict.field(path).label);
    }
  }
  return [...labels];
}

function checkReport(who: string, lang: string, words: { rights: RegExp; purposes: string; noTransfer?: string }) {
  const html = () => answers[who]!.files!.get('report.html')!;
  const config = () => rt.config;

  it(`${who}: answers with a package whose report is in the request's language`, () => {
    expect(answers[who]!.status).toBe('completed');
    expect(html()).toContain(`<html lang="${lang === 'nb' ? 'nb-NO' : 'en-GB'}">`);
  });

  it(`${who}: (a) purposes, (b) categories, (d) retention and (g) source of every system where data was found`, () => {
    const found = systemsWithData(answers[who]!);
    expect(found.length).toBeGreaterThan(0);
    for (const s of found) {
      const art15 = config().connectors.find((c) => c.id === s.connectorId)!.art15!;
      const section = text(html(), `system-${s.connectorId}`);
      expect(section, s.connectorId).toContain(words.purposes);
      for (const p of art15.purposes) expect(section, `${s.connectorId} purpose`).toContain(localText(p, lang));
      for (const b of art15.legalBases) expect(section, `${s.connectorId} legal basis`).toContain(localText(b, lang));
      const categories = art15.categories?.map((c) => localText(c, lang)) ?? s.objects.map((o) => config().connectors.find((c) => c.id === s.connectorId)!.objects[o.object]?.category ?? '');
      for (const c of categories) expect(section, `${s.connectorId} category`).toContain(c);
      expect(section, `${s.connectorId} retention`).toContain(localText(art15.retention, lang));
      expect(section, `${s.connectorId} source`).toContain(localText(art15.source, lang));
    }
  });

  it(`${who}: (c) names the recipients of the systems where data was found, and no other`, () => {
    const found = systemsWithData(answers[who]!);
    const entries = found.flatMap((s) => config().connectors.find((c) => c.id === s.connectorId)!.art15!.recipients);
    const named = new Set(entries.map(recipientName));
    const recipients = text(html(), 'recipients');
    for (const e of entries) {
      // What the system's configuration says the recipient gets its data for, else the notice's purpose.
      const purpose = localText(typeof e === 'string' ? config().privacyNotice.recipients.find((r) => r.name === e)!.purpose : e.purpose, lang);
      expect(recipients, recipientName(e)).toContain(recipientLabel(config(), recipientName(e), lang));
      expect(recipients, recipientName(e)).toContain(purpose);
    }
    for (const r of config().privacyNotice.recipients) if (!named.has(r.name)) expect(recipients, r.name).not.toContain(recipientLabel(config(), r.name, lang));
  });

  it(`${who}: (e) the rights to rectification, erasure, restriction and objection, said once`, () => {
    const rights = text(html(), 'rights');
    expect(rights).toMatch(words.rights);
    expect(html().match(/id="rights"/g)).toHaveLength(1);
  });

  it(`${who}: (f) the right to complain, with the supervisory authority`, () => {
    const a = config().supervisoryAuthority;
    // Name and address as configured for the reader's language.
    expect(text(html(), 'complaint')).toContain(`${localText(a.name, lang)}, ${localText(a.address, lang)}`);
    expect(html()).toContain(`href="${a.url}"`);
  });

  it(`${who}: (h) every inferred or derived field in the data under profiling, beside the statement on automated decisions`, () => {
    const section = text(html(), 'automated-decisions');
    expect(section).toContain(localText(config().privacyNotice.automatedDecisions, lang));
    for (const s of systemsWithData(answers[who]!)) {
      for (const label of assessedLabels(config(), s, lang)) expect(section, `${s.connectorId}: ${label}`).toContain(label);
    }
  });

  it(`${who}: 15(2) every third-country transfer of those systems with its safeguards`, () => {
    const section = text(html(), 'transfers');
    const transfers = systemsWithData(answers[who]!).flatMap((s) => config().connectors.find((c) => c.id === s.connectorId)!.art15!.transfers);
    expect(transfers.length).toBeGreaterThan(0);
    for (const t of transfers) expect(section, t.recipient).toContain(`${recipientLabel(config(), t.recipient, lang)} (`), expect(section).toContain(localText(t.safeguards, lang));
  });
}

describe('Art. 15 for alice, who is in every system (English)', () => {
  checkReport('alice', 'en', { rights: /correct.*erase.*restrict.*Object/s, purposes: 'Why we have it' });

  it('alice: lists her churn risk, engagement score, Stripe Radar and HubSpot assessments under profiling', () => {
    const section = text(answers.alice!.files!.get('report.html')!, 'automated-decisions');
    for (const label of ['Risk that you leave us', 'Engagement score', 'Fraud risk score (Stripe Radar)', 'Customer stage']) expect(section).toContain(label);
    expect(section).toContain('Stripe Radar assesses the fraud risk of each card payment');
  });
});

describe('Art. 15 for bob, who is only in Stripe, HubSpot and the product database (Norwegian)', () => {
  checkReport('bob', 'nb', { rights: /rette.*slette.*begrense.*Protestere/s, purposes: 'Hvorfor vi har dem' });

  it('bob: names neither Salesforce, Microsoft, social media nor a merger buyer', () => {
    const recipients = text(answers.bob!.files!.get('report.html')!, 'recipients');
    for (const name of ['Salesforce', 'Microsoft', 'Social media', 'Sosiale medier', 'buyer', 'kjøper', 'Public authorities', 'Offentlige myndigheter']) expect(recipients).not.toContain(name);
  });

  it('bob: reads every text from configuration in Norwegian: systems, recipients\' purposes, the authority\'s address', () => {
    const html = answers.bob!.files!.get('report.html')!;
    for (const s of systemsWithData(answers.bob!)) {
      const name = connectorName(rt.config, s.connectorId, 'nb');
      expect(name, s.connectorId).not.toBe(connectorName(rt.config, s.connectorId, 'en'));
      expect(html, s.connectorId).toContain(name);
    }
    expect(html).toContain('Stripe (betalinger)');
    expect(html).toContain('Postboks 8177 Dep., 0034 Oslo');
    expect(html).not.toMatch(/Stripe \(payments\)|PO Box 8177|HubSpot \(communication/);
  });
});

describe('Art. 15 for carol, of whom nothing is held', () => {
  it('completes with no package: a mail that says so in words, without a download link', () => {
    expect(answers.carol!.status).toBe('completed');
    expect(answers.carol!.files).toBeUndefined();
    expect(answers.carol!.mail.subject).toContain('We hold no personal data about you');
    expect(answers.carol!.mail.body.text).not.toMatch(/\/v1\/downloads\//);
  });

  it('names the systems searched and (a) the purposes and (b) categories we process in general', () => {
    const mail = answers.carol!.mail.body.text!;
    for (const c of rt.config.connectors) expect(mail).toContain(`- ${connectorName(rt.config, c.id, 'en')}`);
    for (const p of rt.config.privacyNotice.purposes) expect(mail).toContain(localText(p, 'en'));
    for (const c of rt.config.privacyNotice.categories) expect(mail).toContain(localText(c, 'en'));
  });

  it('states (c) no recipients, (d) nothing kept, (g) no source, (h) no profiling or automated decision and 15(2) no transfer', () => {
    expect(answers.carol!.mail.body.text).toMatch(
      /share none with other organisations, keep none, have collected none from any source, transfer none outside the EU\/EEA, and make no profile of you and no automated decision about you/,
    );
  });

  it('states (e) the rights and (f) the right to complain with the supervisory authority', () => {
    const mail = answers.carol!.mail.body.text!;
    expect(mail).toMatch(/access to your data, to correct or erase it, to restrict or object to its use/);
    const a = rt.config.supervisoryAuthority;
    expect(mail).toContain(`${localText(a.name, 'en')}, ${localText(a.address, 'en')} (${a.url})`);
  });
});
