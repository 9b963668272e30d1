/**
 * A warm Lambda keeps its registry: a rotated secret must still take effect, both when the vendor
 * refuses the old one and when the credentials' lifetime runs out.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DsarConfig } from '#commons/config';
import { CREDENTIALS_TTL_MS, type CredentialsProvider } from '#connectors/credentials';
import { ConnectorAuthFailed } from '#connectors/errors';
import { ConnectorRegistry } from '#connectors/registry';
import { startSandboxes, type Sandboxes } from '../../../infra/local/sandboxes/index.ts';
import { exampleConfig } from '../../support/in-memory-context.ts';
import { collect, ctx, subjectOf } from './support.ts';

let sb: Sandboxes;
let config: DsarConfig;

beforeAll(async () => {
  sb = await startSandboxes({ crowd: 20 });
  const base = exampleConfig();
  config = { ...base, connectors: base.connectors.map((c) => (c.id === 'stripe' ? { ...c, baseUrl: sb.urls.stripe } : c)) };
});
afterAll(() => sb.close());

/** A secret store that caches like Secrets Manager does, and counts how often the secret is read. */
function secretStore() {
  let cached: Record<string, string> | undefined;
  const reads: string[] = [];
  const forgotten: string[] = [];
  const provider: CredentialsProvider = async (name) => {
    if (!cached) {
      reads.push(name);
      cached = { ...sb.credentials[name.replace('dsar/', '')]! };
    }
    return cached;
  };
  provider.forget = (name) => {
    forgotten.push(name);
    cached = undefined;
  };
  return { provider, reads, forgotten };
}

const bob = subjectOf('bob@example.com');

describe('ConnectorRegistry with a rotated secret', () => {
  it('drops the connector and its secret after the vendor refuses it, so the next attempt uses the new secret', async () => {
    const secrets = secretStore();
    const registry = new ConnectorRegistry(config, secrets.provider);
    expect((await collect(registry.get('stripe').access(bob, ctx))).length).toBeGreaterThan(0);

    sb.rotateStripeKey();
    await expect(collect(registry.get('stripe').access(bob, ctx))).rejects.toBeInstanceOf(ConnectorAuthFailed);
    expect(secrets.forgotten).toEqual(['dsar/stripe']);

    expect((await collect(registry.get('stripe').access(bob, ctx))).length).toBeGreaterThan(0);
    expect(secrets.reads).toEqual(['dsar/stripe', 'dsar/stripe']);
  });

  it('rebuilds a connector older than the credentials’ lifetime, reading the secret again', async () => {
    const secrets = secretStore();
    let now = 1_000_000;
    const registry = new ConnectorRegistry(config, secrets.provider, { now: () => now });
    const first = registry.get('stripe');
    await collect(first.access(bob, ctx));

    now += CREDENTIALS_TTL_MS - 1;
    expect(registry.get('stripe')).toBe(first);

    sb.rotateStripeKey();
    now += 1;
    const rebuilt = registry.get('stripe');
    expect(rebuilt).not.toBe(first);
    expect((await collect(rebuilt.access(bob, ctx))).length).toBeGreaterThan(0);
    expect(secrets.reads).toEqual(['dsar/stripe', 'dsar/stripe']);
  });

  it('keeps the connector when a failure is not about the credentials', async () => {
    const secrets = secretStore();
    const registry = new ConnectorRegistry(config, secrets.provider);
    const first = registry.get('stripe');
    sb.faults.set('stripe', { failNext: { match: '/v1/customers', status: 503, count: 10 } });
    await expect(collect(first.access(bob, ctx))).rejects.toThrow(/503/);
    sb.faults.reset('stripe');
    expect(registry.get('stripe')).toBe(first);
    expect(secrets.forgotten).toEqual([]);
  });
});
