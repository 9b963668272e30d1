import { describe, expect, it } from 'vitest';
import { parseConfig } from '#commons/config';
import { ObjectDictionary, humanize } from '../../../../functions/domain/package/dictionary.ts';
import { exampleConfigJson } from '../../../support/in-memory-context.ts';

const config = parseConfig(exampleConfigJson());
const connector = (id: string) => config.connectors.find((c) => c.id === id)!;

describe('the field dictionary', () => {
  it("names a vendor's object and fields from the connector's defaults, in the reader's language", () => {
    const charges = new ObjectDictionary(connector('stripe'), 'charges', 'nb');

    expect(charges.label).toBe('Kortbetalinger');
    expect(charges.field('amount')).toMatchObject({ label: 'Beløp', format: 'minor-units', hidden: false });
    expect(charges.field('outcome.risk_score').label).toBe('Risikopoeng for svindel (Stripe Radar)');
  });

  it('hides vendor ids and bookkeeping fields, and everything below a hidden field', () => {
    const charges = new ObjectDictionary(connector('stripe'), 'charges', 'en');

    for (const path of ['id', 'object', 'livemode', 'customer', 'payment_intent', 'metadata.plan']) expect(charges.field(path).hidden, path).toBe(true);
    expect(new ObjectDictionary(connector('salesforce'), 'Contact', 'en').field('AccountId').hidden).toBe(true);
  });

  it("lets the configuration override a connector's default, entry by entry", () => {
    const custom = structuredClone(connector('stripe'));
    custom.objects.charges = { ...custom.objects.charges!, label: { en: 'Payments' }, fields: { amount: { label: 'Paid' }, customer: { hidden: false } } };
    const charges = new ObjectDictionary(custom, 'charges', 'en');

    expect(charges.label).toBe('Payments');
    expect(charges.field('amount').label).toBe('Paid');
    expect(charges.field('customer').hidden).toBe(false);
    expect(charges.field('currency').label).toBe('Currency');
  });

  it('reads the labels the example configuration gives its own stores', () => {
    const account = new ObjectDictionary(connector('accounts'), 'account', 'nb');

    expect(account.label).toBe('Kontoen din');
    expect(account.field('churnRisk').label).toBe('Risiko for at du slutter');
    expect(account.field('accountId').hidden).toBe(true);
  });

  it('makes a label from the name of a field nobody named', () => {
    expect(humanize('amount_refunded')).toBe('Amount refunded');
    expect(humanize('lastLoginIp')).toBe('Last login ip');
    expect(humanize('hs_email_subject')).toBe('Email subject');
    expect(new ObjectDictionary(connector('stripe'), 'charges', 'en').field('shipping.address.state').label).toBe('Shipping, address, state');
  });
});
