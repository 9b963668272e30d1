/**
 * `npm start`: the embedded runtime with the demo dataset, until Ctrl-C.
 * Ports come from DSAR_*_PORT variables (see README); data persists under .dsar/data.
 */
import type { Runtime } from './runtime.ts';

// Function logs at WARN in the terminal unless asked otherwise. Set before the product's modules load:
// Powertools returns to the level it was built with at every invocation.
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
// After a SIGHUP the terminal may be gone; a failed write must not end the drain half-way.
process.stdout.on('error', () => undefined);
process.stderr.on('error', () => undefined);

function line(label: string, value: string) {
  process.stdout.write(`  ${label.padEnd(20)} ${value}\n`);
}

/** The start in progress or done; undefined if it failed (it then stopped what it had started). */
let starting: Promise<Runtime | undefined> | undefined;
let stopping: { at: number } | undefined;

/**
 * Stops in order: no new work, running functions drained, then the stores and the emulators (the S3
 * emulator is in its own process group, so a Ctrl-C reaches it only through this). The handlers are
 * registered before anything starts, so Ctrl-C while starting also stops everything that did start.
 */
async function stop(reason: string) {
  process.stdout.write(`\n${reason}: stopping (waiting for running functions; Ctrl-C again to force)...\n`);
  // Stopping half-started emulators would race their start: let the start finish first.
  const runtime = await starting;
  await runtime?.stop();
  process.stdout.write('Stopped. Requests and unfinished workflows resume on the next start.\n');
  process.exit(0);
}

/**
 * Under `npm start` a Ctrl-C reaches the runtime twice: from the terminal and forwarded by npm a moment
 * later. So only a signal a second or more after the first counts as "again", and forces: everything
 * stored so far survives that (the stores are crash-safe), work in progress resumes on the next start.
 */
const SAME_KEYPRESS_MS = 1_000;
function onSignal(signal: NodeJS.Signals | 'npm exited') {
  if (!stopping) {
    stopping = { at: Date.now() };
    void stop(signal);
  } else if (Date.now() - stopping.at >= SAME_KEYPRESS_MS) {
    process.stdout.write(`${signal} again: stopping at once; unfinished work resumes on the next start.\n`);
    process.exit(130);
  }
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);

/**
 * Started by npm, the runtime stops when npm goes away, however it went (npm forwards SIGINT and SIGTERM
 * itself, but a SIGKILL cannot be forwarded): otherwise it would live on with every port bound.
 */
if (process.env.npm_lifecycle_event) {
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent && !stopping) onSignal('npm exited');
  }, 500).unref();
}

async function main() {
  // Loaded here, after the signal handlers are in place: loading takes a moment, and a Ctrl-C meanwhile
  // should stop cleanly too.
  const { portsFromEnv, startRuntime } = await import('./runtime.ts');
  const started = Date.now();
  process.stdout.write('Starting the DSAR orchestrator (embedded runtime)...\n');
  // Through a promise, so a bad DSAR_*_PORT is reported like any other failure to start.
  starting = Promise.resolve().then(() => startRuntime({
    ports: portsFromEnv(),
    ...(process.env.DSAR_CONFIG_FILE ? { configFile: process.env.DSAR_CONFIG_FILE } : {}),
    ...(process.env.DSAR_DATA_DIR ? { dataDir: process.env.DSAR_DATA_DIR } : {}),
    log: (l) => process.stdout.write(`${l}\n`),
    warn: (l) => process.stderr.write(`${l}\n`),
  })).catch((err: unknown) => {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EADDRINUSE') {
      process.stderr.write(`A port is already in use (${e.message}). Stop the other process or set DSAR_*_PORT (see README).\n`);
    } else {
      process.stderr.write(`Could not start: ${e.stack ?? e.message}\n`);
    }
    process.exit(1);
  });
  const runtime = await starting;
  // Stopping (a signal came during start-up) prints its own lines.
  if (!runtime || stopping) return;
  process.stdout.write(`\nReady in ${((Date.now() - started) / 1000).toFixed(1)} s. Everything listens on 127.0.0.1 only.\n`);
  line('API', runtime.apiUrl);
  line('Console', runtime.consoleUrl);
  line('Mail viewer', runtime.mailUrl);
  line('Staff token', runtime.staffToken);
  line('Viewer token', runtime.viewerToken);
  line('Step Functions', runtime.endpoints.stepfunctions);
  line('DynamoDB', runtime.endpoints.dynamodb);
  line('S3', runtime.endpoints.s3);
  line('Sandboxes', Object.entries(runtime.sandboxes).map(([k, v]) => `${k} ${v}`).join(', '));
  line('Data', runtime.dataDir);
  process.stdout.write(`\nThe same as JSON: .dsar/runtime.json. Press Ctrl-C to stop.\n`);
}

void main();
