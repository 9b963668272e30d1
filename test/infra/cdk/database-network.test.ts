/**
 * With `database`, the functions that run connectors (and only they) sit in the database's subnets with
 * a security group the database's group admits on its port, and their roles may manage the network
 * interfaces Lambda needs there; without it the template has no network resource at all. Both shapes
 * pass cdk-nag (the synth fails on a finding) and cfn-lint.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { FUNCTIONS } from '../../../infra/functions.ts';
import { DsarOrchestrator, runsConnectors, type DsarDatabaseNetworkProps } from '../../../infra/stack/dsar-orchestrator.ts';
import { actionsOf, cfnLint, cfnLintRuns, EXAMPLE_CONFIG, shown, statementsOf } from './helpers.ts';

// Every function with a connectors grant: the workflow's steps and the hourly re-check of vendor deletions.
const CONNECTOR_FUNCTIONS = ['match-partner', 'plan-connectors', 'collect', 'act', 'confirm-erasure', 'recheck-erasures'];

/** An existing VPC of the account, as an embedding app imports it (nothing about it is created here). */
function importedVpc(stack: Stack, subnets: 'private' | 'public' = 'private'): ec2.IVpc {
  const ids = { [`${subnets}SubnetIds`]: ['subnet-0aaa0000000000001', 'subnet-0bbb0000000000002'], [`${subnets}SubnetRouteTableIds`]: ['rtb-0aaa0000000000001', 'rtb-0bbb0000000000002'] };
  return ec2.Vpc.fromVpcAttributes(stack, 'Vpc', { vpcId: 'vpc-0123456789abcdef0', vpcCidrBlock: '10.20.0.0/16', availabilityZones: ['eu-north-1a', 'eu-north-1b'], ...ids });
}

/** Synthesizes the construct (no bundling, console off) with cdk-nag; a finding fails the synth. */
function synth(database?: (stack: Stack) => DsarDatabaseNetworkProps) {
  const app = new App({
    outdir: mkdtempSync(join(tmpdir(), 'dsar-db-net-')),
    context: { 'aws:cdk:bundling-stacks': [], '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': true },
  });
  const stack = new Stack(app, 'DbNet', { env: { account: '111111111111', region: 'eu-north-1' } });
  const orchestrator = new DsarOrchestrator(stack, 'Dsar', { config: EXAMPLE_CONFIG, console: { enabled: false }, database: database?.(stack) });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const template = Template.fromJSON(app.synth().getStackByName('DbNet').template);
  return { stack, orchestrator, template };
}

const fnResource = (s: ReturnType<typeof synth>, id: string) =>
  s.template.toJSON().Resources[s.stack.getLogicalId(s.orchestrator.functions[id]!.node.defaultChild as never)];
const roleResource = (s: ReturnType<typeof synth>, id: string) =>
  s.template.toJSON().Resources[s.stack.getLogicalId(s.orchestrator.functions[id]!.role!.node.defaultChild as never)];
const groupId = (s: ReturnType<typeof synth>) => ({ 'Fn::GetAtt': [s.stack.getLogicalId(s.orchestrator.connectorSecurityGroup!.node.defaultChild as never), 'GroupId'] });

let plain: ReturnType<typeof synth>;
let withGroup: ReturnType<typeof synth>;
let withoutGroup: ReturnType<typeof synth>;
beforeAll(() => {
  plain = synth();
  withGroup = synth((stack) => ({
    vpc: importedVpc(stack),
    securityGroup: ec2.SecurityGroup.fromSecurityGroupId(stack, 'DatabaseGroup', 'sg-0db0123456789abcd'),
    port: 6543,
    gatewayEndpoints: true,
  }));
  withoutGroup = synth((stack) => ({ vpc: importedVpc(stack) }));
}, 300_000);

describe('the database network', () => {
  it('is taken by exactly the functions that run connectors', () => {
    expect(FUNCTIONS.filter(runsConnectors).map((f) => f.id).sort()).toEqual([...CONNECTOR_FUNCTIONS].sort());
  });

  it('places the connector functions in the given subnets with their own security group, and no other function', () => {
    for (const spec of FUNCTIONS) {
      const vpcConfig = fnResource(withGroup, spec.id).Properties.VpcConfig;
      if (runsConnectors(spec)) expect(vpcConfig, spec.id).toEqual({ SubnetIds: ['subnet-0aaa0000000000001', 'subnet-0bbb0000000000002'], SecurityGroupIds: [groupId(withGroup)] });
      else expect(vpcConfig, spec.id).toBeUndefined();
    }
  });

  it('lets the connector group out on HTTPS and to the database group on its port, and the database group admit it there', () => {
    const group = withGroup.template.toJSON().Resources[groupId(withGroup)['Fn::GetAtt'][0]!];
    expect(group.Properties.SecurityGroupIngress).toBeUndefined();
    expect(group.Properties.SecurityGroupEgress).toEqual([
      { CidrIp: '0.0.0.0/0', Description: expect.any(String), FromPort: 443, IpProtocol: 'tcp', ToPort: 443 },
    ]);
    withGroup.template.resourceCountIs('AWS::EC2::SecurityGroupEgress', 1);
    withGroup.template.hasResourceProperties('AWS::EC2::SecurityGroupEgress', {
      GroupId: groupId(withGroup), DestinationSecurityGroupId: 'sg-0db0123456789abcd', IpProtocol: 'tcp', FromPort: 6543, ToPort: 6543,
    });
    withGroup.template.resourceCountIs('AWS::EC2::SecurityGroupIngress', 1);
    withGroup.template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: 'sg-0db0123456789abcd', SourceSecurityGroupId: groupId(withGroup), IpProtocol: 'tcp', FromPort: 6543, ToPort: 6543,
    });
  });

  it('without the database group, reaches the default port inside the VPC only and touches no other group', () => {
    const group = withoutGroup.template.toJSON().Resources[groupId(withoutGroup)['Fn::GetAtt'][0]!];
    expect(group.Properties.SecurityGroupEgress.map((e: { CidrIp: string; FromPort: number }) => [e.CidrIp, e.FromPort])).toEqual([
      ['0.0.0.0/0', 443],
      ['10.20.0.0/16', 5432],
    ]);
    withoutGroup.template.resourceCountIs('AWS::EC2::SecurityGroupIngress', 0);
    withoutGroup.template.resourceCountIs('AWS::EC2::VPCEndpoint', 0);
  });

  it('creates the DynamoDB and S3 gateway endpoints on the subnets\' route tables when asked', () => {
    const endpoints = Object.values(withGroup.template.findResources('AWS::EC2::VPCEndpoint')).map((e) => e.Properties);
    expect(endpoints.map((e) => JSON.stringify(e.ServiceName)).sort()).toEqual([expect.stringContaining('.dynamodb'), expect.stringContaining('.s3')]);
    for (const e of endpoints) {
      expect(e.VpcEndpointType).toBe('Gateway');
      expect(e.VpcId).toBe('vpc-0123456789abcdef0');
      expect(e.RouteTableIds).toEqual(['rtb-0aaa0000000000001', 'rtb-0bbb0000000000002']);
    }
  });

  it('gives the connector roles the network interface actions of AWSLambdaVPCAccessExecutionRole, inline, and no other role anything new', () => {
    for (const spec of FUNCTIONS) {
      const policies = roleResource(withGroup, spec.id).Properties.Policies as Array<{ PolicyName: string; PolicyDocument: { Statement: unknown[] } }>;
      expect(roleResource(withGroup, spec.id).Properties.ManagedPolicyArns, spec.id).toBeUndefined();
      if (!runsConnectors(spec)) {
        expect(policies.map((p) => p.PolicyName), spec.id).toEqual(['xray-tracing']);
        continue;
      }
      expect(policies.find((p) => p.PolicyName === 'vpc-network-interfaces')!.PolicyDocument.Statement, spec.id).toEqual([
        {
          Effect: 'Allow',
          Action: ['ec2:CreateNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets', 'ec2:DeleteNetworkInterface', 'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses'],
          Resource: '*',
        },
      ]);
    }
  });

  it('leaves every function\'s own policy as it is without a VPC (the least-privilege map holds in both)', () => {
    for (const spec of FUNCTIONS) {
      expect(actionsOf(statementsOf(withGroup.template, withGroup.stack, withGroup.orchestrator, spec.id)), spec.id).toEqual(
        actionsOf(statementsOf(plain.template, plain.stack, plain.orchestrator, spec.id)),
      );
    }
  });

  it('refuses public subnets, where a function has no route out', () => {
    const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'dsar-db-net-')), context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'Public', { env: { account: '111111111111', region: 'eu-north-1' } });
    expect(
      () => new DsarOrchestrator(stack, 'Dsar', { config: EXAMPLE_CONFIG, console: { enabled: false }, database: { vpc: importedVpc(stack, 'public'), subnets: { subnetType: ec2.SubnetType.PUBLIC } } }),
    ).toThrow(/public subnet/);
  });
});

describe('without the database prop', () => {
  it('deploys no network resource and no function in a VPC', () => {
    for (const type of ['AWS::EC2::SecurityGroup', 'AWS::EC2::SecurityGroupIngress', 'AWS::EC2::SecurityGroupEgress', 'AWS::EC2::VPCEndpoint']) plain.template.resourceCountIs(type, 0);
    for (const spec of FUNCTIONS) {
      expect(fnResource(plain, spec.id).Properties.VpcConfig, spec.id).toBeUndefined();
      expect((roleResource(plain, spec.id).Properties.Policies as Array<{ PolicyName: string }>).map((p) => p.PolicyName), spec.id).toEqual(['xray-tracing']);
    }
    expect(plain.orchestrator.connectorSecurityGroup).toBeUndefined();
  });
});

describe.skipIf(!cfnLintRuns)('cfn-lint', () => {
  it('finds no error or warning in either VPC shape', () => {
    for (const s of [withGroup, withoutGroup]) expect(shown(cfnLint(s.template.toJSON()).filter((f) => f.Level !== 'Informational'))).toEqual([]);
  }, 300_000);
});
