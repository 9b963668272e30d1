/**
 * Records per second of each SaaS connector's `access` against its local sandbox (full demo crowd, no
 * injected latency): alice, and the crowd person with the most records. Measures the connector and
 * client overhead (paging, JSON, checks), not a vendor's network: real APIs add 50-300 ms per call.
 *
 *   npx tsx bench/connectors.ts
 */
import type { SaasConnectorConfig } from '#commons/config';
import { createSaasConnector } from '#connectors/saas';
import type { ConnectorDeps, Subject } from '#connectors/types';
import { startSandboxes } from '../infra/local/sandboxes/index.ts';

const RUNS = 5;

async function main(): Promise<void> {
  const seeding = performance.now();
  const sb = await startSandboxes();
  // The sandboxes' start (seeding the full crowd) is a figure here, not a test assertion: speed belongs in bench/.
  console.log(`sandboxes started with ${sb.people.length} people in ${Math.round(performance.now() - seeding)} ms`);
  const deps: ConnectorDeps = {
    credentials: async (name) => sb.credentials[name]!,
    resolveIdentifier: async (s) => sb.people.filter((p) => p.email === s.normalizedEmail).map((p) => p.gaUserId),
  };
  const config = (kind: SaasConnectorConfig['kind'], baseUrl: string, settings: Record<string, unknown> = {}): SaasConnectorConfig => ({
    id: kind, displayName: kind, enabled: true, kind, baseUrl, credentials: kind, settings, erasure: { action: 'delete' }, objects: {},
  });
  const connectors = [
    createSaasConnector(config('salesforce', sb.urls.salesforce), deps),
    createSaasConnector(config('stripe', sb.urls.stripe), deps),
    createSaasConnector(config('hubspot', sb.urls.hubspot), deps),
    createSaasConnector(
      config('google-analytics', sb.urls.googleAnalytics, { ...sb.settings.googleAnalytics, userIdFrom: { connectorId: 'accounts', attribute: 'gaUserId' } }),
      deps,
    ),
  ];
  // The crowd person seeded with the most records (every 1000th, starting at index 10).
  const heavy = sb.people.find((p) => p.index === 10)!;
  const subjects: Array<[string, Subject]> = [
    ['alice', { email: 'alice@example.com', normalizedEmail: 'alice@example.com' }],
    ['crowd (heavy)', { email: heavy.email, normalizedEmail: heavy.email }],
  ];
  const rows: string[][] = [];
  for (const connector of connectors) {
    for (const [who, subject] of subjects) {
      let records = 0;
      const times: number[] = [];
      for (let i = 0; i < RUNS + 1; i++) {
        const started = performance.now();
        let n = 0;
        for await (const _ of connector.access(subject, { requestId: 'bench' })) n++;
        if (i > 0) times.push(performance.now() - started); // first run warms up token and JIT
        records = n;
      }
      times.sort((a, b) => a - b);
      const median = times[Math.floor(times.length / 2)]!;
      rows.push([connector.id, who, String(records), median.toFixed(1), records ? Math.round((records / median) * 1000).toString() : '-']);
    }
  }
  await sb.close();
  const header = ['connector', 'subject', 'records', 'median ms', 'records/s'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(line(header));
  console.log(`| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`);
  for (const r of rows) console.log(line(r));
}

await main();
