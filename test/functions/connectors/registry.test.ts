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
