/**
 * `dsar escalate`: runs the escalation job once, as the scheduled function does, and prints its summary
 * as JSON. It works on the environment a function gets (DSAR_TABLE, DSAR_CONFIG_FILE, AWS_REGION and
 * the SDK's endpoint variables); when DSAR_TABLE is not set and the embedded runtime is running, it
 * reads the endpoints from `.dsar/runtime.json` instead.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { CliResult } from './main.ts';

export const ESCALATE_USAGE = `Usage: dsar escalate [--now <instant>] [--runtime <file>]

Runs the escalation job once and prints a JSON summary (items read, thresholds fired, digests sent).

Environment: DSAR_TABLE, DSAR_CONFIG_FILE (or DSAR_CONFIG), AWS_REGION and credentials, as a deployed
function has them. Without DSAR_TABLE the embedded runtime's .dsar/runtime.json is used.

Options:
  --now      the instant to run at (ISO 8601 with offset); default: now. For rehearsing a date.
  --runtime  the runtime file to read endpoints from (default: .dsar/runtime.json)
  -h, --help show this help
`;

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface RuntimeFile {
  /** The only credentials the runtime's DynamoDB accepts (absent in files from before they existed). */
  awsCredentials?: { accessKeyId: string; secretAccessKey: string };
  endpoints: { dynamodb: string; ses: string };
  dataDir: string;
  tables: { requests: string };
}

/** Points the SDK and the configuration at the embedded runtime, as it does for its own functions. */
function useRuntime(file: string): void {
  const info = JSON.parse(readFileSync(file, 'utf8')) as RuntimeFile;
  Object.assign(process.env, {
    AWS_REGION: process.env.AWS_REGION ?? 'eu-north-1',
    // The runtime's own key, not whatever AWS credentials the shell holds: its DynamoDB accepts no other.
    ...(info.awsCredentials ? { AWS_ACCESS_KEY_ID: info.awsCredentials.accessKeyId, AWS_SECRET_ACCESS_KEY: info.awsCredentials.secretAccessKey } : {}),
    AWS_ENDPOINT_URL_DYNAMODB: info.endpoints.dynamodb,
    AWS_ENDPOINT_URL_SESV2: info.endpoints.ses,
    DSAR_TABLE: info.tables.requests,
    DSAR_CONFIG_FILE: process.env.DSAR_CONFIG_FILE ?? join(info.dataDir, 'config.local.json'),
  });
}

export async function runEscalate(argv: readonly string[]): Promise<CliResult> {
  let values: { now?: string; runtime?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: { now: { type: 'string' }, runtime: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    return { exitCode: 2, stdout: '', stderr: `dsar escalate: ${(err as Error).message}\n` };
  }
  if (values.help) return { exitCode: 0, stdout: ESCALATE_USAGE, stderr: '' };
  let now: Date | undefined;
  if (values.now !== undefined) {
    now = new Date(values.now);
    if (!/^\d{4}-\d{2}-\d{2}T.*(Z|[+-]\d{2}:?\d{2})$/i.test(values.now) || Number.isNaN(now.getTime())) {
      return { exitCode: 2, stdout: '', stderr: `dsar escalate: --now must be an ISO 8601 instant with an offset, got "${values.now}"\n` };
    }
  }
  if (!process.env.DSAR_TABLE) {
    const file = values.runtime ?? join(ROOT, '.dsar', 'runtime.json');
    if (!existsSync(file)) {
      return {
        exitCode: 2,
        stdout: '',
        stderr: `dsar escalate: DSAR_TABLE is not set and ${file} does not exist: set the function environment or start the runtime (npm start)\n`,
      };
    }
    useRuntime(file);
  }
  // Loaded here so `dsar deadline` does not pay for the AWS SDK.
  const { appContext } = await import('../../functions/domain/context.ts');
  const { escalate } = await import('../../functions/domain/escalation/index.ts');
  const summary = await escalate(appContext(), now ? { now } : {});
  return { exitCode: 0, stdout: `${JSON.stringify(summary, null, 2)}\n`, stderr: '' };
}
