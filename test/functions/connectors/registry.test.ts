import { describe, expect, it } from 'vitest';
import { policyFor } from '#connectors/policy';
import { ConnectorRegistry } from '#connectors/registry';
import { ConnectorMisconfigured } from '#connectors/errors';
import { exampleConfig } from '../../support/in-memory-context.ts';

describe('ConnectorRegistry', () => {
  const config = exampleConfig();
  const registry = new ConnectorRegistry(config, async () => ({}));

  it('builds each configured connector once', () => {
    const a = registry.get('accounts');

    expect(a.id).toBe('accounts');
    expect(registry.get('accounts')).toBe(a);
    expect(registry.get('calls').config.kind).toBe('s3');
  });

  it('keeps the marketing capability of the systems that market, and gives none to the others', () => {
    expect(['accounts', 'salesforce', 'hubspot'].filter((id) => registry.get(id).marketing)).toEqual(['accounts', 'salesforce', 'hubspot']);
    expect(['calls', 'stripe', 'google-analytics'].filter((id) => registry.get(id).marketing)).toEqual([]);
  });

  it('gives the rectify capability to the account store and Salesforce, and none to the call history or Google Analytics', () => {
    expect(['accounts', 'salesforce'].filter((id) => registry.get(id).rectify)).toEqual(['accounts', 'salesforce']);
    // The SaaS connectors that implement rectify on their customer or contact records.
    expect(['stripe', 'hubspot'].filter((id) => registry.get(id).rectify)).toEqual(['stripe', 'hubspot']);
    // Call history is a log of calls (no name, email, phone or address); GA holds pseudonymous events.
    expect(['calls', 'google-analytics'].filter((id) => registry.get(id).rectify)).toEqual([]);
  });

  it('keeps the restrict capability of the systems that can mark a restriction, and gives none to the others', () => {
    expect(['accounts', 'salesforce'].filter((id) => registry.get(id).restrict)).toEqual(['accounts', 'salesforce']);
    expect(['calls', 'stripe', 'hubspot', 'google-analytics'].filter((id) => registry.get(id).restrict)).toEqual([]);
  });

  it('keeps the rectify capability of Stripe and HubSpot through its credential watch, and gives Google Analytics none', () => {
    expect(['stripe', 'hubspot'].filter((id) => registry.get(id).rectify)).toEqual(['stripe', 'hubspot']);
    expect(registry.get('google-analytics').rectify).toBeUndefined();
  });

  it('refuses an id that is not configured', () => {
    expect(() => registry.get('nope')).toThrow(ConnectorMisconfigured);
  });

  it('uses an object’s own erasure policy before the connector’s default', () => {
    const base = config.connectors.find((c) => c.id === 'accounts')!;
    const withObject = { ...base, objects: { ...base.objects, invoice: { category: 'x', origin: 'provided' as const, fieldOrigins: {}, erasure: { action: 'retain' as const, legalBasis: 'Bookkeeping', retentionPeriod: '5y' } } } };

    expect(policyFor(withObject)('invoice')).toEqual({ action: 'retain', legalBasis: 'Bookkeeping', retentionPeriod: '5y' });
    expect(policyFor(withObject)('account')).toEqual(base.objects.account?.erasure ?? base.erasure);
  });
});
