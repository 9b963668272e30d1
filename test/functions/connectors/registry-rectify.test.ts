/**
 * The registry passes a connector's rectify capability through, and a vendor's refusal of the credentials
 * during a rectification drops the connector and its secret, as it does for access, erasure and marketing
 * (and for the count-only preview, which goes through the same watch).
 * The SaaS connector is a stand-in here: what is under test is the registry's wrapper, not a vendor.
 */
import { describe, expect, it, vi } from 'vitest';
import type { CredentialsProvider } from '#connectors/credentials';
import { ConnectorAuthFailed, ConnectorUnavailable } from '#connectors/errors';
import { ConnectorRegistry } from '#connectors/registry';
import type { Connector, RectifyCapability } from '#connectors/types';
import { exampleConfig } from '../../support/in-memory-context.ts';
import { ctx, subjectOf } from './support.ts';

/** What the stand-in's rectify calls do next: succeed, or throw this error. */
const next: { failure?: Error } = {};

vi.mock('../../../functions/connectors/saas.ts', () => ({
  createSaasConnector: (config: Connector['config']): Connector => {
    const rectify: RectifyCapability = {
      current: async () => {
        if (next.failure) throw next.failure;
        return [{ object: 'Contact', recordId: '003A', field: 'phone', systemField: 'Phone', value: '+47 1' }];
      },
      apply: async (_subject, corrections) => {
        if (next.failure) throw next.failure;
        return corrections.map((c) => ({ object: c.object, recordId: c.recordId, field: c.field, status: 'corrected' as const }));
      },
    };
    const countOnly = async () => {
      if (next.failure) throw next.failure;
      return { Contact: 1 };
    };
    return { id: config.id, config, access: async function* () {}, erase: async () => ({ connectorId: config.id, items: [] }), rectify, countOnly };
  },
}));

function secrets() {
  const forgotten: string[] = [];
  const provider: CredentialsProvider = async () => ({});
  provider.forget = (name) => forgotten.push(name);
  return { provider, forgotten };
}

const alice = subjectOf('alice@example.com');

describe('ConnectorRegistry and the rectify capability', () => {
  it('passes rectify through: current values and applied corrections come back as the connector gave them', async () => {
    const registry = new ConnectorRegistry(exampleConfig(), secrets().provider);
    const sf = registry.get('salesforce');
    next.failure = undefined;

    expect(await sf.rectify!.current(alice, ['phone'], ctx)).toEqual([{ object: 'Contact', recordId: '003A', field: 'phone', systemField: 'Phone', value: '+47 1' }]);
    expect(await sf.rectify!.apply(alice, [{ object: 'Contact', recordId: '003A', field: 'phone', value: '+47 2' }], ctx)).toEqual([
      { object: 'Contact', recordId: '003A', field: 'phone', status: 'corrected' },
    ]);
  });

  it.each(['current', 'apply'] as const)('drops the connector and its secret when the vendor refuses the credentials during %s', async (call) => {
    const store = secrets();
    const registry = new ConnectorRegistry(exampleConfig(), store.provider);
    const first = registry.get('salesforce');
    next.failure = new ConnectorAuthFailed('salesforce', 'invalid_client');

    const run = call === 'current' ? first.rectify!.current(alice, ['name'], ctx) : first.rectify!.apply(alice, [{ object: 'Contact', recordId: '003A', field: 'name', value: 'A B' }], ctx);
    await expect(run).rejects.toBeInstanceOf(ConnectorAuthFailed);

    expect(store.forgotten).toEqual(['dsar/salesforce']);
    expect(registry.get('salesforce')).not.toBe(first);
  });

  it('keeps the connector when a rectification fails for another reason', async () => {
    const store = secrets();
    const registry = new ConnectorRegistry(exampleConfig(), store.provider);
    const first = registry.get('salesforce');
    next.failure = new ConnectorUnavailable('salesforce', 'SERVER_UNAVAILABLE');

    await expect(first.rectify!.current(alice, ['phone'], ctx)).rejects.toBeInstanceOf(ConnectorUnavailable);

    expect(store.forgotten).toEqual([]);
    expect(registry.get('salesforce')).toBe(first);
  });

  it('passes countOnly through, and drops the connector and its secret when the vendor refuses the credentials during it', async () => {
    const store = secrets();
    const registry = new ConnectorRegistry(exampleConfig(), store.provider);
    const first = registry.get('salesforce');
    next.failure = undefined;
    expect(await first.countOnly!(alice, ctx)).toEqual({ Contact: 1 });

    next.failure = new ConnectorAuthFailed('salesforce', 'invalid_client');
    await expect(first.countOnly!(alice, ctx)).rejects.toBeInstanceOf(ConnectorAuthFailed);

    expect(store.forgotten).toEqual(['dsar/salesforce']);
    expect(registry.get('salesforce')).not.toBe(first);
  });
});
