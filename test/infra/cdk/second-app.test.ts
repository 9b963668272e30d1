/**
 * The construct embedded the way another team would: its own app, an existing user pool, no WAF,
 * DESTROY on teardown and a configuration passed as an object, imported by the package's name (its
 * "exports") and synthesized from another working directory, as `cdk synth` in the team's project would.
 * Bundling is skipped for speed (the bundle is checked in stack.test.ts); cdk-nag still runs.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { DsarOrchestrator } from 'dsar-orchestrator';

const config = JSON.parse(readFileSync(fileURLToPath(new URL('../../../config/example.config.json', import.meta.url)), 'utf8'));
// A team's app passes its configuration as an object: a relational connector's dataset goes inline, since
// a path would be read from the app's own working directory.
for (const c of config.connectors) {
  if (typeof c.dataset === 'string') c.dataset = JSON.parse(readFileSync(fileURLToPath(new URL(`../../../${c.dataset}`, import.meta.url)), 'utf8'));
}

/** A CLOUDFRONT-scope web ACL the team keeps in us-east-1. */
const WEB_ACL_ARN = 'arn:aws:wafv2:us-east-1:222222222222:global/webacl/privacy-edge/0123abcd-0000-0000-0000-000000000000';

let template: Template;
let synthError: Error | undefined;
let orchestrator: DsarOrchestrator;

beforeAll(() => {
  const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'dsar-cdk2-')), context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'PrivacyTeam', { env: { account: '222222222222', region: 'eu-west-1' } });
  const pool = cognito.UserPool.fromUserPoolId(stack, 'CorporatePool', 'eu-west-1_Corporate1');
  // The team's project directory holds none of this package's files: nothing may be looked up from it.
  const cwd = process.cwd();
  process.chdir(mkdtempSync(join(tmpdir(), 'privacy-team-app-')));
  try {
    orchestrator = construct(stack, pool);
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
    template = Template.fromJSON(app.synth().getStackByName('PrivacyTeam').template);
  } catch (err) {
    synthError = err as Error;
  } finally {
    process.chdir(cwd);
  }
}, 300_000);

function construct(stack: Stack, pool: cognito.IUserPool): DsarOrchestrator {
  return new DsarOrchestrator(stack, 'Requests', {
    config: { ...config, delivery: { linkTtlDays: 3, presignedUrlSeconds: 120 } },
    staff: { userPool: pool },
    sesIdentity: 'privacy@example-video.test',
    createSesIdentity: false,
    removalPolicy: RemovalPolicy.DESTROY,
    apiThrottle: { rateLimit: 5, burstLimit: 10 },
    console: { webAclArn: WEB_ACL_ARN },
  });
}

describe('DsarOrchestrator in another app', () => {
  it('synthesizes with no unacknowledged cdk-nag finding', () => {
    expect(synthError?.message).toBeUndefined();
  });

  it('uses the existing user pool instead of creating one, and creates no web ACL', () => {
    template.resourceCountIs('AWS::Cognito::UserPool', 0);
    template.resourceCountIs('AWS::Cognito::UserPoolClient', 1);
    template.resourceCountIs('AWS::WAFv2::WebACL', 0);
    const authorizer = Object.values(template.findResources('AWS::ApiGatewayV2::Authorizer'))[0]!;
    expect(JSON.stringify(authorizer.Properties.JwtConfiguration.Issuer)).toContain('eu-west-1_Corporate1');
  });

  it('puts the team\'s CloudFront web ACL in front of the pages and the API', () => {
    template.hasResourceProperties('AWS::CloudFront::Distribution', { DistributionConfig: { WebACLId: WEB_ACL_ARN } });
  });

  it('adds a hosted UI domain to the existing pool for the console, and writes config.json for it', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolDomain', { UserPoolId: 'eu-west-1_Corporate1' });
    template.resourceCountIs('AWS::CloudFront::Distribution', 1);
    const deploy = Object.values(template.findResources('Custom::CDKBucketDeployment'))[0]!.Properties;
    // The hosted UI URL, the client id and the distribution's host are filled in at deploy time.
    const [domainId] = Object.keys(template.findResources('AWS::Cognito::UserPoolDomain'));
    const markers = JSON.stringify(deploy.SourceMarkers);
    expect(markers).toContain(JSON.stringify({ Ref: domainId }));
    expect(markers).toContain(JSON.stringify({ Ref: Object.keys(template.findResources('AWS::Cognito::UserPoolClient'))[0] }));
  });

  it('deletes data on teardown when asked to', () => {
    for (const type of ['AWS::DynamoDB::Table', 'AWS::S3::Bucket', 'AWS::KMS::Key']) {
      for (const r of Object.values(template.findResources(type))) expect(r.DeletionPolicy).toBe('Delete');
    }
    template.hasResourceProperties('AWS::DynamoDB::Table', { DeletionProtectionEnabled: false });
  });

  it('gives the auto-delete function of the DESTROY buckets a log group with the construct\'s retention', () => {
    const provider = Object.entries(template.findResources('AWS::Lambda::Function')).find(([id]) => id.startsWith('CustomS3AutoDeleteObjectsCustomResourceProvider'))!;
    expect(provider).toBeDefined();
    const groupId = (provider[1].Properties.LoggingConfig.LogGroup as { Ref: string }).Ref;
    const group = template.toJSON().Resources[groupId];
    expect(group.Type).toBe('AWS::Logs::LogGroup');
    expect(group.Properties.RetentionInDays).toBe(180);
    expect(group.DeletionPolicy).toBe('Delete');
    for (const g of Object.values(template.findResources('AWS::Logs::LogGroup'))) expect(g.Properties.RetentionInDays).toBeGreaterThan(0);
  });

  it('follows the props: link lifetime, throttling, sender identity', () => {
    const exportsBucket = template.toJSON().Resources[Stack.of(orchestrator).getLogicalId(orchestrator.exportsBucket.node.defaultChild as never)];
    expect(exportsBucket.Properties.LifecycleConfiguration.Rules[0].ExpirationInDays).toBe(3);
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', { DefaultRouteSettings: { ThrottlingRateLimit: 5, ThrottlingBurstLimit: 10 } });
    template.resourceCountIs('AWS::SES::EmailIdentity', 0);
    expect(JSON.stringify(template.toJSON())).toContain('identity/privacy@example-video.test');
  });
});
