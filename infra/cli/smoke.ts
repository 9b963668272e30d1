/**
 * `dsar smoke`: the last step of a deployment. Against a deployed stack (its outputs read with
 * CloudFormation DescribeStacks) it files an access request for an operator-given test address through
 * the public API, checks the request reached its audit trail, sends one mail each to the SES mailbox
 * simulator's bounce and complaint addresses (tagged with the request id, through the stack's
 * configuration set) and waits for `email.bounced` and `email.complained` on that trail, then forces the
 * smoke-test alarm into ALARM (SetAlarmState), which mails the alarm address. It reports every check and
 * exits 1 if one failed.
 *
 * `--local` runs the same checks against the embedded runtime (`npm start`), reading its endpoints from
 * .dsar/runtime.json: the runtime's mailbox simulator produces the bounce and complaint events. There is
 * no CloudWatch locally, so the alarm check is reported as skipped there.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { SIMULATOR } from '../local/ses-simulator.ts';
import type { CliResult } from './main.ts';

export const SMOKE_USAGE = `Usage: dsar smoke --stack <name> --to <address> [--region <region>] [--timeout <seconds>]
       dsar smoke --local [--to <address>] [--runtime <file>] [--timeout <seconds>]

Checks a deployment end to end: files an access request for --to through the public API, checks it
is on the request's audit trail, sends to the SES mailbox simulator (bounce@ and
complaint@simulator.amazonses.com) and waits for the bounce and the complaint on that trail, and forces
the stack's smoke-test alarm into ALARM (the alarm address gets a mail). Exits 1 if a check failed.

The test address gets the request's acknowledgement and code mails; the request then waits for
verification and expires unverified (or cancel it in the console).

Options:
  --stack    the CloudFormation stack to check (its outputs name the API, table, sender and alarm)
  --region   the stack's region (default: the SDK's, e.g. AWS_REGION)
  --to       the test address the request is filed for (required with --stack)
  --local    check the embedded runtime instead (npm start); CloudWatch is not emulated: alarm skipped
  --runtime  the runtime file with --local (default: .dsar/runtime.json)
  --timeout  seconds to wait for each event (default: 300, or 30 with --local)
  -h, --help show this help

AWS permissions: cloudformation:DescribeStacks, dynamodb:Query on the table (and kms:Decrypt through
DynamoDB on its key), ses:SendEmail from the sender identity with the configuration set,
cloudwatch:SetAlarmState and cloudwatch:DescribeAlarms on the alarm.
`;

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The stack outputs the smoke test reads (infra/stack/dsar-stack.ts). */
export const SMOKE_OUTPUTS = ['ApiUrl', 'TableName', 'SenderAddress', 'ConfigurationSetName', 'SmokeTestAlarmName'] as const;

export interface SmokeCheck {
  name: string;
  outcome: 'pass' | 'fail' | 'skip';
  detail: string;
}

interface Target {
  label: string;
  apiUrl: string;
  tableName: string;
  sender: string;
  configurationSet?: string;
  alarmName?: string;
  /** Why the alarm check cannot run here. */
  alarmSkipped?: string;
  client: { region: string; endpoints?: { dynamodb: string; ses: string }; credentials?: { accessKeyId: string; secretAccessKey: string } };
}

interface RuntimeFile {
  apiUrl: string;
  awsCredentials: { accessKeyId: string; secretAccessKey: string };
  endpoints: { dynamodb: string; ses: string };
  stateMachineArn: string;
  dataDir: string;
  tables: { requests: string };
}

function localTarget(file: string): Target {
  const info = JSON.parse(readFileSync(file, 'utf8')) as RuntimeFile;
  const configFile = join(info.dataDir, 'config.local.json');
  const sender = existsSync(configFile) ? (JSON.parse(readFileSync(configFile, 'utf8')) as { email: { from: string } }).email.from : 'privacy@localhost';
  return {
    label: `the embedded runtime (${info.apiUrl})`,
    apiUrl: info.apiUrl,
    tableName: info.tables.requests,
    sender,
    alarmSkipped: 'the embedded runtime has no CloudWatch: run `dsar smoke --stack` after a deploy to force the alarm',
    client: { region: info.stateMachineArn.split(':')[3]!, endpoints: info.endpoints, credentials: info.awsCredentials },
  };
}

async function stackTarget(stackName: string, region: string | undefined): Promise<Target> {
  const { CloudFormationClient, DescribeStacksCommand } = await import('@aws-sdk/client-cloudformation');
  const cfn = new CloudFormationClient(region ? { region } : {});
  try {
    const stack = (await cfn.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks?.[0];
    const outputs = new Map((stack?.Outputs ?? []).map((o) => [o.OutputKey, o.OutputValue]));
    const missing = SMOKE_OUTPUTS.filter((k) => !outputs.get(k));
    if (missing.length) throw new Error(`stack ${stackName} has no output ${missing.join(', ')}: deploy this version of the stack first`);
    return {
      label: `stack ${stackName} (${await cfn.config.region()})`,
      apiUrl: outputs.get('ApiUrl')!.replace(/\/$/, ''),
      tableName: outputs.get('TableName')!,
      sender: outputs.get('SenderAddress')!,
      configurationSet: outputs.get('ConfigurationSetName')!,
      alarmName: outputs.get('SmokeTestAlarmName')!,
      client: { region: await cfn.config.region() },
    };
  } finally {
    cfn.destroy();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await probe();
    if (found !== undefined || Date.now() >= deadline) return found;
    await sleep(Math.min(2_000, Math.max(100, timeoutMs / 50)));
  }
}

/** Runs every check against the target; a check that cannot run (its predecessor failed) is a failure too. */
export async function smoke(target: Target, to: string, timeoutMs: number): Promise<SmokeCheck[]> {
  const { DynamoDBClient } = await import('@aws-sdk/client-dynamodb');
  const { DynamoDBDocumentClient, QueryCommand } = await import('@aws-sdk/lib-dynamodb');
  const { SESv2Client, SendEmailCommand } = await import('@aws-sdk/client-sesv2');
  const { REQUEST_ID_TAG } = await import('../../functions/domain/notifications/mailer.ts');
  const { keys } = await import('../../functions/domain/requests/model.ts');
  const base = { region: target.client.region, ...(target.client.credentials ? { credentials: target.client.credentials } : {}) };
  const dynamo = DynamoDBDocumentClient.from(new DynamoDBClient({ ...base, ...(target.client.endpoints ? { endpoint: target.client.endpoints.dynamodb } : {}) }));
  const ses = new SESv2Client({ ...base, ...(target.client.endpoints ? { endpoint: target.client.endpoints.ses } : {}) });
  const checks: SmokeCheck[] = [];
  const check = (name: string, outcome: SmokeCheck['outcome'], detail: string) => checks.push({ name, outcome, detail });

  const trailHas = async (requestId: string, action: string) => {
    const out = await dynamo.send(
      new QueryCommand({
        TableName: target.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :evt)',
        ExpressionAttributeValues: { ':pk': keys.request(requestId).pk, ':evt': keys.auditPrefix },
        ConsistentRead: true,
      }),
    );
    return (out.Items ?? []).some((e) => e.action === action) ? true : undefined;
  };

  try {
    // 1. The public API, as a subject would call it.
    let requestId: string | undefined;
    try {
      const res = await fetch(`${target.apiUrl}/v1/requests`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'access', email: to }),
      });
      const body = (await res.json().catch(() => ({}))) as { requestId?: string; error?: { message?: string } };
      requestId = res.status === 202 ? body.requestId : undefined;
      if (requestId) check('request', 'pass', `access request ${requestId} filed through the API (202)`);
      else check('request', 'fail', `POST /v1/requests answered ${res.status}${body.error?.message ? `: ${body.error.message}` : ''}`);
    } catch (err) {
      check('request', 'fail', `POST /v1/requests failed: ${(err as Error).message}`);
    }

    // 2. Stored, with its first audit event.
    if (!requestId) {
      for (const name of ['trail', 'bounce', 'complaint']) check(name, 'fail', 'not run: no request was filed');
    } else {
      const filed = await until(timeoutMs, () => trailHas(requestId, 'request.filed')).catch((err: Error) => err);
      if (filed === true) check('trail', 'pass', `request.filed on the audit trail of ${requestId}`);
      else check('trail', 'fail', filed instanceof Error ? `reading the table failed: ${filed.message}` : `no request.filed on the trail within ${timeoutMs / 1000} s`);

      // 3. Bounce and complaint through SES, the configuration set, SNS and the mail-events function.
      for (const [name, address, action] of [
        ['bounce', SIMULATOR.bounce, 'email.bounced'],
        ['complaint', SIMULATOR.complaint, 'email.complained'],
      ] as const) {
        try {
          await ses.send(
            new SendEmailCommand({
              FromEmailAddress: target.sender,
              Destination: { ToAddresses: [address] },
              Content: { Simple: { Subject: { Data: 'DSAR smoke test' }, Body: { Text: { Data: `Smoke test of request ${requestId}: this mail is meant to ${name}.` } } } },
              ...(target.configurationSet ? { ConfigurationSetName: target.configurationSet } : {}),
              EmailTags: [{ Name: REQUEST_ID_TAG, Value: requestId }],
            }),
          );
          const seen = await until(timeoutMs, () => trailHas(requestId, action));
          if (seen) check(name, 'pass', `${action} on the audit trail of ${requestId}`);
          else check(name, 'fail', `sent to ${address}, but no ${action} on the trail within ${timeoutMs / 1000} s (configuration set, SNS topic, record-mail-event?)`);
        } catch (err) {
          check(name, 'fail', `sending to ${address} failed: ${(err as Error).message}`);
        }
      }
    }

    // 4. The alarm path: CloudWatch -> SNS (topic key) -> the alarm address.
    if (!target.alarmName) {
      check('alarm', 'skip', target.alarmSkipped ?? 'no alarm to force');
    } else {
      const { CloudWatchClient, SetAlarmStateCommand, DescribeAlarmsCommand } = await import('@aws-sdk/client-cloudwatch');
      const cw = new CloudWatchClient(base);
      try {
        await cw.send(new SetAlarmStateCommand({ AlarmName: target.alarmName, StateValue: 'ALARM', StateReason: `dsar smoke test at ${new Date().toISOString()}` }));
        const alarm = (await cw.send(new DescribeAlarmsCommand({ AlarmNames: [target.alarmName] }))).MetricAlarms?.[0];
        if (alarm?.StateValue === 'ALARM') {
          check('alarm', 'pass', `${target.alarmName} forced into ALARM: the alarm address should get its mail (it returns to its real state at the next evaluation)`);
        } else {
          check('alarm', 'fail', `${target.alarmName} is ${alarm?.StateValue ?? 'missing'} after SetAlarmState`);
        }
      } catch (err) {
        check('alarm', 'fail', `forcing ${target.alarmName} failed: ${(err as Error).message}`);
      } finally {
        cw.destroy();
      }
    }
  } finally {
    dynamo.destroy();
    ses.destroy();
  }
  return checks;
}

export function report(label: string, checks: SmokeCheck[]): string {
  const width = Math.max(...checks.map((c) => c.name.length));
  const lines = checks.map((c) => `  ${c.outcome.toUpperCase().padEnd(4)}  ${c.name.padEnd(width)}  ${c.detail}`);
  const count = (o: SmokeCheck['outcome']) => checks.filter((c) => c.outcome === o).length;
  return `dsar smoke: ${label}\n${lines.join('\n')}\n${count('pass')} passed, ${count('fail')} failed, ${count('skip')} skipped\n`;
}

export async function runSmoke(argv: readonly string[]): Promise<CliResult> {
  let values: { stack?: string; region?: string; to?: string; local?: boolean; runtime?: string; timeout?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        stack: { type: 'string' },
        region: { type: 'string' },
        to: { type: 'string' },
        local: { type: 'boolean' },
        runtime: { type: 'string' },
        timeout: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    return { exitCode: 2, stdout: '', stderr: `dsar smoke: ${(err as Error).message}\n` };
  }
  if (values.help) return { exitCode: 0, stdout: SMOKE_USAGE, stderr: '' };
  const usageError = (message: string): CliResult => ({ exitCode: 2, stdout: '', stderr: `dsar smoke: ${message}\n\n${SMOKE_USAGE}` });
  if (!values.local === !values.stack) return usageError('give either --stack <name> or --local');
  if (values.stack && !values.to) return usageError('--to <address> is required with --stack: the test request is filed for it');
  if (values.to !== undefined && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(values.to)) return usageError(`--to must be an email address, got "${values.to}"`);
  const timeoutSeconds = values.timeout === undefined ? (values.local ? 30 : 300) : Number(values.timeout);
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) return usageError(`--timeout must be a positive number of seconds, got "${values.timeout}"`);

  let target: Target;
  if (values.local) {
    const file = values.runtime ?? join(ROOT, '.dsar', 'runtime.json');
    if (!existsSync(file)) return usageError(`${file} does not exist: start the embedded runtime first (npm start)`);
    target = localTarget(file);
  } else {
    try {
      target = await stackTarget(values.stack!, values.region);
    } catch (err) {
      return { exitCode: 1, stdout: '', stderr: `dsar smoke: cannot read stack ${values.stack}: ${(err as Error).message}\n` };
    }
  }
  const checks = await smoke(target, values.to ?? 'smoke-test@example.com', timeoutSeconds * 1000);
  return { exitCode: checks.some((c) => c.outcome === 'fail') ? 1 : 0, stdout: report(target.label, checks), stderr: '' };
}
