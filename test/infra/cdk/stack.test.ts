/**
 * The project's own stack, synthesized once with real bundling and cdk-nag, and checked against the
 * shared descriptions it is built from: the ASL file, infra/functions.ts, infra/table.ts and the config.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../functions/commons/config.ts';
import { placeholders, readDefinition } from '../../../infra/asl.ts';
import { FUNCTIONS, type Grant } from '../../../infra/functions.ts';
import { DsarStack } from '../../../infra/stack/dsar-stack.ts';
import { TABLE_INDEXES, TTL_ATTRIBUTE, projectionOf } from '../../../infra/table.ts';
import { actionsOf, logicalId, statementsOf } from './helpers.ts';
import { STAGING_RETENTION_DAYS } from '#domain/retention/staging';
import { SECURITY_HEADERS as API_HEADERS } from '../../../functions/handlers/security-headers.ts';

const CONFIG_PATH = fileURLToPath(new URL('../../../config/example.config.json', import.meta.url));
const config = parseConfig(JSON.parse(readFileSync(CONFIG_PATH, 'utf8')));

let stack: DsarStack;
let template: Template;
let assembly: CloudAssembly | undefined;
let synthError: Error | undefined;

beforeAll(() => {
  const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'dsar-cdk-')), context: { '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': true } });
  stack = new DsarStack(app, 'DsarTest', {
    env: { account: '111111111111', region: 'eu-north-1' },
    orchestrator: { config: CONFIG_PATH, alarmEmail: 'ops@example-video.test', enableWaf: true },
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  try {
    assembly = app.synth();
  } catch (err) {
    synthError = err as Error;
  }
  template = Template.fromJSON(assembly?.getStackByName(stack.stackName).template ?? {});
}, 900_000);

const fnId = (id: string) => logicalId(stack, stack.orchestrator.functions[id]!);

describe('cdk-nag', () => {
  it('finds nothing unacknowledged in the AWS Solutions checks', () => {
    expect(synthError?.message).toBeUndefined();
    expect(assembly).toBeDefined();
  });
});

describe('the state machine', () => {
  it('is the ASL file with every placeholder replaced by the ARN of the function that claims it', () => {
    const machine = Object.values(template.findResources('AWS::StepFunctions::StateMachine'))[0]!;
    const [sep, parts] = machine.Properties.DefinitionString['Fn::Join'] as [string, unknown[]];
    expect(sep).toBe('');
    const byLogicalId = new Map(FUNCTIONS.filter((f) => f.placeholder).map((f) => [fnId(f.id), f.placeholder!]));
    // Put each function reference back as its placeholder: the result must be the file, byte for byte.
    const restored = parts
      .map((p) => {
        if (typeof p === 'string') return p;
        const [id, attr] = (p as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'];
        expect(attr).toBe('Arn');
        expect(byLogicalId.has(id)).toBe(true);
        return `\${${byLogicalId.get(id)}}`;
      })
      .join('');
    expect(restored).toBe(readDefinition());
    expect(placeholders().length).toBeGreaterThan(0);
  });

  it('leaves no ${...} placeholder in the deployed definition', () => {
    const machine = Object.values(template.findResources('AWS::StepFunctions::StateMachine'))[0]!;
    const literal = (machine.Properties.DefinitionString['Fn::Join'][1] as unknown[]).filter((p) => typeof p === 'string').join('');
    expect(literal).not.toMatch(/\$\{[A-Za-z0-9_]+\}/);
  });

  it('logs to a group whose name is new with each stack, so a redeploy after teardown does not meet the retained one', () => {
    const machine = Object.values(template.findResources('AWS::StepFunctions::StateMachine'))[0]!;
    const groupId = machine.Properties.LoggingConfiguration.Destinations[0].CloudWatchLogsLogGroup.LogGroupArn['Fn::GetAtt'][0];
    const group = template.toJSON().Resources[groupId];
    expect(group.DeletionPolicy).toBe('Retain');
    const [, parts] = group.Properties.LogGroupName['Fn::Join'];
    expect(parts[0]).toBe(`/aws/vendedlogs/states/${stack.stackName}-Dsar-`);
    expect(parts[1]).toEqual({ 'Fn::Select': [2, { 'Fn::Split': ['/', { Ref: 'AWS::StackId' }] }] });
  });

  it('logs every transition without execution data and is traced', () => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: false, Destinations: Match.anyValue() },
      TracingConfiguration: { Enabled: true },
    });
  });

  it('may invoke the workflow steps and no other function', () => {
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p) => p.Properties.PolicyDocument.Statement as Array<{ Action: unknown; Resource: unknown }>);
    const invoke = policies.find((s) => s.Action === 'lambda:InvokeFunction' && JSON.stringify(s.Resource).includes(fnId('collect')))!;
    const targets = (invoke.Resource as Array<{ 'Fn::GetAtt': [string, string] }>).map((r) => r['Fn::GetAtt'][0]).sort();
    expect(targets).toEqual(FUNCTIONS.filter((f) => f.placeholder).map((f) => fnId(f.id)).sort());
    expect(targets).not.toContain(fnId('create-request'));
  });
});

describe('the functions', () => {
  it('deploys every function of infra/functions.ts on nodejs24.x, arm64, traced, with the bundled config', () => {
    const fns = template.findResources('AWS::Lambda::Function', { Properties: { Environment: { Variables: { DSAR_CONFIG_FILE: Match.anyValue() } } } });
    expect(Object.keys(fns).sort()).toEqual(FUNCTIONS.map((f) => fnId(f.id)).sort());
    for (const fn of Object.values(fns)) {
      expect(fn.Properties.Runtime).toBe('nodejs24.x');
      expect(fn.Properties.Architectures).toEqual(['arm64']);
      expect(fn.Properties.TracingConfig).toEqual({ Mode: 'Active' });
      expect(fn.Properties.Handler).toBe('index.handler');
      expect(fn.Properties.Environment.Variables.DSAR_CONFIG_FILE).toBe('/var/task/dsar.config.json');
    }
  });

  it('puts the validated configuration next to the code in the asset', () => {
    const fn = template.toJSON().Resources[fnId('collect')];
    const key = JSON.stringify(fn.Properties.Code.S3Key).match(/([0-9a-f]{64})\.zip/)![1]!;
    const dir = join(assembly!.directory, `asset.${key}`);
    expect(existsSync(join(dir, 'index.mjs'))).toBe(true);
    expect(readFileSync(join(dir, 'index.mjs'), 'utf8').startsWith("import { createRequire } from 'module'")).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, 'dsar.config.json'), 'utf8'))).toEqual(config);
  });

  it('ships the MySQL driver beside the code of connector functions only, where the connector imports it', () => {
    const dirOf = (id: string) => join(assembly!.directory, `asset.${JSON.stringify(template.toJSON().Resources[fnId(id)].Properties.Code.S3Key).match(/([0-9a-f]{64})\.zip/)![1]!}`);
    const driver = readFileSync(join(dirOf('collect'), 'mysql-driver.mjs'), 'utf8');
    expect(driver.startsWith("import { createRequire } from 'module'")).toBe(true);
    // The alias took: iconv-lite's code pages are not in it, the utf8mb4-only stand-in is.
    expect(driver).toContain('speaks utf8mb4 only');
    expect(existsSync(join(dirOf('create-request'), 'mysql-driver.mjs'))).toBe(false);
  });

  it('gives each function only the resource names its grants cover', () => {
    const env = (id: string) => template.toJSON().Resources[fnId(id)].Properties.Environment.Variables as Record<string, unknown>;
    // The edge settings every API function gets behind CloudFront are not resources (test/infra/cdk/edge.test.ts).
    // Nor is the public base URL every function gets from the distribution (first-deploy.test.ts).
    const edge = new Set(['DSAR_EDGE_SECRET', 'DSAR_CLIENT_IP_HEADER', 'DSAR_PUBLIC_BASE_URL']);
    expect(Object.keys(env('get-request-status')).filter((k) => k.startsWith('DSAR_') && !edge.has(k)).sort()).toEqual(['DSAR_CONFIG_FILE', 'DSAR_TABLE']);
    expect(env('assemble')).toHaveProperty('DSAR_STAGING_BUCKET');
    expect(env('assemble')).toHaveProperty('DSAR_EXPORTS_BUCKET');
    expect(env('create-request')).toHaveProperty('DSAR_STATE_MACHINE_ARN');
    expect(env('notify-subject')).toHaveProperty('DSAR_SES_CONFIGURATION_SET');
  });

  it('sends each function\'s logs to its own log group', () => {
    for (const spec of FUNCTIONS) {
      const fn = template.toJSON().Resources[fnId(spec.id)];
      const group = template.toJSON().Resources[fn.Properties.LoggingConfig.LogGroup.Ref];
      expect(group.Type, spec.id).toBe('AWS::Logs::LogGroup');
      expect(fn.Properties.LoggingConfig.LogGroup.Ref, spec.id).toBe(logicalId(stack, stack.orchestrator.functions[spec.id]!.logGroup as never));
    }
    const groups = FUNCTIONS.map((spec) => template.toJSON().Resources[fnId(spec.id)].Properties.LoggingConfig.LogGroup.Ref);
    expect(new Set(groups).size).toBe(FUNCTIONS.length);
  });

  it('sets a retention on every log group', () => {
    const groups = Object.values(template.findResources('AWS::Logs::LogGroup'));
    expect(groups.length).toBeGreaterThanOrEqual(FUNCTIONS.length + 2);
    for (const g of groups) expect(g.Properties.RetentionInDays).toBeGreaterThan(0);
  });
});

describe('least privilege', () => {
  const services: Record<Grant, string[]> = {
    'table:read': ['dynamodb', 'kms'],
    'table:write': ['dynamodb', 'kms'],
    'table:query': ['dynamodb', 'kms'],
    'table:update': ['dynamodb', 'kms'],
    'table:put': ['dynamodb', 'kms'],
    'staging:read': ['s3', 'kms'],
    'staging:write': ['s3', 'kms'],
    'staging:delete': ['s3'],
    'exports:read': ['s3', 'kms'],
    'exports:write': ['s3', 'kms'],
    'exports:delete': ['s3'],
    'documents:write': ['s3', 'kms'],
    'documents:read': ['s3', 'kms'],
    'documents:delete': ['s3'],
    'sfn:start': ['states'],
    'sfn:complete-task': ['states'],
    'sfn:refuse-task': ['states'],
    'sfn:stop': ['states'],
    'ses:send': ['ses'],
    'secret:code-key': ['secretsmanager', 'kms'],
    connectors: ['secretsmanager', 'dynamodb', 's3'],
    'connectors:erase': ['secretsmanager', 'dynamodb', 's3'],
  };

  it('lets only the erasing function delete from the company stores that the configuration names', () => {
    const deletesCompanyData = (id: string) =>
      statementsOf(template, stack, stack.orchestrator, id).some(
        (st) => /DeleteItem|UpdateItem|DeleteObject|PutObject/.test(JSON.stringify(st.Action)) && /demo-accounts|demo-call-history/.test(JSON.stringify(st.Resource)),
      );
    expect(FUNCTIONS.filter((spec) => deletesCompanyData(spec.id)).map((spec) => spec.id)).toEqual(['act']);
  });

  it('lets each function use only the services its grants name', () => {
    for (const spec of FUNCTIONS) {
      const allowed = new Set(['logs', 'xray', ...spec.grants.flatMap((g) => services[g])]);
      const used = actionsOf(statementsOf(template, stack, stack.orchestrator, spec.id)).map((a) => a.split(':')[0]!);
      expect({ fn: spec.id, extra: used.filter((s) => !allowed.has(s)) }).toEqual({ fn: spec.id, extra: [] });
    }
  });

  it('lets only the functions that hash verification codes read the code key, and names it in their environment only', () => {
    const secretId = logicalId(stack, stack.orchestrator.codeKeySecret);
    const readers = FUNCTIONS.filter((spec) => JSON.stringify(statementsOf(template, stack, stack.orchestrator, spec.id)).includes(secretId)).map((spec) => spec.id);
    expect(readers.sort()).toEqual(['await-task', 'resend-code', 'verify-request']);
    const functions = template.findResources('AWS::Lambda::Function') as Record<string, { Properties: { Environment?: { Variables?: Record<string, unknown> } } }>;
    const named = Object.values(functions).filter((f) => f.Properties.Environment?.Variables?.DSAR_CODE_KEY_SECRET !== undefined);
    expect(named).toHaveLength(3);
    template.hasResourceProperties('AWS::SecretsManager::Secret', { GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true } });
  });

  it('keeps the status endpoint away from S3 and Step Functions', () => {
    const actions = actionsOf(statementsOf(template, stack, stack.orchestrator, 'get-request-status'));
    expect(actions.some((a) => a.startsWith('s3:') || a.startsWith('states:'))).toBe(false);
    expect(actions.filter((a) => a.startsWith('dynamodb:')).every((a) => !/Put|Update|Delete|Write/.test(a))).toBe(true);
  });

  it('lets collect write staging and read connector secrets, but never complete a task', () => {
    const statements = statementsOf(template, stack, stack.orchestrator, 'collect');
    const actions = actionsOf(statements);
    expect(actions).not.toContain('states:SendTaskSuccess');
    const secrets = statements.filter((s) => s.Action === 'secretsmanager:GetSecretValue').map((s) => JSON.stringify(s.Resource));
    const named = config.connectors.flatMap((c) => ('credentials' in c ? [c.credentials] : []));
    expect(named.length).toBeGreaterThan(0);
    expect(secrets).toHaveLength(named.length);
    for (const name of named) expect(secrets.some((r) => r.includes(`:secret:${name}-??????`))).toBe(true);
    const exportsId = logicalId(stack, stack.orchestrator.exportsBucket);
    expect(JSON.stringify(statements)).not.toContain(exportsId);
    // The company's own stores that the config names, read-only.
    expect(JSON.stringify(statements)).toContain('table/demo-accounts/index/by-email');
    expect(JSON.stringify(statements)).toContain('demo-call-history/users/*');
  });

  it('lets assemble delete the staged copies it packaged, and the closing step delete an erased subject’s earlier copies', () => {
    const deletes = (id: string) =>
      statementsOf(template, stack, stack.orchestrator, id)
        .filter((st) => JSON.stringify(st.Action).includes('s3:DeleteObject'))
        .map((st) => JSON.stringify(st.Resource));
    const staging = logicalId(stack, stack.orchestrator.stagingBucket);
    const exportsId = logicalId(stack, stack.orchestrator.exportsBucket);
    expect(deletes('assemble').some((r) => r.includes(staging))).toBe(true);
    expect(deletes('assemble').some((r) => r.includes(exportsId))).toBe(false);
    expect(deletes('notify-subject').some((r) => r.includes(staging))).toBe(true);
    expect(deletes('notify-subject').some((r) => r.includes(exportsId))).toBe(true);
    // Deleting is all the closing step may do to staged data: it never writes or reads it.
    const writesOrReads = statementsOf(template, stack, stack.orchestrator, 'notify-subject').filter((st) =>
      /s3:PutObject|s3:GetObject/.test(JSON.stringify(st.Action)),
    );
    expect(writesOrReads).toEqual([]);
  });

  it('lets collect and erase write the audit trail, which a throttled run does before the workflow waits', () => {
    const tableId = logicalId(stack, stack.orchestrator.table);
    for (const id of ['collect', 'act']) {
      const writes = statementsOf(template, stack, stack.orchestrator, id).filter(
        (st) => JSON.stringify(st.Action).includes('dynamodb:PutItem') && JSON.stringify(st.Resource).includes(tableId),
      );
      expect({ fn: id, writes: writes.length > 0 }).toEqual({ fn: id, writes: true });
    }
  });

  it('does not let assemble read secrets or touch the state machine', () => {
    const actions = actionsOf(statementsOf(template, stack, stack.orchestrator, 'assemble'));
    expect(actions.some((a) => a.startsWith('secretsmanager:') || a.startsWith('states:'))).toBe(false);
    expect(actions).toContain('s3:PutObject');
  });

  it('scopes task completion, start and stop to this state machine, named by the resource', () => {
    const machine = logicalId(stack, stack.orchestrator.stateMachine);
    const verify = statementsOf(template, stack, stack.orchestrator, 'verify-request').filter((s) => JSON.stringify(s.Action).includes('states:'));
    expect(actionsOf(verify)).toEqual(['states:SendTaskSuccess']);
    expect(verify.map((s) => s.Resource)).toEqual([{ Ref: machine }]);
    // Only staff refuse a task (a review denied or forwarded), on this state machine alone.
    const refusal = statementsOf(template, stack, stack.orchestrator, 'admin-act').filter((s) => JSON.stringify(s.Action).includes('SendTaskFailure'));
    expect(refusal.map((s) => s.Resource)).toEqual([{ Ref: machine }]);
    const admin = statementsOf(template, stack, stack.orchestrator, 'admin-act').filter((s) => JSON.stringify(s.Action).includes('StopExecution'));
    expect(JSON.stringify(admin[0]!.Resource)).toContain(JSON.stringify({ 'Fn::GetAtt': [machine, 'Name'] }));
    expect(JSON.stringify(admin[0]!.Resource)).toContain(':execution:');
    const create = statementsOf(template, stack, stack.orchestrator, 'create-request').filter((s) => JSON.stringify(s.Action).includes('states:'));
    expect(actionsOf(create)).toEqual(['states:StartExecution']);
    expect(template.toJSON().Resources[fnId('create-request')].Properties.Environment.Variables.DSAR_STATE_MACHINE_ARN).toEqual({ Ref: machine });
  });

  it('lets mail be sent from the configured identity and configuration set only', () => {
    const ses = statementsOf(template, stack, stack.orchestrator, 'notify-subject').filter((s) => JSON.stringify(s.Action).includes('ses:'));
    const resources = JSON.stringify(ses.map((s) => s.Resource));
    expect(resources).toContain('identity/example-video.test');
    expect(resources).toContain('configuration-set/');
    expect(resources).not.toMatch(/identity\/\*/);
  });
});

describe('data at rest', () => {
  it('encrypts the table with the customer-managed key, with PITR, TTL and the shared indexes', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: Match.anyValue() },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
      // Each index copies only what its queries read (KEYS_ONLY or INCLUDE), as the local table does.
      GlobalSecondaryIndexes: TABLE_INDEXES.map((i) => Match.objectLike({ IndexName: i.indexName, Projection: projectionOf(i) })),
    });
    template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain' });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    // The key and the staff pool outlive a teardown too: without the key the retained data is unreadable.
    expect(template.toJSON().Resources[logicalId(stack, stack.orchestrator.key)]).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    expect(template.toJSON().Resources[stack.getLogicalId(stack.orchestrator.userPool.node.defaultChild as never)]).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  it('keeps staging and exports private, KMS-encrypted, TLS-only, logged and expiring', () => {
    const keyId = logicalId(stack, stack.orchestrator.key);
    for (const [bucket, days] of [[stack.orchestrator.stagingBucket, STAGING_RETENTION_DAYS], [stack.orchestrator.exportsBucket, config.delivery.linkTtlDays]] as const) {
      const resource = template.toJSON().Resources[logicalId(stack, bucket)];
      expect(resource.DeletionPolicy).toBe('Retain');
      const p = resource.Properties;
      expect(p.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault).toEqual({ SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [keyId, 'Arn'] } });
      expect(p.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
      expect(p.LoggingConfiguration.DestinationBucketName).toEqual({ Ref: logicalId(stack, stack.orchestrator.logBucket) });
      expect(p.LifecycleConfiguration.Rules[0].ExpirationInDays).toBe(days);
    }
    const tlsDenials = Object.values(template.findResources('AWS::S3::BucketPolicy')).filter((p) =>
      (p.Properties.PolicyDocument.Statement as Array<{ Effect: string; Condition?: unknown }>).some((s) => s.Effect === 'Deny' && JSON.stringify(s.Condition).includes('aws:SecureTransport')),
    );
    // Every bucket of the stack is TLS-only (staging, exports, access logs, the console site).
    expect(tlsDenials.length).toBe(Object.keys(template.findResources('AWS::S3::Bucket')).length);
    expect(tlsDenials.length).toBeGreaterThanOrEqual(4);
  });
});

describe('the HTTP API', () => {
  const routes = FUNCTIONS.flatMap((f) => (f.routes ?? []).map((r) => ({ key: `${r.method} ${r.path}`, staff: !!r.staff })));

  it('has every route of infra/functions.ts, the JWT authorizer on staff routes and none on public ones', () => {
    const deployed = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map((r) => r.Properties as { RouteKey: string; AuthorizationType: string; AuthorizerId?: unknown });
    expect(deployed.map((r) => r.RouteKey).sort()).toEqual(routes.map((r) => r.key).sort());
    for (const route of routes) {
      const r = deployed.find((d) => d.RouteKey === route.key)!;
      if (route.staff) {
        expect(r.AuthorizationType).toBe('JWT');
        expect(r.AuthorizerId).toBeDefined();
      } else {
        expect(r.AuthorizationType).toBe('NONE');
        expect(r.AuthorizerId).toBeUndefined();
      }
    }
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', { AuthorizerType: 'JWT', IdentitySource: ['$request.header.Authorization'] });
  });

  it('throttles the default stage and writes access logs without query strings', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.not(Match.stringLikeRegexp('querystring')) },
    });
  });

  it('protects staff sign-in with MFA, both groups and an optional rate-limiting web ACL', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', { MfaConfiguration: 'ON', AdminCreateUserConfig: { AllowAdminCreateUserOnly: true } });
    const groups = Object.values(template.findResources('AWS::Cognito::UserPoolGroup')).map((g) => g.Properties.GroupName).sort();
    expect(groups).toEqual(['approver', 'viewer']);
    template.hasResourceProperties('AWS::WAFv2::WebACL', {
      Scope: 'REGIONAL',
      Rules: Match.arrayWith([Match.objectLike({ Statement: { RateBasedStatement: { Limit: 500, AggregateKeyType: 'IP' } } })]),
    });
    const [association, ...others] = Object.values(template.findResources('AWS::WAFv2::WebACLAssociation')).map((a) => a.Properties);
    expect(others).toHaveLength(0);
    expect(association).toEqual({
      ResourceArn: { 'Fn::GetAtt': [stack.getLogicalId(stack.orchestrator.userPool.node.defaultChild as never), 'Arn'] },
      WebACLArn: { 'Fn::GetAtt': [logicalId(stack, { node: { defaultChild: stack.orchestrator.webAcl } }), 'Arn'] },
    });
  });
});

describe('operations', () => {
  it('alarms on failed and timed-out executions, connector failures, API errors, overdue requests and undelivered mail', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties);
    const metric = (name: string) => alarms.filter((a) => a.MetricName === name);
    expect(metric('ExecutionsFailed')).toHaveLength(1);
    expect(metric('ExecutionsTimedOut')).toHaveLength(1);
    expect(metric('5xx')).toHaveLength(1);
    expect(metric('NumberOfMessagesPublished')).toHaveLength(1);
    // No alarm on Lambda errors or on every 4xx: both count what retries fix or what is no fault.
    expect(metric('Errors')).toHaveLength(0);
    expect(metric('4xx')).toHaveLength(0);
    const topic = logicalId(stack, stack.orchestrator.alarmTopic);
    for (const a of alarms) expect(a.AlarmActions).toEqual([{ Ref: topic }]);
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example-video.test', TopicArn: { Ref: topic } });
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  });

  const alarmOn = (name: string) => {
    const found = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties).filter((a) => a.MetricName === name);
    expect(found).toHaveLength(1);
    return found[0]!;
  };

  it('alarms on connector failures as the Reconcile step publishes them, for access and erasure alike', () => {
    expect(alarmOn('ConnectorFailures')).toMatchObject({
      Namespace: 'Dsar',
      Dimensions: [{ Name: 'service', Value: 'dsar' }],
      Statistic: 'Sum',
      Period: 300,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  it('alarms on a workflow step that failed after its retries (the request waits in NeedsAttention, the execution does not fail)', () => {
    expect(alarmOn('WorkflowStepFailures')).toMatchObject({
      Namespace: 'Dsar',
      Dimensions: [{ Name: 'service', Value: 'dsar' }],
      Statistic: 'Sum',
      Threshold: 1,
    });
  });

  it('alarms on overdue requests over the escalation job\'s own interval, and keeps its state when a run is missing', () => {
    expect(FUNCTIONS.find((f) => f.id === 'escalate')!.schedule).toBe('rate(1 hour)');
    expect(alarmOn('OverdueRequests')).toMatchObject({
      Namespace: 'Dsar',
      Dimensions: [{ Name: 'service', Value: 'dsar' }],
      Statistic: 'Maximum',
      Period: 3600,
      EvaluationPeriods: 1,
      Threshold: 1,
      TreatMissingData: 'ignore',
    });
  });

  it('counts throttled (429) answers from the API access log and alarms on them', () => {
    const apiLogs = Object.values(template.findResources('AWS::ApiGatewayV2::Stage'))[0]!.Properties.AccessLogSettings;
    expect(JSON.parse(apiLogs.Format)).toMatchObject({ apiId: '$context.apiId', status: '$context.status' });
    const filter = Object.values(template.findResources('AWS::Logs::MetricFilter'))
      .map((f) => f.Properties)
      .find((f) => f.MetricTransformations[0].MetricName === 'ApiThrottledRequests')!;
    expect(filter.FilterPattern).toBe('{ $.status = "429" }');
    // The filter reads the log group the stage writes its access log to.
    expect(filter.LogGroupName).toEqual({ Ref: apiLogs.DestinationArn['Fn::GetAtt'][0] });
    expect(filter.MetricTransformations[0]).toMatchObject({ MetricNamespace: 'Dsar', MetricValue: '1', Dimensions: [{ Key: 'apiId', Value: '$.apiId' }] });
    expect(alarmOn('ApiThrottledRequests')).toMatchObject({
      Namespace: 'Dsar',
      Dimensions: [{ Name: 'apiId', Value: { Ref: logicalId(stack, stack.orchestrator.api) } }],
      Statistic: 'Sum',
      Period: 300,
    });
  });

  it('sends bounces and complaints of the SES configuration set to SNS', () => {
    template.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      EventDestination: {
        Enabled: true,
        MatchingEventTypes: Match.arrayWith(['bounce', 'complaint']),
        SnsDestination: { TopicARN: { Ref: logicalId(stack, stack.orchestrator.mailEventsTopic) } },
      },
    });
  });

  it('has the mail-events topic feed the function that records bounces and complaints on the audit trail', () => {
    const topic = { Ref: logicalId(stack, stack.orchestrator.mailEventsTopic) };
    const recorder = FUNCTIONS.find((f) => f.topic === 'mail-events')!;
    expect(recorder.entry).toBe('functions/handlers/events/record-mail-event.ts');
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'lambda', TopicArn: topic, Endpoint: { 'Fn::GetAtt': [fnId(recorder.id), 'Arn'] } });
    template.hasResourceProperties('AWS::Lambda::Permission', { Action: 'lambda:InvokeFunction', Principal: 'sns.amazonaws.com', SourceArn: topic, FunctionName: { 'Fn::GetAtt': [fnId(recorder.id), 'Arn'] } });
    // It may read and append to the table, nothing else; and only the topic's subscription invokes it.
    expect(recorder.grants).toEqual(['table:read', 'table:write']);
    const subscriptions = Object.values(template.findResources('AWS::SNS::Subscription')).map((x) => x.Properties).filter((x) => x.Protocol === 'lambda');
    expect(subscriptions).toHaveLength(1);
  });

  it('schedules exactly the functions that declare a schedule', () => {
    const scheduled = FUNCTIONS.filter((f) => f.schedule);
    const schedules = Object.values(template.findResources('AWS::Scheduler::Schedule')).map((s) => s.Properties);
    expect(schedules).toHaveLength(scheduled.length);
    for (const spec of scheduled) {
      const s = schedules.find((x) => JSON.stringify(x.Target.Arn).includes(fnId(spec.id)));
      expect(s?.ScheduleExpression).toBe(spec.schedule);
    }
  });
});

describe('the console on CloudFront', () => {
  const site = () => stack.orchestrator.console!;
  const resource = (construct: { node: { defaultChild?: unknown } }) => template.toJSON().Resources[logicalId(stack, construct)];

  it('keeps the site bucket private, encrypted, TLS-only and logged, readable by this distribution only through OAC', () => {
    const bucket = resource(site().bucket).Properties;
    expect(bucket.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
    expect(bucket.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm).toBe('AES256');
    expect(bucket.LoggingConfiguration.DestinationBucketName).toEqual({ Ref: logicalId(stack, stack.orchestrator.logBucket) });
    template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: { OriginAccessControlOriginType: 's3', SigningBehavior: 'always', SigningProtocol: 'sigv4' },
    });
    const distributionId = logicalId(stack, site().distribution);
    const policy = Object.values(template.findResources('AWS::S3::BucketPolicy')).find((p) => JSON.stringify(p.Properties.Bucket).includes(logicalId(stack, site().bucket)))!;
    const allow = (policy.Properties.PolicyDocument.Statement as Array<Record<string, any>>).filter((st) => st.Effect === 'Allow');
    expect(allow).toHaveLength(1);
    expect(allow[0]!.Principal).toEqual({ Service: 'cloudfront.amazonaws.com' });
    expect(allow[0]!.Action).toBe('s3:GetObject');
    expect(JSON.stringify(allow[0]!.Condition)).toContain(distributionId);
    const config = resource(site().distribution).Properties.DistributionConfig;
    expect(config.Origins.find((o: { S3OriginConfig?: unknown }) => o.S3OriginConfig).S3OriginConfig).toEqual({ OriginAccessIdentity: '' });
  });

  it('redirects to HTTPS, serves the shells through a viewer-request function and sends the API under /v1/* uncached', () => {
    const config = resource(site().distribution).Properties.DistributionConfig;
    expect(config.DefaultRootObject).toBe('request/index.html');
    expect(config.DefaultCacheBehavior.ViewerProtocolPolicy).toBe('redirect-to-https');
    expect(config.DefaultCacheBehavior.ResponseHeadersPolicyId).toEqual({ Ref: logicalId(stack, site().responseHeadersPolicy) });
    expect(config.DefaultCacheBehavior.FunctionAssociations).toEqual([expect.objectContaining({ EventType: 'viewer-request' })]);
    const api = config.CacheBehaviors.find((b: { PathPattern: string }) => b.PathPattern === '/v1/*');
    expect(api.ViewerProtocolPolicy).toBe('https-only');
    expect(api.CachePolicyId).toBe('4135ea2d-6df8-44a3-9df3-4b5a84be39ad'); // managed CachingDisabled
    expect(api.AllowedMethods).toContain('POST');
    const apiOrigin = config.Origins.find((o: { Id: string }) => o.Id === api.TargetOriginId);
    expect(apiOrigin.CustomOriginConfig).toMatchObject({ OriginProtocolPolicy: 'https-only', OriginSSLProtocols: ['TLSv1.2'] });
    expect(JSON.stringify(apiOrigin.DomainName)).toContain(logicalId(stack, stack.orchestrator.api));
    expect(api.ResponseHeadersPolicyId).toEqual({ Ref: logicalId(stack, site().apiResponseHeadersPolicy) });
    const fn = Object.values(template.findResources('AWS::CloudFront::Function'))[0]!.Properties;
    expect(fn.FunctionCode).toContain("request.uri = '/console/index.html'");
    expect(fn.FunctionCode).toContain("request.uri = '/request/index.html'");
  });

  it('adds the functions\' security headers under /v1/* to the answers API Gateway gives itself, leaving a function\'s own as they are', () => {
    const policy = resource(site().apiResponseHeadersPolicy).Properties.ResponseHeadersPolicyConfig;

    expect(policy.SecurityHeadersConfig).toEqual({
      ContentSecurityPolicy: { ContentSecurityPolicy: API_HEADERS['content-security-policy'], Override: false },
      ContentTypeOptions: { Override: false },
      ReferrerPolicy: { ReferrerPolicy: API_HEADERS['referrer-policy'], Override: false },
      StrictTransportSecurity: { AccessControlMaxAgeSec: 63072000, IncludeSubdomains: true, Override: false },
    });
    expect(API_HEADERS['strict-transport-security']).toBe('max-age=63072000; includeSubDomains');
    expect(policy.CustomHeadersConfig.Items).toEqual([{ Header: 'cache-control', Value: API_HEADERS['cache-control'], Override: false }]);
  });

  it('sets the strict CSP, with the Cognito domain and the API in connect-src, and the other security headers', () => {
    const policy = resource(site().responseHeadersPolicy).Properties.ResponseHeadersPolicyConfig;
    const csp = JSON.stringify(policy.SecurityHeadersConfig.ContentSecurityPolicy.ContentSecurityPolicy);
    for (const part of ["default-src 'none'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'", "base-uri 'none'", "form-action 'self'"]) expect(csp).toContain(part);
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain('connect-src');
    expect(csp).toContain('amazoncognito.com');
    expect(csp).toContain(logicalId(stack, stack.orchestrator.api));
    expect(policy.SecurityHeadersConfig).toMatchObject({
      ContentTypeOptions: { Override: true },
      FrameOptions: { FrameOption: 'DENY', Override: true },
      ReferrerPolicy: { ReferrerPolicy: 'no-referrer', Override: true },
      StrictTransportSecurity: { AccessControlMaxAgeSec: 63072000, IncludeSubdomains: true, Override: true },
    });
    const custom = Object.fromEntries(policy.CustomHeadersConfig.Items.map((h: { Header: string; Value: string }) => [h.Header, h.Value]));
    expect(custom).toMatchObject({ 'cross-origin-opener-policy': 'same-origin', 'cross-origin-resource-policy': 'same-origin' });
  });

  it('deploys the built site and a config.json for Cognito sign-in back to the distribution', () => {
    const deploy = Object.values(template.findResources('Custom::CDKBucketDeployment'))[0]!.Properties;
    expect(deploy.DestinationBucketName).toEqual({ Ref: logicalId(stack, site().bucket) });
    const dirs = (deploy.SourceObjectKeys as string[]).map((k) => join(assembly!.directory, `asset.${k.replace(/\.zip$/, '')}`));
    const built = dirs.find((d) => existsSync(join(d, 'console/index.html')))!;
    for (const file of ['request/index.html', 'assets/console.js', 'assets/request.js', 'assets/style.css']) expect(existsSync(join(built, file)), file).toBe(true);
    const configDir = dirs.find((d) => existsSync(join(d, 'console/config.json')))!;
    const json = JSON.parse(readFileSync(join(configDir, 'console/config.json'), 'utf8'));
    expect(json).toMatchObject({ apiBaseUrl: '', auth: { mode: 'cognito', scopes: ['openid', 'email', 'profile'] }, publicForm: { types: ['access', 'erasure', 'portability', 'marketing_opt_out', 'rectification', 'restriction'] } });
    // Deploy-time values (client id, hosted UI domain, distribution host) travel as markers.
    const markers = JSON.stringify(deploy.SourceMarkers);
    expect(markers).toContain(logicalId(stack, site().distribution));
    expect(markers).toContain(JSON.stringify({ Ref: stack.getLogicalId(stack.orchestrator.userPoolClient.node.defaultChild as never) }).slice(1, -1));
    expect(JSON.stringify(json.auth.redirectUri)).toMatch(/\/console\/callback"$/);
  });

  it('lets the staff app client use the code flow back to the console only', () => {
    const client = template.toJSON().Resources[stack.getLogicalId(stack.orchestrator.userPoolClient.node.defaultChild as never)].Properties;
    expect(client.AllowedOAuthFlows).toEqual(['code']);
    expect(client.GenerateSecret).toBeFalsy();
    expect(JSON.stringify(client.CallbackURLs)).toContain('/console/callback');
    expect(JSON.stringify(client.CallbackURLs)).toContain(logicalId(stack, site().distribution));
    template.resourceCountIs('AWS::Cognito::UserPoolDomain', 1);
  });
});
