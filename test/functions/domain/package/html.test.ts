/**
 * The readable report (report.html) built from planned systems as the planning pass hands them over:
 * the summary first, labelled values, dates in the request's zone, Art. 15 per system, profiling, and
 * nothing that overclaims. The package test covers how it gets into the ZIP.
 */
import { describe, expect, it } from 'vitest';
import { connectorName, parseConfig } from '#commons/config';
import { reportHtml } from '../../../../functions/domain/package/html.ts';
import type { PlannedObject, PlannedSystem } from '../../../../functions/domain/package/plan.ts';
import type { AssembleInput, MissingSource } from '../../../../functions/domain/package/types.ts';
import { RecordFilter, objectMeta, type RecordView } from '../../../../functions/domain/package/view.ts';
import { exampleConfigJson } from '../../../support/in-memory-context.ts';

const config = parseConfig(exampleConfigJson());

function planned(connectorId: string, objects: Record<string, RecordView[]>): PlannedSystem {
  const connector = config.connectors.find((c) => c.id === connectorId)!;
  return {
    connectorId,
    displayName: connectorName(config, connectorId),
    objects: Object.entries(objects).map(([object, preview]): PlannedObject => {
      const meta = objectMeta(connector, connectorName(config, connectorId), object);
      return {
        ref: { connectorId, displayName: connectorName(config, connectorId), object, stagingKey: `staging/${object}` },
        object, category: meta.category, origin: meta.origin, filter: new RecordFilter(meta, 'access'),
        count: preview.length, columns: [], overflow: false, csvPath: `csv/${connectorId}/${object}.csv`, preview,
        slices: [{ range: { start: 0, end: Infinity }, count: preview.length }],
      };
    }),
  };
}

const account: RecordView = {
  id: 'acc_000000',
  data: { accountId: 'acc_000000', email: 'alice@example.com', name: 'Alice Andersen', createdAt: '2022-01-01T00:00:00.000Z', churnRisk: 'low', engagementScore: 0, securitySettings: { mfa: true, passwordUpdatedAt: '2025-06-01' } },
};
const charge: RecordView = {
  id: 'ch_0001',
  data: {
    id: 'ch_0001', object: 'charge', amount: 1200, currency: 'eur', customer: 'cus_123', created: 1735725600, livemode: false, paid: true, description: 'Business plan',
    metadata: {}, outcome: { risk_level: 'normal', risk_score: 23, type: 'authorized' }, payment_intent: 'pi_0001',
  },
};
const call: RecordView = { id: 'c1', data: { id: 'c1', startedAt: '2026-07-03T22:30:00.000Z', durationSeconds: 300, meetingTitle: 'Weekly sync', recorded: false } };

const SYSTEMS: PlannedSystem[] = [
  planned('accounts', { account: [account] }),
  planned('calls', { call: [call] }),
  planned('stripe', { charges: [charge] }),
  { connectorId: 'salesforce', displayName: 'Salesforce (customer and process management)', objects: [] },
];

function render(locale: string | undefined, systems = SYSTEMS, missing: MissingSource[] = []): string {
  const input = {
    config,
    sources: [],
    missing,
    request: {
      requestId: 'dsar_report', type: 'access', receivedDate: '2026-12-01', dueDate: '2027-01-01', jurisdiction: 'GDPR',
      subject: { email: 'alice@example.com' }, timeZone: 'Europe/Oslo', ...(locale ? { locale } : {}),
    },
  } as unknown as AssembleInput;
  return [...reportHtml(input, systems, '2026-12-06T09:00:00.000Z')].join('');
}

/** The text of an element by id, tags removed. */
function section(html: string, id: string): string {
  const start = html.indexOf(`id="${id}"`);
  expect(start, id).toBeGreaterThan(-1);
  const tag = html.lastIndexOf('<', start);
  const name = /^<(\w+)/.exec(html.slice(tag))![1]!;
  const end = html.indexOf(`</${name}>`, start);
  return html.slice(tag, end).replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
}

describe('the access report', () => {
  const html = render('en-GB');

  it('opens with a summary: what was found where, in words and counts, before any record', () => {
    const summary = section(html, 'summary');
    expect(html.indexOf('id="summary"')).toBeLessThan(html.indexOf('class="record"'));
    expect(summary).toContain('We found 3 records about you in 3 of the 4 systems we searched.');
    expect(summary).toContain('Example Video account store : Your account: 1');
    expect(summary).toContain('Stripe (payments) : Card payments: 1');
    expect(summary).toContain('We searched these systems and found nothing about you: Salesforce (customer and process management).');
    expect(summary).toContain('We received your request 1 December 2026');
    // Prepared on 6 December; the example configuration keeps the download link for 7 days.
    expect(summary).toContain('Download this package again until 13 December 2026');
    expect(summary).toContain('What you can do now');
  });

  it('shows each record under labels from the field dictionary, without ids or bookkeeping fields', () => {
    const stripe = section(html, 'system-stripe');
    expect(stripe).toContain('Amount €12.00');
    expect(stripe).toContain('Fraud risk score (Stripe Radar) (our assessment) 23');
    expect(stripe).toContain('Paid Yes');
    for (const raw of ['ch_0001', 'cus_123', 'pi_0001', 'livemode', 'payment_intent', 'authorized']) expect(stripe).not.toContain(raw);
    expect(section(html, 'system-accounts')).not.toContain('acc_000000');
  });

  it('shows Unix timestamps and ISO times as dates in the request zone', () => {
    // 1735725600 is 2025-01-01T10:00Z; 22:30Z on 3 July is already 4 July in Oslo.
    expect(section(html, 'system-stripe')).toContain('Created 1 January 2025 at 11:00');
    expect(section(html, 'system-calls')).toContain('Started 4 July 2026 at 00:30');
    expect(html).not.toContain('1735725600');
  });

  it('puts every object and every record in a details element, which needs no script', () => {
    expect(html).toMatch(/<details class="object"><summary>Card payments \(1\)<\/summary>/);
    expect(html).toMatch(/<details class="record"><summary>1 January 2025 · Business plan<\/summary>/);
    expect(html).not.toMatch(/<script|<table/);
    expect(html).toContain("default-src 'none'");
    expect(html).toContain('@media print');
  });

  it('states for each system with data its purposes, legal bases, recipients, retention, source and transfers', () => {
    const stripe = section(html, 'system-stripe');
    expect(stripe).toContain('Why we have it Taking payment for the service, invoicing and bookkeeping.');
    expect(stripe).toContain('Our legal basis');
    expect(stripe).toContain('Who receives it Stripe: processes your payments and invoices (processes data on our behalf; United States)');
    expect(stripe).toContain('five years after the end of the financial year');
    expect(stripe).toContain('Outside the EU/EEA Stripe (United States): The EU-US Data Privacy Framework');
    expect(section(html, 'system-calls')).toContain('Who receives it Nobody outside our company.');
    expect(section(html, 'system-calls')).toContain('How long we keep it Two years by default, then deleted.');
  });

  it('names only the recipients of the systems where data was found', () => {
    const recipients = section(html, 'recipients');
    expect(recipients).toContain('Stripe');
    expect(recipients).toContain('Google');
    for (const absent of ['Salesforce', 'HubSpot', 'Microsoft', 'merger', 'Social media', 'Public authorities']) expect(recipients).not.toContain(absent);
  });

  it('lists the inferred and derived fields found under profiling, beside the statement on automated decisions', () => {
    const profiling = section(html, 'automated-decisions');
    expect(profiling).toContain('Example Video account store : Risk that you leave us, Engagement score');
    expect(profiling).toContain('Stripe (payments) : Fraud risk level (Stripe Radar), Fraud risk score (Stripe Radar)');
    expect(profiling).toContain('We make no decisions based solely on automated processing');
  });

  it('states the rights once, and the right to complain with the authority', () => {
    expect(html.match(/rectif|correct data/gi)).toHaveLength(1);
    expect(section(html, 'complaint')).toContain('Datatilsynet, PO Box 8177, 0034 Oslo, Norway');
  });

  it('says which systems it searched instead of claiming every system was searched', () => {
    const coverage = section(html, 'not-included');
    expect(coverage).toContain('We searched these 4 systems for data about you');
    expect(html).not.toMatch(/every system that holds personal data/i);
  });

  it('lists the systems staff accepted as missing, with the reason', () => {
    const withMissing = render('en', SYSTEMS, [{ connectorId: 'hubspot', displayName: 'HubSpot (communication and marketing)', reason: 'HubSpot was down; accepted by staff.' }]);
    expect(section(withMissing, 'summary')).toContain('We could not include the data from these systems: HubSpot (communication and marketing).');
    expect(section(withMissing, 'not-included')).toContain('HubSpot (communication and marketing) : HubSpot was down; accepted by staff.');
  });
});

describe('the access report in Norwegian Bokmål', () => {
  const html = render('nb-NO');

  it('says in words, in the subject language and zone, since when they opted out of marketing in a system', () => {
    const optOut: RecordView = { id: 'marketing-opt-out:accounts', data: { optedOutOfMarketing: true, optedOutAt: '2026-02-10T23:30:00.000Z' } };
    const systems = [planned('accounts', { account: [account], marketing_opt_out: [optOut] })];

    expect(section(render('nb-NO', systems), 'system-accounts')).toContain('Du reserverte deg mot markedsføring 11. februar 2026');
    expect(section(render('en', systems), 'system-accounts')).toContain('You opted out of marketing on 11 February 2026');
  });

  it('is written in Norwegian, with Norwegian dates, money and labels', () => {
    expect(html).toContain('<html lang="nb-NO">');
    expect(section(html, 'summary')).toContain('Vi fant 3 oppføringer om deg i 3 av de 4 systemene vi søkte i.');
    const stripe = section(html, 'system-stripe');
    expect(stripe).toContain('Opprettet 1. januar 2025');
    expect(stripe).toMatch(/Beløp 12,00\s€/);
    expect(stripe).toContain('Hvorfor vi har dem Betaling for tjenesten, fakturering og bokføring.');
    expect(stripe).toContain('Hvem som mottar dem Stripe: behandler betalingene og fakturaene dine (behandler opplysninger på våre vegne; USA)');
    expect(section(html, 'automated-decisions')).toContain('Vi tar ingen avgjørelser som bare bygger på automatisk behandling');
  });
});
