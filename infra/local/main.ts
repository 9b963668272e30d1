/**
 * `npm start`: the embedded runtime with the demo dataset, until Ctrl-C.
 * Ports come from DSAR_*_PORT variables (see README); data persists under .dsar/data.
 */
import type { Runtime } from './runtime.ts';

// Function logs at WARN in the terminal unless asked otherwise. Set before the product's modules load:
// Powertools returns to the level it was built with at every invocation.
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
const { portsFromEnv, startRuntime } = await import('./runtime.ts');

function line(label: string, value: string) {
  process.stdout.write(`  ${label.padEnd(20)} ${value}\n`);
}

let runtime: Runtime | undefined;
let stopping = false;

// Registered first, so Ctrl-C while starting also stops everything that did start.
async function stop(signal: string) {
  if (stopping) return;
  stopping = true;
  process.stdout.write(`\n${signal}: stopping...\n`);
  await runtime?.stop();
  process.stdout.write('Stopped. Requests and unfinished workflows resume on the next start.\n');
  process.exit(0);
}
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));

async function main() {
  const started = Date.now();
  process.stdout.write('Starting the DSAR orchestrator (embedded runtime)...\n');
  try {
    const ready = await startRuntime({
      ports: portsFromEnv(),
      ...(process.env.DSAR_CONFIG_FILE ? { configFile: process.env.DSAR_CONFIG_FILE } : {}),
      ...(process.env.DSAR_DATA_DIR ? { dataDir: process.env.DSAR_DATA_DIR } : {}),
      log: (l) => process.stdout.write(`${l}\n`),
    });
    runtime = ready;
    if (stopping) return void (await ready.stop());
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EADDRINUSE') {
      process.stderr.write(`A port is already in use (${e.message}). Stop the other process or set DSAR_*_PORT (see README).\n`);
    } else {
      process.stderr.write(`Could not start: ${e.stack ?? e.message}\n`);
    }
    process.exit(1);
  }
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
