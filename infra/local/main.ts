/**
 * `npm start`: the embedded runtime with the demo dataset, until Ctrl-C.
 * Ports come from DSAR_*_PORT variables (see README); data persists under .dsar/data.
 */
import { portsFromEnv, startRuntime, type Runtime } from './runtime.ts';

function line(label: string, value: string) {
  process.stdout.write(`  ${label.padEnd(20)} ${value}\n`);
}

async function main() {
  process.stdout.write('Starting the DSAR orchestrator (embedded runtime)...\n');
  let runtime: Runtime;
  try {
    runtime = await startRuntime({
      ports: portsFromEnv(),
      ...(process.env.DSAR_CONFIG_FILE ? { configFile: process.env.DSAR_CONFIG_FILE } : {}),
      ...(process.env.DSAR_DATA_DIR ? { dataDir: process.env.DSAR_DATA_DIR } : {}),
      log: (l) => process.stdout.write(`${l}\n`),
    });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EADDRINUSE') {
      process.stderr.write(`A port is already in use (${e.message}). Stop the other process or set DSAR_*_PORT (see README).\n`);
    } else {
      process.stderr.write(`Could not start: ${e.stack ?? e.message}\n`);
    }
    process.exit(1);
  }
  process.stdout.write('\nReady. Everything listens on 127.0.0.1 only.\n');
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

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\n${signal}: stopping...\n`);
    await runtime.stop();
    process.stdout.write('Stopped. Requests and unfinished workflows resume on the next start.\n');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

void main();
