/**
 * The construct's cdk-nag acknowledgements name exact resources: a `*` that nobody reviewed, granted to
 * one function, must fail the AWS Solutions checks instead of riding on another acknowledgement.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { DsarOrchestrator } from '../../../infra/stack/dsar-orchestrator.ts';

const CONFIG_PATH = fileURLToPath(new URL('../../../config/example.config.json', import.meta.url));

/** Synthesizes the construct (bundling skipped) after `change`, and returns cdk-nag's report or undefined. */
function nagReport(change: (o: DsarOrchestrator) => void): string | undefined {
  const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'dsar-nag-')), context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'NagScope', { env: { account: '111111111111', region: 'eu-north-1' } });
  const orchestrator = new DsarOrchestrator(stack, 'Dsar', { config: CONFIG_PATH, console: { enabled: false } });
  change(orchestrator);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  try {
    app.synth();
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

describe('the cdk-nag acknowledgements', () => {
  it('leave the construct as it is clean', () => {
    expect(nagReport(() => {})).toBeUndefined();
  });

  it('do not cover a stray "*" grant on a function\'s role', () => {
    const report = nagReport((o) => {
      o.functions['get-request-status']!.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['*'] }));
    });
    expect(report).toContain('AwsSolutions-IAM5[Resource::*]');
    expect(report).toContain('NagScope/Dsar/GetRequestStatusRole/DefaultPolicy/Resource');
    // Only that role is reported: every other function's X-Ray grant stays acknowledged.
    expect(report?.match(/Role\/DefaultPolicy\/Resource/g)).toHaveLength(1);
  });

  it('keep X-Ray\'s "*" apart from every other grant, and tracing on', () => {
    const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'dsar-nag-')), context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'Xray', { env: { account: '111111111111', region: 'eu-north-1' } });
    const o = new DsarOrchestrator(stack, 'Dsar', { config: CONFIG_PATH, console: { enabled: false } });
    const template = app.synth().getStackByName('Xray').template as { Resources: Record<string, { Type: string; Properties: any }> };
    for (const [id, fn] of Object.entries(o.functions)) {
      const role = template.Resources[stack.getLogicalId(fn.role!.node.defaultChild as never)]!;
      expect(role.Properties.Policies, id).toEqual([
        { PolicyName: 'xray-tracing', PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], Resource: '*' }] } },
      ]);
      expect(template.Resources[stack.getLogicalId(fn.node.defaultChild as never)]!.Properties.TracingConfig).toEqual({ Mode: 'Active' });
    }
    const stars = Object.values(template.Resources)
      .filter((r) => r.Type === 'AWS::IAM::Policy')
      .filter((p) => (p.Properties.PolicyDocument.Statement as Array<{ Resource: unknown }>).some((st) => JSON.stringify(st.Resource) === '"*"'));
    // The workflow role's log delivery and X-Ray are the only other "*" in any policy.
    expect(stars.map((p) => JSON.stringify(p.Properties.Roles))).toEqual([JSON.stringify([{ Ref: stack.getLogicalId(o.stateMachine.role.node.defaultChild as never) }])]);
  });
});
