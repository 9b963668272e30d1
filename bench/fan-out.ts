/**
 * Fan-out efficiency of the collect phase (issue 2): with N connectors whose vendors answer slowly, how
 * long the collect phase takes compared with the slowest connector on its own. Ideal: 1.0. A fan-out
 * that runs connectors one after the other gives about the sum of the connector times instead.
 *
 * The real embedded runtime (ephemeral ports, temp data folder, crowd of 200) runs an access request
 * end to end: filed, verified with the mailed code, approved with the staff token. Each SaaS sandbox
 * answers every HTTP request after its own injected latency. Then each connector runs alone through
 * the collect domain function for the same request and subject (what one Map iteration runs), timed.
 *
 * The collect phase is read from the audit trail (GET /v1/admin/requests/{id}): `connectors.planned`
 * to the last `connector.succeeded`/`connector.failed`. Reconcile writes those events once the Map is
 * done, so the phase spans plan's end, the Map and reconcile's first writes. The execution history
 * gives the Map state alone and each iteration's collect task.
 *
 *   npx tsx bench/fan-out.ts
 *
 * Loopback only; stops by itself (every wait has a deadline; fixed number of runs).
 */
import { GetExecutionHistoryCommand, SFNClient, type HistoryEvent } from '@aws-sdk/client-sfn';
import { logger } from '#commons/observability';
import { ConnectorRegistry } from '#connectors/registry';
import { appContext } from '#domain/context';
import { collect } from '#domain/workflow/collect';
import { startTestRuntime, type TestRuntime } from '../test/support/runtime.ts';

/** Injected latency per HTTP request, per vendor sandbox (ms). */
const LATENCY_MS: Record<string, number> = { salesforce: 400, stripe: 150, hubspot: 250, googleAnalytics: 100 };
const ALONE_RUNS = 3;
const REQUEST_TIMEOUT_MS = 180_000;

interface RunResult {
  requestId: string;
  phaseMs: number;
  mapMs: number | undefined;
  iterations: Map<string, number>;
  records: Map<string, number>;
  endToEndMs: number;
}

async function accessRequest(rt: TestRuntime, email: string, name: string): Promise<RunResult> {
  const started = performance.now();
  const filed = await rt.api('POST', '/v1/requests', { body: { type: 'access', email, name } });
  if (filed.status !== 202 && filed.status !== 200 && filed.status !== 201) throw new Error(`filing failed: ${filed.status} ${JSON.stringify(filed.body)}`);
  const requestId = filed.body.requestId as string;
  const code = await rt.codeFor(requestId, email);
  const verified = await rt.api('POST', `/v1/requests/${requestId}/verify`, { body: { code } });
  if (verified.status !== 200) throw new Error(`verification failed: ${verified.status}`);
  await rt.waitForStatus(requestId, 'awaiting_review', 30_000);
  const approved = await rt.api('POST', `/v1/admin/requests/${requestId}/approve`, { token: rt.staffToken, body: {} });
  if (approved.status !== 200) throw new Error(`approval failed: ${approved.status} ${JSON.stringify(approved.body)}`);
  const detail = await rt.waitForStatus(requestId, ['completed', 'completed_partial', 'awaiting_staff'], REQUEST_TIMEOUT_MS);
  const endToEndMs = performance.now() - started;
  if (detail.request.status !== 'completed') console.log(`  note: request ${requestId} ended ${detail.request.status}`);

  const audit = detail.audit as Array<{ at: string; action: string; detail?: { connectorId?: string; records?: number } }>;
  const planned = audit.find((a) => a.action === 'connectors.planned');
  const finished = audit.filter((a) => a.action === 'connector.succeeded' || a.action === 'connector.failed');
  if (!planned || finished.length === 0) throw new Error('audit trail lacks connectors.planned or connector outcomes');
  const phaseMs = Math.max(...finished.map((a) => Date.parse(a.at))) - Date.parse(planned.at);
  const records = new Map(finished.map((a) => [a.detail?.connectorId ?? '?', a.detail?.records ?? 0]));

  const { mapMs, iterations } = await fromHistory(rt, requestId);
  return { requestId, phaseMs, mapMs, iterations, records, endToEndMs };
}

/** The Map state's time and each WorkWithConnector task's time, from GetExecutionHistory. */
async function fromHistory(rt: TestRuntime, requestId: string): Promise<{ mapMs: number | undefined; iterations: Map<string, number> }> {
  const sfn = new SFNClient({ endpoint: rt.endpoints.stepfunctions, region: 'eu-north-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  const executionArn = rt.stateMachineArn.replace(':stateMachine:', ':execution:') + `:${requestId}`;
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  for (let page = 0; page < 100; page++) {
    const out = await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000, ...(nextToken ? { nextToken } : {}) }));
    events.push(...(out.events ?? []));
    nextToken = out.nextToken;
    if (!nextToken) break;
  }
  sfn.destroy();
  const ms = (e: HistoryEvent) => new Date(e.timestamp!).getTime();
  const mapIn = events.find((e) => e.type === 'MapStateEntered');
  const mapOut = events.find((e) => e.type === 'MapStateExited');
  const entered = new Map<string, number>();
  const iterations = new Map<string, number>();
  for (const e of events) {
    if (e.type === 'TaskStateEntered' && e.stateEnteredEventDetails?.name === 'WorkWithConnector') {
      const id = (JSON.parse(e.stateEnteredEventDetails.input ?? '{}') as { connectorId?: string }).connectorId ?? '?';
      entered.set(id, ms(e));
    }
    if (e.type === 'TaskStateExited' && e.stateExitedEventDetails?.name === 'WorkWithConnector') {
      const id = (JSON.parse(e.stateExitedEventDetails.output ?? '{}') as { connectorId?: string }).connectorId ?? '?';
      if (entered.has(id)) iterations.set(id, ms(e) - entered.get(id)!);
    }
  }
  return { mapMs: mapIn && mapOut ? ms(mapOut) - ms(mapIn) : undefined, iterations };
}

/** Counts the HTTP requests that go to each sandbox while `body` runs. */
async function countingRequests<T>(rt: TestRuntime, body: () => Promise<T>): Promise<{ result: T; requests: Map<string, number> }> {
  const origins = new Map(Object.entries(rt.sandboxes).map(([name, url]) => [new URL(url).origin, name]));
  const requests = new Map<string, number>();
  const original = globalThis.fetch;
  globalThis.fetch = (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const vendor = origins.get(new URL(url).origin);
    if (vendor) requests.set(vendor, (requests.get(vendor) ?? 0) + 1);
    return original(input, init);
  };
  try {
    return { result: await body(), requests };
  } finally {
    globalThis.fetch = original;
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const f0 = (n: number) => n.toFixed(0);

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

async function main(): Promise<void> {
  const rt = await startTestRuntime({ crowd: 200, escalationIntervalMs: 0, retentionIntervalMs: 0 });
  logger.setLogLevel('WARN'); // the steps' INFO lines would drown the tables
  // Bounded no matter what: a stuck run ends the process.
  const watchdog = setTimeout(() => {
    console.error('fan-out benchmark: gave up after 10 minutes');
    process.exit(2);
  }, 600_000);
  watchdog.unref();
  try {
    const connectorIds = rt.config.connectors.filter((c) => c.enabled).map((c) => c.id);
    console.log(`Embedded runtime up: ${connectorIds.length} connectors enabled (${connectorIds.join(', ')}).`);

    // Warm-up: loads and JIT-compiles every step once, mints vendor tokens; not measured.
    await accessRequest(rt, 'bob@example.com', 'Bob Berg');
    // Without injected latency: the fixed cost of plan, Map and reconcile on this machine.
    const baseline = await accessRequest(rt, 'carol@example.com', 'Carol Christensen');
    console.log(`Without injected latency (carol): collect phase ${f0(baseline.phaseMs)} ms, Map state ${baseline.mapMs ?? '?'} ms.`);

    for (const [vendor, latencyMs] of Object.entries(LATENCY_MS)) rt.sandboxControl.faults.set(vendor, { latencyMs });
    console.log(`Injected latency per HTTP request: ${Object.entries(LATENCY_MS).map(([v, ms]) => `${v} ${ms} ms`).join(', ')}.`);

    const run = await accessRequest(rt, 'alice@example.com', 'Alice Andersen');
    console.log(`Access request ${run.requestId} (alice) end to end, filing to completed: ${f0(run.endToEndMs)} ms.\n`);

    // Each connector alone, for the same (approved) request and subject, as one Map iteration runs it.
    const ctx = appContext();
    const registry = new ConnectorRegistry(ctx.config);
    const alone = new Map<string, { ms: number; records: number; requests: number }>();
    for (const id of connectorIds) {
      await collect(ctx, registry, run.requestId, id); // warm: token, connection pool
      const times: number[] = [];
      let records = 0;
      let requests = 0;
      for (let i = 0; i < ALONE_RUNS; i++) {
        const t0 = performance.now();
        const { result, requests: byVendor } = await countingRequests(rt, () => collect(ctx, registry, run.requestId, id));
        times.push(performance.now() - t0);
        records = result.status === 'succeeded' ? result.records : 0;
        requests = [...byVendor.values()].reduce((a, b) => a + b, 0);
      }
      alone.set(id, { ms: median(times), records, requests });
    }
    rt.sandboxControl.faults.reset();

    const vendorKey: Record<string, string> = { 'google-analytics': 'googleAnalytics' };
    const rows = connectorIds.map((id) => {
      const a = alone.get(id)!;
      const latency = LATENCY_MS[vendorKey[id] ?? id];
      return [
        id,
        latency === undefined ? '0 (internal)' : String(latency),
        String(a.requests),
        String(a.records),
        f0(a.ms),
        run.iterations.has(id) ? f0(run.iterations.get(id)!) : '?',
      ];
    });
    console.log(table(['connector', 'latency/req ms', 'HTTP requests', 'records', `alone ms (median of ${ALONE_RUNS})`, 'in workflow ms (task state)'], rows));

    const slowest = Math.max(...[...alone.values()].map((a) => a.ms));
    const sum = [...alone.values()].reduce((s, a) => s + a.ms, 0);
    console.log('');
    console.log(
      table(
        ['figure', 'value'],
        [
          ['connectors (N)', String(connectorIds.length)],
          ['slowest connector alone', `${f0(slowest)} ms`],
          ['sum of connectors alone (sequential estimate)', `${f0(sum)} ms (${(sum / slowest).toFixed(2)} x slowest)`],
          ['collect phase (audit: connectors.planned to last connector outcome)', `${f0(run.phaseMs)} ms`],
          ['Map state (execution history)', run.mapMs === undefined ? '?' : `${f0(run.mapMs)} ms`],
          ['**fan-out ratio: phase / slowest** (ideal 1.0, sequential about ' + (sum / slowest).toFixed(1) + ')', (run.phaseMs / slowest).toFixed(2)],
          ['Map state / slowest', run.mapMs === undefined ? '?' : (run.mapMs / slowest).toFixed(2)],
          ['collect phase without injected latency (carol)', `${f0(baseline.phaseMs)} ms`],
        ],
      ),
    );
  } finally {
    clearTimeout(watchdog);
    await rt.cleanup();
  }
}

await main();
