import { describe, expect, it } from 'vitest';
import { translator } from '#domain/i18n/index';
import { erasureReport, erasureReportLines, type ErasureReportFacts } from '#domain/notifications/templates';
import { recipientErasureNotice } from '#domain/notifications/staff-mails';
import { exampleConfig } from '../../../support/in-memory-context.ts';

const config = exampleConfig();
const facts = { requestId: 'dsar_abc12345', type: 'erasure', receivedDate: '2026-03-02', dueDate: '2026-04-02', name: 'Alice' };
const en = translator('en');
const nb = translator('nb-NO');
const NOTHING_FOUND = 'We found no personal data about you in any of our systems, so there was nothing to erase.';
const BOOKKEEPING = 'Norwegian Bookkeeping Act § 13: accounting records are kept for five years';

const report = (over: Partial<ErasureReportFacts> = {}): ErasureReportFacts => ({ systems: [], recipientsNotified: [], notErased: [], ...over });
const kinds = (id: string) => ({ stripe: 'stripe', salesforce: 'salesforce', hubspot: 'hubspot', 'google-analytics': 'google-analytics' })[id];
const lines = (r: ErasureReportFacts, t = en) => erasureReportLines(r, t, kinds);

/** What bob's Stripe erasure reports: a masked customer kept as the key to the billing records, and billing records kept. */
const stripe: ErasureReportFacts['systems'][number] = {
  connectorId: 'stripe',
  displayName: 'Stripe (payments)',
  items: [
    { object: 'customers', action: 'anonymized', count: 2, alsoRetained: true },
    { object: 'customers', action: 'retained', count: 2, legalBasis: 'Kept only as the key that finds the billing records', retentionPeriod: 'As long as the billing records' },
    { object: 'payment_intents', action: 'retained', count: 3, legalBasis: BOOKKEEPING, retentionPeriod: '5 years after the end of the financial year' },
    { object: 'charges', action: 'retained', count: 1, legalBasis: BOOKKEEPING, retentionPeriod: '5 years after the end of the financial year' },
    { object: 'invoiceitems', action: 'deleted', count: 1 },
    { object: 'invoiceitems', action: 'retained', count: 2, reason: 'erasure.why.invoice_item', legalBasis: 'Part of an issued invoice, kept with the invoice', retentionPeriod: 'As long as the invoice is kept' },
    { object: 'tax_ids', action: 'not_found', count: 0 },
  ],
  confirmed: true,
};

describe('erasureReportLines', () => {
  it('says nothing was found when every system answered not found, and lists no system', () => {
    const out = lines(
      report({
        systems: [
          { displayName: 'Accounts', items: [{ object: 'account', action: 'not_found', count: 0 }], confirmed: true },
          { displayName: 'HubSpot', items: [], confirmed: true },
        ],
      }),
    );

    expect(out).toEqual([NOTHING_FOUND]);
  });

  it('gives one line per object under its display name, counts each record once, and states each reason to keep once', () => {
    expect(lines(report({ systems: [stripe] }))).toEqual([
      'Stripe (payments)',
      '  - Customer profile: 2 records kept with your details masked, except what is needed to find them (reason 1).',
      '  - Payments: 3 records kept (reason 2).',
      '  - Card charges: 1 record kept (reason 2).',
      '  - Invoice lines: 1 record deleted; 2 records kept (reason 3).',
      'Why we keep some of your data:',
      '  - 1. Kept only as the key that finds the billing records. For how long: As long as the billing records.',
      `  - 2. ${BOOKKEEPING}. For how long: 5 years after the end of the financial year.`,
      '  - 3. Part of an issued invoice, kept with the invoice. For how long: As long as the invoice is kept.',
    ]);
  });

  it('reads the same report in Norwegian, with a connector’s own reason translated and a configured one as configured', () => {
    expect(lines(report({ systems: [stripe] }), nb)).toEqual([
      'Stripe (payments)',
      '  - Kundeprofil: 2 oppføringer beholdt med opplysningene dine skjult, bortsett fra det som trengs for å finne dem (grunn 1).',
      '  - Betalinger: 3 oppføringer beholdt (grunn 2).',
      '  - Kortbelastninger: 1 oppføring beholdt (grunn 2).',
      '  - Fakturalinjer: 1 oppføring slettet; 2 oppføringer beholdt (grunn 3).',
      'Derfor beholder vi noen av opplysningene dine:',
      '  - 1. Kept only as the key that finds the billing records. Hvor lenge: As long as the billing records.',
      `  - 2. ${BOOKKEEPING}. Hvor lenge: 5 years after the end of the financial year.`,
      '  - 3. Del av en utstedt faktura, og oppbevares sammen med fakturaen. Hvor lenge: Så lenge fakturaen oppbevares.',
    ]);
  });

  it('does not say nothing was found when staff accepted a system as not erased', () => {
    const out = lines(report({ notErased: [{ displayName: 'Call history', reason: 'Offline until April.' }] }));

    expect(out).toEqual([
      'We could not erase your data, or could not confirm that it was erased, in these systems:',
      '  - Call history: your data may still be there. Why: Offline until April.',
    ]);
  });

  it('says a deletion the vendor completes later was requested, and within how many days the vendor completes it', () => {
    const out = lines(
      report({
        systems: [
          {
            connectorId: 'hubspot',
            displayName: 'HubSpot',
            items: [
              { object: 'contacts', action: 'deleted', count: 1, completion: { vendor: 'HubSpot', withinDays: 30 } },
              { object: 'companies', action: 'retained', count: 1, reason: 'erasure.why.shared_record', legalBasis: 'Shared', retentionPeriod: 'In use' },
            ],
            confirmed: true,
          },
        ],
      }),
    );

    expect(out.slice(0, 3)).toEqual([
      'HubSpot',
      '  - Contact: deletion of 1 record requested; HubSpot completes it within 30 days.',
      '  - Companies: 1 record kept (reason 1).',
    ]);
    expect(out[4]).toBe('  - 1. The record is shared with other people as well; only your contact and its link to the record were removed. For how long: As long as the record is in use.');
  });

  it('makes an object no connector names readable, and says under a system when its read-back did not confirm the erasure', () => {
    const out = lines(
      report({
        systems: [
          { displayName: 'Accounts', items: [{ object: 'user_profile', action: 'deleted', count: 1 }], confirmed: false },
          { connectorId: 'google-analytics', displayName: 'Google Analytics', items: [{ object: 'recipient', action: 'deleted', count: 1 }], confirmed: 'not_verifiable' },
        ],
      }),
    );

    expect(out).toEqual([
      'Accounts',
      '  - User profile: 1 record deleted.',
      '  - We could not confirm this by reading the system back.',
      'Google Analytics',
      '  - Analytics identifiers: 1 record deleted.',
      '  - This system accepts deletion requests but cannot be read back to confirm them.',
    ]);
  });

  it('lists anonymised records that are not kept as well, and states a default when no basis is on record', () => {
    const out = lines(
      report({
        systems: [
          {
            connectorId: 'salesforce',
            displayName: 'Salesforce',
            items: [
              { object: 'Lead', action: 'anonymized', count: 3 },
              { object: 'Lead', action: 'retained', count: 1 },
            ],
            confirmed: true,
          },
        ],
      }),
    );

    expect(out).toEqual([
      'Salesforce',
      '  - Sales leads: 3 records anonymised (what identified you was removed); 1 record kept (reason 1).',
      'Why we keep some of your data:',
      '  - 1. A legal obligation. For how long: until the end of the retention period.',
    ]);
  });

  it('names the recipients told about the erasure, each with the date in the reader’s language', () => {
    const r = report({
      systems: [{ displayName: 'Stripe', items: [{ object: 'customers', action: 'deleted', count: 1 }], confirmed: true }],
      recipientsNotified: [
        { name: 'Stripe', how: 'erasure_api', at: '2026-03-01T23:59:00.000Z' },
        { name: 'Resale partners', how: 'email', at: '2026-03-02T10:00:00.000Z' },
      ],
    });

    expect(lines(r).slice(-3)).toEqual(['We told these recipients of your data about the erasure:', '  - Stripe, on 1 March 2026', '  - Resale partners, on 2 March 2026']);
    expect(lines(r, nb).slice(-2)).toEqual(['  - Stripe, 1. mars 2026', '  - Resale partners, 2. mars 2026']);
  });
});

describe('erasureReportLines for recipients not told by the erasure itself', () => {
  it('names a recipient our staff will tell only when a system of theirs held the subject’s data, and never one with nothing to be told', () => {
    const out = lines(
      report({
        systems: [
          { displayName: 'Stripe (payments)', items: [{ object: 'customers', action: 'deleted', count: 1 }], confirmed: true },
          { displayName: 'Call history', items: [{ object: 'call', action: 'not_found', count: 0 }], confirmed: true },
        ],
        notErased: [{ displayName: 'Salesforce', reason: 'Down' }],
        recipientsNotified: [{ name: 'Stripe (payments)', how: 'erasure_api', at: '2026-03-02T10:00:00.000Z' }],
        recipientsNotTold: [
          { name: 'Microsoft', reason: 'staff' },
          { name: 'Public authorities', reason: 'staff', systems: [] },
          { name: 'Call archive partner', reason: 'staff', systems: ['Call history'] },
          { name: 'Stripe billing partner', reason: 'staff', systems: ['Stripe (payments)'] },
          { name: 'Salesforce', reason: 'staff', systems: ['Salesforce'] },
          { name: 'HubSpot', reason: 'nothing_erased', systems: ['HubSpot'] },
        ],
      }),
    );

    expect(out.slice(-3)).toEqual(['Our staff will tell these recipients of your data about the erasure:', '  - Stripe billing partner', '  - Salesforce']);
    expect(out.join('\n')).not.toMatch(/Microsoft|Public authorities|Call archive partner|HubSpot/);
  });
});

describe('erasureReport', () => {
  it('mails the report, the status link when given and the right to complain', () => {
    const facts_ = report({ systems: [{ displayName: 'Stripe', items: [{ object: 'customers', action: 'deleted', count: 2 }], confirmed: true }] });

    const email = erasureReport(config, facts, facts_, 'https://privacy.example/status?id=dsar_abc12345', en);

    expect(email.subject).toBe('Your data was erased (dsar_abc12345)');
    expect(email.text).toContain('Hello,\n\nName on the request: "Alice"');
    expect(email.text).toContain(erasureReportLines(facts_, en).join('\n'));
    expect(email.text).toContain('https://privacy.example/status?id=dsar_abc12345');
    expect(email.text).toContain(config.supervisoryAuthority.name);
  });

  it('names objects by the kind of the configured connector', () => {
    const email = erasureReport(config, facts, report({ systems: [stripe] }), undefined, en);

    expect(email.text).toContain('  - Payments: 3 records kept (reason 2).');
    expect(email.text).not.toContain('payment_intents');
  });

  it('shows the report as lists, not a table, so it fits a phone', () => {
    const email = erasureReport(config, facts, report({ systems: [stripe] }), undefined, nb);

    expect(email.html).not.toContain('<table');
    expect(email.html).toContain('<li>Betalinger: 3 oppføringer beholdt (grunn 2).</li>');
    expect(email.html).toContain('name="viewport"');
  });

  it('leaves out the status link when there is none', () => {
    const email = erasureReport(config, facts, report(), undefined, en);

    expect(email.text).not.toContain('The same report is on your request page');
    expect(email.text).toContain(NOTHING_FOUND);
  });

  it('escapes what configuration puts into the HTML body', () => {
    const facts_ = report({
      systems: [{ displayName: 'Shop <b>&</b> Co', items: [{ object: 'orders', action: 'retained', count: 1, legalBasis: 'Tax <law>', retentionPeriod: '5 years' }], confirmed: true }],
    });

    const email = erasureReport(config, facts, facts_, undefined, en);

    expect(email.html).toContain('Shop &lt;b&gt;&amp;&lt;/b&gt; Co');
    expect(email.html).toContain('Tax &lt;law&gt;');
    expect(email.html).not.toContain('<b>');
  });

  it('is written in Norwegian for a Norwegian reader, and in English for a language without a catalogue', () => {
    const r = report({ systems: [stripe] });

    expect(erasureReport(config, facts, r, undefined, nb).subject).toBe('Opplysningene dine er slettet (dsar_abc12345)');
    expect(erasureReport(config, facts, r, undefined, nb).text).toContain('Vi er ferdige med forespørselen din om sletting (dsar_abc12345). Dette har vi gjort:');
    expect(erasureReport(config, facts, r, undefined, translator('de')).text).toBe(erasureReport(config, facts, r, undefined, en).text);
  });
});

describe('recipientErasureNotice', () => {
  it('tells a recipient under Art. 19 whose data was erased, when and under which request, and asks it to erase its copy', () => {
    const email = recipientErasureNotice(config, 'dsar_abc12345', 'Alice@Example.com', '2026-03-02T10:00:00.000Z');

    expect(email.subject).toBe('Erasure notice under GDPR Art. 19 (dsar_abc12345)');
    expect(email.text).toContain('on 2026-03-02 we erased the personal data of the data subject identified by Alice@Example.com at their request (dsar_abc12345)');
    expect(email.text).toContain('Please erase any copy of their personal data');
    expect(email.text).toContain(config.organisation.dpo.email);
    expect(email.html).toContain('Alice@Example.com');
  });
});
