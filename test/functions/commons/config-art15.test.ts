import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig, recipientName } from '#commons/config';
import { localText } from '#commons/local-text';
import { exampleConfigJson } from '../../support/in-memory-context.ts';

type Raw = { connectors: Array<Record<string, any>>; privacyNotice: Record<string, any> };

describe('the Art. 15 facts and field dictionary in configuration', () => {
  it('gives every connector of the example its purposes, legal bases, recipients, retention, source and transfers', () => {
    const config = parseConfig(exampleConfigJson());
    for (const c of config.connectors) {
      expect(c.art15, c.id).toBeDefined();
      expect(c.art15!.purposes.length, c.id).toBeGreaterThan(0);
      expect(c.art15!.legalBases.length, c.id).toBeGreaterThan(0);
      // Every transfer names a recipient of the system, and every US recipient has its transfer.
      const names = c.art15!.recipients.map(recipientName);
      for (const t of c.art15!.transfers) expect(names).toContain(t.recipient);
      const us = names.filter((name) => config.privacyNotice.recipients.find((r) => r.name === name)?.thirdCountry);
      expect(c.art15!.transfers.map((t) => t.recipient).sort(), c.id).toEqual(us.sort());
    }
  });

  it('rejects a system recipient the privacy notice does not list, naming it', () => {
    const raw = exampleConfigJson() as Raw;
    raw.connectors[0]!.art15.recipients = ['Acme Data Brokers'];

    expect(() => parseConfig(raw)).toThrow(ConfigError);
    expect(() => parseConfig(raw)).toThrow(/connectors\.accounts\.art15\.recipients: "Acme Data Brokers" is not in privacyNotice\.recipients/);
  });

  it('rejects a recipient given with its purpose when the privacy notice does not list it', () => {
    const raw = exampleConfigJson() as Raw;
    raw.connectors[0]!.art15.recipients = [{ name: 'Acme Data Brokers', purpose: { en: 'resale' } }];

    expect(() => parseConfig(raw)).toThrow(/"Acme Data Brokers" is not in privacyNotice\.recipients/);
  });

  it('rejects a transfer to a recipient the privacy notice does not list', () => {
    const raw = exampleConfigJson() as Raw;
    raw.connectors[0]!.art15.transfers = [{ recipient: 'Nowhere Inc', country: 'US', safeguards: 'none' }];

    expect(() => parseConfig(raw)).toThrow(/art15\.transfers: "Nowhere Inc" is not in privacyNotice\.recipients/);
  });

  it('accepts a configuration without art15 blocks or field labels, as before', () => {
    const raw = exampleConfigJson() as Raw;
    for (const c of raw.connectors) {
      delete c.art15;
      for (const o of Object.values((c.objects ?? {}) as Record<string, any>)) delete o.fields, delete o.label;
    }

    expect(parseConfig(raw).connectors.every((c) => c.art15 === undefined)).toBe(true);
  });

  it('rejects a field format it does not know, with its path', () => {
    const raw = exampleConfigJson() as Raw;
    raw.connectors[0]!.objects.account.fields.createdAt = { format: 'julian' };

    expect(() => parseConfig(raw)).toThrow(/connectors\.0\.objects\.account\.fields\.createdAt\.format/);
  });
});

describe('localText', () => {
  it('reads the language asked for, else English, else the first one given', () => {
    expect(localText({ en: 'Payments', nb: 'Betalinger' }, 'nb')).toBe('Betalinger');
    expect(localText({ en: 'Payments', nb: 'Betalinger' }, 'sv')).toBe('Payments');
    expect(localText({ nb: 'Betalinger' }, 'en')).toBe('Betalinger');
    expect(localText('Payments', 'nb')).toBe('Payments');
  });
});
