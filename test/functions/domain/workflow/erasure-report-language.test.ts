/**
 * The erasure report keeps English names and reasons (what staff and the audit read); the subject reads
 * it in their language, with what the configuration says per language put back: system names,
 * recipients, and the reasons a `retain` policy gives.
 */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '#commons/config';
import { erasureReportIn } from '#domain/workflow/erasure-report-language';
import type { ErasureReport } from '#domain/requests/model';
import { translator } from '#domain/i18n/index';
import { erasureReportLines } from '#domain/notifications/templates';
import { exampleConfigJson } from '../../../support/in-memory-context.ts';

const config = parseConfig(exampleConfigJson());
const BOOKKEEPING = 'Norwegian Bookkeeping Act (bokføringsloven) § 13: accounting records are kept for five years (GDPR Art. 17(3)(b))';

const stored: ErasureReport = {
  completedAt: '2026-03-02T10:00:00.000Z',
  systems: [
    {
      connectorId: 'stripe',
      displayName: 'Stripe (payments)',
      items: [
        { object: 'charges', action: 'retained', count: 2, legalBasis: BOOKKEEPING, retentionPeriod: '5 years after the end of the financial year' },
        // A reason the connector gave itself (with its catalogue key) is not the configuration's.
        { object: 'invoiceitems', action: 'retained', count: 1, legalBasis: 'Part of an issued invoice, kept with the invoice', retentionPeriod: 'As long as the invoice is kept', reason: 'erasure.why.invoice_item' },
        { object: 'customers', action: 'deleted', count: 1 },
      ],
      confirmed: true,
    },
  ],
  recipientsNotified: [{ name: 'Stripe (payments)', how: 'erasure_api', at: '2026-03-02T10:00:00.000Z' }],
  notErased: [{ connectorId: 'hubspot', displayName: 'HubSpot (communication and marketing)', reason: 'HubSpot was down.' }],
  recipientsNotTold: [{ name: 'Public authorities', reason: 'staff', systems: ['HubSpot (communication and marketing)'] }],
};

describe('the erasure report in the subject\'s language', () => {
  it('names systems and recipients, and gives the configured reasons for keeping records, in Norwegian', () => {
    const nb = erasureReportIn(config, stored, 'nb');

    expect(nb.systems[0]!.displayName).toBe('Stripe (betalinger)');
    expect(nb.systems[0]!.items[0]).toMatchObject({ legalBasis: 'Bokføringsloven § 13: regnskapsmateriale oppbevares i fem år (GDPR art. 17 nr. 3 bokstav b)', retentionPeriod: 'Fem år etter utgangen av regnskapsåret' });
    expect(nb.systems[0]!.items[1]).toEqual(stored.systems[0]!.items[1]);
    expect(nb.recipientsNotified[0]!.name).toBe('Stripe (betalinger)');
    expect(nb.notErased[0]!.displayName).toBe('HubSpot (kommunikasjon og markedsføring)');
    expect(nb.recipientsNotTold).toEqual([{ name: 'Offentlige myndigheter', reason: 'staff', systems: ['HubSpot (kommunikasjon og markedsføring)'] }]);
  });

  it('reads as a Norwegian mail with no English configuration text left in it', () => {
    const text = erasureReportLines(erasureReportIn(config, stored, 'nb'), translator('nb-NO')).join('\n');

    expect(text).toContain('Stripe (betalinger)');
    expect(text).toContain('Bokføringsloven § 13');
    // The recipient staff will tell is named, since HubSpot (not erased) may hold the subject's data.
    expect(text).toContain('Offentlige myndigheter');
    expect(text).not.toMatch(/Stripe \(payments\)|Norwegian Bookkeeping Act|Public authorities|HubSpot \(communication/);
  });

  it('leaves the English record as it is for an English reader', () => {
    expect(erasureReportIn(config, stored, 'en')).toEqual(stored);
  });

  it('keeps a name or reason the configuration no longer has as stored', () => {
    const gone: ErasureReport = {
      ...stored,
      systems: [{ connectorId: 'old-crm', displayName: 'Old CRM', items: [{ object: 'x', action: 'retained', count: 1, legalBasis: 'A changed reason', retentionPeriod: '1 year' }], confirmed: true }],
    };
    const stripe = { ...stored.systems[0]!, items: [{ ...stored.systems[0]!.items[0]!, legalBasis: 'An older wording of the policy' }] };

    expect(erasureReportIn(config, gone, 'nb').systems[0]).toEqual(gone.systems[0]);
    expect(erasureReportIn(config, { ...stored, systems: [stripe] }, 'nb').systems[0]!.items[0]!.legalBasis).toBe('An older wording of the policy');
  });

  it('reads a configuration that gives plain strings in every language', () => {
    const json = exampleConfigJson() as { connectors: Array<{ id: string }> };
    const plain = parseConfig({ ...json, connectors: json.connectors.map((c) => (c.id === 'stripe' ? { ...c, displayName: 'Stripe' } : c)) });

    expect(erasureReportIn(plain, { ...stored, systems: [{ ...stored.systems[0]!, displayName: 'Stripe' }] }, 'nb').systems[0]!.displayName).toBe('Stripe');
  });
});
