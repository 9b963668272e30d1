/**
 * `dsar smoke` against the real embedded runtime: the request goes through the HTTP API, the bounce and
 * complaint go through SES to the runtime's mailbox simulator, which hands them to the mail-events
 * function, and the checks read the audit trail from the runtime's DynamoDB. The `--stack` path runs
 * the same checks with the stack's outputs from CloudFormation, mocked here to name this runtime (the
 * SDK then reaches it through the endpoint variables the runtime sets), and CloudWatch, which has no
 * local emulator, mocked.
 */
import { join } from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient, DescribeAlarmsCommand, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../infra/cli/main.ts';
import { SMOKE_OUTPUTS } from '../../../infra/cli/smoke.ts';
import { startTestRuntime, type TestRuntime } from '../../support/runtime.ts';

let rt: TestRuntime;
let runtimeFile: string;

beforeAll(async () => {
  rt = await startTestRuntime({ escalationIntervalMs: 0, retentionIntervalMs: 0 });
  runtimeFile = join(rt.dataDir, '..', 'runtime.json');
}, 120_000);
afterAll(async () => {
  await rt?.cleanup();
});

const trail = async (id: string) => ((await rt.api('GET', `/v1/admin/requests/${id}`, { token: rt.staffToken })).body.audit ?? []) as Array<{ action: string; detail?: Record<string, unknown> }>;
const requestIdIn = (stdout: string) => /access request (\S+) filed/.exec(stdout)?.[1];

describe('dsar smoke --local', () => {
  it('files a request through the API and finds it, its bounce and its complaint on the audit trail; the alarm is skipped for want of CloudWatch', async () => {
    const out = await runCli(['smoke', '--local', '--runtime', runtimeFile, '--to', 'smoke-local@example.com', '--timeout', '60']);

    expect(out.stderr).toBe('');
    expect(out.exitCode).toBe(0);
    expect(out.stdout).toMatch(/PASS\s+request\s+access request \S+ filed through the API \(202\)/);
    expect(out.stdout).toMatch(/PASS\s+trail\s+request\.filed/);
    expect(out.stdout).toMatch(/PASS\s+bounce\s+email\.bounced/);
    expect(out.stdout).toMatch(/PASS\s+complaint\s+email\.complained/);
    expect(out.stdout).toMatch(/SKIP\s+alarm\s+the embedded runtime has no CloudWatch/);
    expect(out.stdout).toContain('4 passed, 0 failed, 1 skipped');

    // What the mail-events function wrote: the simulator is not the subject, and no address is kept.
    const events = (await trail(requestIdIn(out.stdout)!)).filter((e) => e.action.startsWith('email.'));
    expect(events.map((e) => e.action).sort()).toEqual(['email.bounced', 'email.complained']);
    expect(events.every((e) => e.detail?.recipient === 'other')).toBe(true);
    expect(JSON.stringify(events)).not.toContain('simulator.amazonses.com');
  }, 180_000);

  it('still delivers ordinary mail through the simulator to the emulator’s store', async () => {
    const out = await runCli(['smoke', '--local', '--runtime', runtimeFile, '--to', 'smoke-mailbox@example.com', '--timeout', '60']);
    expect(out.exitCode).toBe(0);
    const mail = await rt.waitForMail('smoke-mailbox@example.com', 'We received your request');
    expect(mail.body.text).toContain(requestIdIn(out.stdout)!);
  }, 180_000);
});

describe('dsar smoke --stack', () => {
  it('reads the stack’s outputs, runs the same checks and forces the smoke-test alarm', async () => {
    const cfn = mockClient(CloudFormationClient);
    const cw = mockClient(CloudWatchClient);
    try {
      const outputs: Record<(typeof SMOKE_OUTPUTS)[number], string> = {
        ApiUrl: rt.apiUrl,
        TableName: rt.tables.requests,
        SenderAddress: rt.config.email.from,
        ConfigurationSetName: 'DsarConfigurationSet',
        SmokeTestAlarmName: 'Dsar-UndeliveredEmail',
      };
      cfn.on(DescribeStacksCommand, { StackName: 'DsarStack' }).resolves({
        Stacks: [{ StackName: 'DsarStack', CreationTime: new Date(), StackStatus: 'CREATE_COMPLETE', Outputs: Object.entries(outputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })) }],
      });
      cw.on(SetAlarmStateCommand).resolves({});
      cw.on(DescribeAlarmsCommand, { AlarmNames: ['Dsar-UndeliveredEmail'] }).resolves({ MetricAlarms: [{ AlarmName: 'Dsar-UndeliveredEmail', StateValue: 'ALARM' }] });

      const out = await runCli(['smoke', '--stack', 'DsarStack', '--to', 'smoke-stack@example.com', '--timeout', '60']);

      expect(out.stdout).toContain('5 passed, 0 failed, 0 skipped');
      expect(out.exitCode).toBe(0);
      expect(out.stdout).toMatch(/PASS\s+alarm\s+Dsar-UndeliveredEmail forced into ALARM/);
      expect(cw.commandCalls(SetAlarmStateCommand)[0]!.args[0].input).toMatchObject({ AlarmName: 'Dsar-UndeliveredEmail', StateValue: 'ALARM' });
    } finally {
      cfn.restore();
      cw.restore();
    }
  }, 180_000);

  it('fails the alarm check, and exits 1, when the alarm does not go into ALARM', async () => {
    const cfn = mockClient(CloudFormationClient);
    const cw = mockClient(CloudWatchClient);
    try {
      cfn.on(DescribeStacksCommand).resolves({
        Stacks: [
          {
            StackName: 'DsarStack',
            CreationTime: new Date(),
            StackStatus: 'CREATE_COMPLETE',
            Outputs: [
              { OutputKey: 'ApiUrl', OutputValue: rt.apiUrl },
              { OutputKey: 'TableName', OutputValue: rt.tables.requests },
              { OutputKey: 'SenderAddress', OutputValue: rt.config.email.from },
              { OutputKey: 'ConfigurationSetName', OutputValue: 'cs' },
              { OutputKey: 'SmokeTestAlarmName', OutputValue: 'quiet' },
            ],
          },
        ],
      });
      cw.on(SetAlarmStateCommand).resolves({});
      cw.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [{ AlarmName: 'quiet', StateValue: 'OK' }] });
      const out = await runCli(['smoke', '--stack', 'DsarStack', '--to', 'smoke-quiet@example.com', '--timeout', '60']);
      expect(out.exitCode).toBe(1);
      expect(out.stdout).toMatch(/FAIL\s+alarm\s+quiet is OK after SetAlarmState/);
    } finally {
      cfn.restore();
      cw.restore();
    }
  }, 180_000);

  it('says which outputs a stack lacks (one deployed before the smoke test existed)', async () => {
    const cfn = mockClient(CloudFormationClient);
    try {
      cfn.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'Old', CreationTime: new Date(), StackStatus: 'CREATE_COMPLETE', Outputs: [{ OutputKey: 'ApiUrl', OutputValue: 'https://x' }] }] });
      const out = await runCli(['smoke', '--stack', 'Old', '--to', 'a@example.com']);
      expect(out.exitCode).toBe(1);
      expect(out.stderr).toContain('has no output TableName, SenderAddress, ConfigurationSetName, SmokeTestAlarmName');
    } finally {
      cfn.restore();
    }
  });
});

describe('dsar smoke arguments', () => {
  it('needs exactly one of --stack and --local, and a test address with --stack', async () => {
    expect((await runCli(['smoke'])).stderr).toContain('give either --stack <name> or --local');
    expect((await runCli(['smoke', '--stack', 'S', '--local'])).exitCode).toBe(2);
    const noTo = await runCli(['smoke', '--stack', 'S']);
    expect(noTo.exitCode).toBe(2);
    expect(noTo.stderr).toContain('--to <address> is required');
    expect((await runCli(['smoke', '--local', '--to', 'not-an-address'])).stderr).toContain('--to must be an email address');
    expect((await runCli(['smoke', '--local', '--timeout', '0'])).stderr).toContain('--timeout must be a positive number');
    expect((await runCli(['smoke', '--local', '--runtime', '/nonexistent/runtime.json'])).stderr).toContain('start the embedded runtime first');
  });

  it('is listed in the usage', async () => {
    expect((await runCli(['--help'])).stdout).toMatch(/smoke\s+check a deployed stack/);
  });
});
