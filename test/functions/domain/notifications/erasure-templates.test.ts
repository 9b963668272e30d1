import { describe, expect, it } from 'vitest';
import { erasureReport, erasureReportLines, recipientErasureNotice, type ErasureReportFacts } from '#domain/notifications/templates';
import { exampleConfig } from '../requests/support.ts';

const config = exampleConfig();
const facts = { requestId: 'dsar_abc12345', type: 'erasure', receivedDate: '2026-03-02', dueDate: '2026-04-02', name: 'Alice' };
const NOTHING_FOUND = 'We found no personal data about you in any of our systems, so there was nothing to erase.';

const report = (over: Partial<ErasureReportFacts> = {}): ErasureReportFacts => ({ systems: [], recipientsNotified: [], notErased: [], ...over });

describe('erasureReportLines', () => {
  it('says nothing was found when every system answered not found, and lists no system', () => {
    const lines = erasureReportLines(
      report({
        systems: [
          { displayName: 'Accounts', items: [{ object: 'account', action: 'not_found', count: 0 }], confirmed: true },
          { displayName: 'HubSpot', items: [], confirmed: true },
        ],
      }),
    );

    expect(lines).toEqual([NOTHING_FOUND]);
  });

  it('does not say nothing was found when staff accepted a system as not erased', () => {
    const lines = erasureReportLines(report({ notErased: [{ displayName: 'Call history', reason: 'Offline until April.' }] }));

    expect(lines).not.toContain(NOTHING_FOUND);
    expect(lines).toEqual([
      'We could not erase your data, or could not confirm that it was erased, in these systems:',
      '  - Call history: your data may still be there. Why: Offline until April.',
    ]);
  });

  it('says a deletion the vendor completes later was submitted, and within how many days the vendor completes it', () => {
    const lines = erasureReportLines(
      report({
        systems: [
          {
            displayName: 'HubSpot',
            items: [
              { object: 'contacts', action: 'deleted', count: 1, completion: { vendor: 'HubSpot', withinDays: 30 } },
              { object: 'companies', action: 'retained', count: 1, legalBasis: 'Shared', retentionPeriod: 'In use' },
            ],
            confirmed: true,
          },
        ],
      }),
    );

    expect(lines).toEqual([
      'HubSpot:',
      '  - 1 contacts record: deletion submitted; HubSpot completes it within 30 days.',
      '  - 1 companies record kept: Shared. How long: In use.',
    ]);
  });

  it('says plainly under a system that its read-back did not confirm the erasure', () => {
    const lines = erasureReportLines(report({ systems: [{ displayName: 'Accounts', items: [{ object: 'account', action: 'deleted', count: 1 }], confirmed: false }] }));

    expect(lines).toEqual(['Accounts:', '  - 1 account record deleted.', '  (We could not confirm this by reading the system back.)']);
  });

  it('lists deleted and anonymized records per system, with singular and plural', () => {
    const lines = erasureReportLines(
      report({
        systems: [
          {
            displayName: 'Salesforce',
            items: [
              { object: 'Contact', action: 'deleted', count: 1 },
              { object: 'Task', action: 'anonymized', count: 3 },
              { object: 'Lead', action: 'not_found', count: 0 },
            ],
            confirmed: true,
          },
        ],
      }),
    );

    expect(lines).toEqual(['Salesforce:', '  - 1 Contact record deleted.', '  - 3 Task records anonymized.']);
  });

  it('states for kept records the legal basis and until when', () => {
    const lines = erasureReportLines(
      report({
        systems: [
          {
            displayName: 'Stripe',
            items: [
              { object: 'charges', action: 'retained', count: 4, legalBasis: 'Bookkeeping Act § 13', retentionPeriod: '5 years after the financial year' },
              { object: 'invoices', action: 'retained', count: 1 },
            ],
            confirmed: true,
          },
        ],
      }),
    );

    expect(lines).toContain('  - 4 charges records kept: Bookkeeping Act § 13. How long: 5 years after the financial year.');
    expect(lines).toContain('  - 1 invoices record kept: legal obligation. How long: until the end of the retention period.');
    expect(lines).not.toContain(NOTHING_FOUND);
  });

  it('notes under a system that cannot be read back that its deletion was not confirmed', () => {
    const lines = erasureReportLines(
      report({
        systems: [
          { displayName: 'Google Analytics', items: [{ object: 'user', action: 'deleted', count: 1 }], confirmed: 'not_verifiable' },
          { displayName: 'Accounts', items: [{ object: 'account', action: 'deleted', count: 1 }], confirmed: true },
        ],
      }),
    );

    expect(lines).toEqual([
      'Google Analytics:',
      '  - 1 user record deleted.',
      '  (This system accepts deletion requests but cannot be read back to confirm them.)',
      'Accounts:',
      '  - 1 account record deleted.',
    ]);
  });

  it('names the recipients told about the erasure, each with the date', () => {
    const lines = erasureReportLines(
      report({
        systems: [{ displayName: 'Stripe', items: [{ object: 'customers', action: 'deleted', count: 1 }], confirmed: true }],
        recipientsNotified: [
          { name: 'Stripe', how: 'erasure_api', at: '2026-03-01T23:59:00.000Z' },
          { name: 'Resale partners', how: 'email', at: '2026-03-02T10:00:00.000Z' },
        ],
      }),
    );

    expect(lines.slice(-3)).toEqual([
      'We told these recipients of your data about the erasure:',
      '  - Stripe, on 2026-03-01',
      '  - Resale partners, on 2026-03-02',
    ]);
  });
});

describe('erasureReportLines for recipients not told by the erasure itself', () => {
  it('names the recipients our staff will tell, and those that had nothing to be told', () => {
    const lines = erasureReportLines(
      report({
        recipientsNotified: [{ name: 'Stripe (payments)', how: 'erasure_api', at: '2026-03-02T10:00:00.000Z' }],
        recipientsNotTold: [
          { name: 'Microsoft', reason: 'staff' },
          { name: 'HubSpot', reason: 'nothing_erased' },
        ],
      }),
    );

    expect(lines.slice(-6)).toEqual([
      'We told these recipients of your data about the erasure:',
      '  - Stripe (payments), on 2026-03-02',
      'Our staff will tell these recipients of your data about the erasure:',
      '  - Microsoft, to be told by our staff',
      'These recipients had nothing to be told, because nothing of yours was erased in their systems:',
      '  - HubSpot',
    ]);
  });
});

describe('erasureReport', () => {
  it('mails the report lines, the status link when given and the right to complain', () => {
    const facts_ = report({ systems: [{ displayName: 'Stripe', items: [{ object: 'customers', action: 'deleted', count: 2 }], confirmed: true }] });

    const email = erasureReport(config, facts, facts_, 'https://privacy.example/status?id=dsar_abc12345');

    expect(email.subject).toBe('Your data was erased (dsar_abc12345)');
    expect(email.text).toContain('Hello,\n\nName on the request: "Alice"');
    expect(email.text).toContain(erasureReportLines(facts_).join('\n'));
    expect(email.text).toContain('https://privacy.example/status?id=dsar_abc12345');
    expect(email.text).toContain(config.supervisoryAuthority.name);
  });

  it('leaves out the status link when there is none', () => {
    const email = erasureReport(config, facts, report());

    expect(email.text).not.toContain('The same report is on your request page');
    expect(email.text).toContain(NOTHING_FOUND);
  });

  it('escapes what configuration puts into the HTML body', () => {
    const facts_ = report({
      systems: [{ displayName: 'Shop <b>&</b> Co', items: [{ object: 'orders', action: 'retained', count: 1, legalBasis: 'Tax <law>', retentionPeriod: '5 years' }], confirmed: true }],
    });

    const email = erasureReport(config, facts, facts_);

    expect(email.html).toContain('Shop &lt;b&gt;&amp;&lt;/b&gt; Co:');
    expect(email.html).toContain('Tax &lt;law&gt;');
    expect(email.html).not.toContain('<b>');
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
