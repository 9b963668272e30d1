/**
 * A first deployment that works in any account and region: it can reuse the SES identity the account
 * already has, names nothing that another region's copy of the stack (or a deleted one) still holds,
 * and mails working links without a second deployment.
 */
import { App } from 'aws-cdk-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import { FUNCTIONS } from '../../../infra/functions.ts';
import { SMOKE_OUTPUTS } from '../../../infra/cli/smoke.ts';
import { propsFromContext } from '../../../infra/stack/context.ts';
import { logicalId, statementsOf, synthFast } from './helpers.ts';

let created: ReturnType<typeof synthFast>;
let reused: ReturnType<typeof synthFast>;

beforeAll(() => {
  created = synthFast('Created', { alarmEmail: 'ops@example-video.test' });
  reused = synthFast('Reused', { createSesIdentity: false, sesIdentity: 'example-video.test', console: { enabled: false } });
}, 300_000);

const resources = (r: typeof created, type: string) => Object.values(r.template.findResources(type));

describe('the SES identity', () => {
  it('is created by default and kept when the stack is deleted, so DKIM keeps working for mail already sent', () => {
    expect(created.error).toBeUndefined();
    const identities = resources(created, 'AWS::SES::EmailIdentity');
    expect(identities).toHaveLength(1);
    expect(identities[0]).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain', Properties: { EmailIdentity: 'example-video.test' } });
  });

  it('is reused, never created, when the account already has it, and mail is still sent from it only', () => {
    expect(reused.error).toBeUndefined();
    expect(resources(reused, 'AWS::SES::EmailIdentity')).toEqual([]);
    const ses = statementsOf(reused.template, reused.stack, reused.stack.orchestrator, 'notify-subject').filter((s) => JSON.stringify(s.Action).includes('ses:'));
    expect(JSON.stringify(ses.map((s) => s.Resource))).toContain('identity/example-video.test');
  });

  it('is switched by `cdk deploy -c createSesIdentity=false -c sesIdentity=…` or the environment, and refuses a switch that is not true or false', () => {
    const app = new App({ context: { createSesIdentity: 'false', sesIdentity: 'mail.example.com', enableWaf: 'true' } });
    expect(propsFromContext(app, {})).toEqual({ createSesIdentity: false, sesIdentity: 'mail.example.com', enableWaf: true });
    expect(propsFromContext(new App(), { DSAR_CREATE_SES_IDENTITY: 'false', DSAR_ALARM_EMAIL: 'ops@example.com' })).toEqual({
      createSesIdentity: false,
      alarmEmail: 'ops@example.com',
    });
    expect(propsFromContext(new App(), {})).toEqual({});
    expect(() => propsFromContext(new App({ context: { createSesIdentity: 'no' } }), {})).toThrow(/createSesIdentity must be true or false/);
  });
});

describe('account-wide names', () => {
  it('leaves the state machine and the dashboard unnamed, so CloudFormation picks names nobody holds', () => {
    for (const r of [created, reused]) {
      const [machine] = resources(r, 'AWS::StepFunctions::StateMachine');
      expect(machine!.Properties.StateMachineName).toBeUndefined();
      const [dashboard] = resources(r, 'AWS::CloudWatch::Dashboard');
      expect(dashboard!.Properties.DashboardName).toBeUndefined();
    }
  });

  it('puts the region into the names of the response headers policies and the origin access control', () => {
    const policies = resources(created, 'AWS::CloudFront::ResponseHeadersPolicy').map((p) => p.Properties.ResponseHeadersPolicyConfig.Name as string);
    expect(policies).toHaveLength(2);
    const [oac] = resources(created, 'AWS::CloudFront::OriginAccessControl').map((p) => p.Properties.OriginAccessControlConfig.Name as string);
    for (const name of [...policies, oac!]) expect(name).toMatch(/-eu-north-1$/);
    expect(new Set(policies).size).toBe(2);
    expect(oac!.length).toBeLessThanOrEqual(64);
  });

  it('differs between two regions of one account for the same stack name', () => {
    const other = synthFast('Created', { alarmEmail: 'ops@example-video.test' }, { account: '111111111111', region: 'us-east-2' });
    const names = (r: typeof created) => [
      ...resources(r, 'AWS::CloudFront::ResponseHeadersPolicy').map((p) => p.Properties.ResponseHeadersPolicyConfig.Name),
      ...resources(r, 'AWS::CloudFront::OriginAccessControl').map((p) => p.Properties.OriginAccessControlConfig.Name),
    ];
    expect(names(other).filter((n) => names(created).includes(n))).toEqual([]);
  }, 300_000);
});

describe('links and the state machine ARN', () => {
  it('gives every function the distribution’s address for mailed links, from the resource CloudFormation creates', () => {
    const distribution = logicalId(created.stack, created.stack.orchestrator.console!.distribution);
    for (const spec of FUNCTIONS) {
      const fn = created.template.toJSON().Resources[logicalId(created.stack, created.stack.orchestrator.functions[spec.id]!)];
      expect({ fn: spec.id, url: fn.Properties.Environment.Variables.DSAR_PUBLIC_BASE_URL }).toEqual({
        fn: spec.id,
        url: { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [distribution, 'DomainName'] }]] },
      });
    }
  });

  it('leaves the configured base URL alone without the console (no distribution to point at)', () => {
    const fn = reused.template.toJSON().Resources[logicalId(reused.stack, reused.stack.orchestrator.functions['record-receipt']!)];
    expect(fn.Properties.Environment.Variables.DSAR_PUBLIC_BASE_URL).toBeUndefined();
  });

  it('hands the functions that call Step Functions the ARN of the machine resource', () => {
    const machine = logicalId(created.stack, created.stack.orchestrator.stateMachine);
    const withArn = FUNCTIONS.filter((spec) => {
      const fn = created.template.toJSON().Resources[logicalId(created.stack, created.stack.orchestrator.functions[spec.id]!)];
      const value = fn.Properties.Environment.Variables.DSAR_STATE_MACHINE_ARN;
      if (value !== undefined) expect(value).toEqual({ Ref: machine });
      return value !== undefined;
    }).map((s) => s.id);
    expect(withArn.sort()).toEqual(['admin-act', 'create-request', 'verify-request']);
  });
});

describe('outputs', () => {
  it('names everything `dsar smoke --stack` reads, with the alarm it forces', () => {
    for (const r of [created, reused]) {
      const outputs = r.template.toJSON().Outputs as Record<string, { Value: unknown }>;
      expect(SMOKE_OUTPUTS.filter((k) => !outputs[k])).toEqual([]);
      expect(outputs.SmokeTestAlarmName!.Value).toEqual({ Ref: logicalId(r.stack, r.stack.orchestrator.smokeTestAlarm) });
      expect(outputs.SenderAddress!.Value).toBe(r.stack.orchestrator.config.email.from);
    }
  });
});
