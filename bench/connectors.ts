/**
 * Two tables for each SaaS connector's `access` against its local sandbox (full demo crowd):
 *
 * 1. Records per second with no injected latency, for alice and the crowd person with the most records:
 *    the connector and client overhead (paging, JSON, checks), not a vendor's network.
 * 2. With a realistic latency injected into every sandbox answer (the sandbox fault API), the access
 *    time beside the longest chain of calls that depend on each other, and its target: at most 1.5x that
 *    chain (issue 18). The chain is measured, not assumed: one run with the concurrency bounds lifted
 *    traces every request, and a request's depth is one more than the deepest request that had ended
 *    before it began; the chain time is the deepest depth times the injected latency. A connector that
 *    made its calls one after another would take about calls x latency (the "in sequence" column).
 *
 *   npx tsx bench/connectors.ts            # both tables
 *   npx tsx bench/connectors.ts --latency  # the second only
 */
import type { SaasConnectorConfig } from '#commons/config';
import { VENDOR_CONCURRENCY } from '#connectors/concurrency';
import { createSaasConnector } from '#connectors/saas';
import type { ConnectorDeps, Subject } from '#connectors/types';
import { startSandboxes } from '../infra/local/sandboxes/index.ts';

const RUNS = 5;
const LATENCY_RUNS = 3;
/** Injected latency per HTTP answer, per vendor sandbox (ms); the same figures as bench/fan-out.ts. */
const LATENCY_MS: Record<string, number> = { salesforce: 400, stripe: 150, hubspot: 250, 'google-analytics': 100 };
const TARGET = 1.5;

interface Traced {
  start: number;
  end: number;
}

/** Runs `body` with a fetch that records when each request to `origin` began and ended. */
async function tracing<T>(origin: string, body: () => Promise<T>): Promise<{ result: T; trace: Traced[] }> {
  const trace: Traced[] = [];
  const original = globalThis.fetch;
  globalThis.fetch = async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (new URL(url).origin !== origin) return original(input, init);
    const entry = { start: performance.now(), end: Infinity };
    trace.push(entry);
    try {
      const res = await original(input, init);
      const bytes = await res.arrayBuffer();
      return new Response(bytes.byteLength ? bytes : null, { status: res.status, headers: res.headers });
    } finally {
      entry.end = performance.now();
    }
  };
  try {
    return { result: await body(), trace };
  } finally {
    globalThis.fetch = original;
  }
}

/** The longest chain of requests each begun only after the previous one ended. */
function chainDepth(trace: Traced[]): number {
  const sorted = [...trace].sort((a, b) => a.start - b.start);
  const depth = new Map<Traced, number>();
  for (const r of sorted) {
    let before = 0;
    for (const q of sorted) if (q.end <= r.start) before = Math.max(before, depth.get(q) ?? 0);
    depth.set(r, before + 1);
  }
  return Math.max(0, ...depth.values());
}

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
  const latencyOnly = process.argv.includes('--latency');
  const rows: string[][] = [];
  for (const connector of latencyOnly ? [] : connectors) {
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
  if (!latencyOnly) print(['connector', 'subject', 'records', 'median ms', 'records/s'], rows);

  const bounds = VENDOR_CONCURRENCY as Record<string, number>;
  const saved = { ...bounds };
  const latencyRows: string[][] = [];
  for (const connector of connectors) {
    const vendor = connector.id === 'google-analytics' ? 'googleAnalytics' : connector.id;
    const latency = LATENCY_MS[connector.id]!;
    sb.faults.set(vendor, { latencyMs: latency });
    const origin = new URL(sb.urls[vendor as keyof typeof sb.urls]).origin;
    for (const [who, subject] of subjects) {
      // Fresh connectors, so each run pays its own token: the chain and the timed runs do the same work.
      const fresh = () => createSaasConnector(connector.config as SaasConnectorConfig, deps);
      const run = async () => {
        let n = 0;
        for await (const _ of fresh().access(subject, { requestId: 'bench' })) n++;
        return n;
      };
      // The chain, with the bounds lifted so nothing waits for a slot.
      for (const k of Object.keys(bounds)) bounds[k] = 1_000;
      const { trace } = await tracing(origin, run);
      Object.assign(bounds, saved);
      const depth = chainDepth(trace);
      const times: number[] = [];
      let records = 0;
      for (let i = 0; i < LATENCY_RUNS; i++) {
        const started = performance.now();
        records = await run();
        times.push(performance.now() - started);
      }
      times.sort((a, b) => a - b);
      const median = times[Math.floor(times.length / 2)]!;
      const chainMs = depth * latency;
      // No vendor call at all (GA access only reports the property as a recipient): nothing to compare.
      const ratio = depth ? (median / chainMs).toFixed(2) : '-';
      const verdict = depth ? (median / chainMs <= TARGET ? 'ok' : 'MISSED') : '-';
      latencyRows.push([
        connector.id, who, String(latency), String(records), String(trace.length), String(trace.length * latency), String(depth),
        String(chainMs), median.toFixed(0), ratio, `<= ${TARGET}`, verdict,
      ]);
    }
    sb.faults.reset(vendor);
  }
  await sb.close();
  console.log('');
  console.log(`access with injected latency (median of ${LATENCY_RUNS} runs; bounds ${JSON.stringify(saved)})`);
  print(['connector', 'subject', 'latency ms', 'records', 'calls', 'in sequence ms', 'chain calls', 'chain ms', 'access ms', 'access/chain', 'target', ''], latencyRows);
}

function print(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(line(header));
  console.log(`| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`);
  for (const r of rows) console.log(line(r));
}

await main();
