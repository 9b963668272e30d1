/**
 * Each function's role names exactly the actions its code calls; keys are used only through the service
 * that holds the data; the notification topics have a key of their own; every role a service assumes
 * is bound to this account (and resource); bounce events never reach a mailbox.
 */
import { readFileSync } from 'node:fs';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { FUNCTIONS } from '../../../infra/functions.ts';
import { actionsOf, logicalId, statementsOf, synthFast, type Statement } from './helpers.ts';

let synthesized: ReturnType<typeof synthFast>;
beforeAll(() => {
  synthesized = synthFast('LeastPrivilege', { alarmEmail: 'ops@example-video.test' });
}, 300_000);

const READ = ['dynamodb:GetItem', 'dynamodb:Query', 'kms:Decrypt'];
const WRITE = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey*'];
const MAIL = ['ses:SendEmail'];
const CODE_KEY = ['secretsmanager:GetSecretValue', 'kms:Decrypt'];
// The example configuration's connectors: SaaS secrets, its own DynamoDB table and S3 prefix (read).
// Versions too: on a versioned bucket the read-back must see every version an erasure has to remove.
const CONNECTORS = ['secretsmanager:GetSecretValue', 'dynamodb:Query', 'dynamodb:GetItem', 's3:GetObject', 's3:ListBucket', 's3:GetBucketVersioning', 's3:GetObjectVersion', 's3:ListBucketVersions'];
// Erasure deletes each version by id and reads an Object Lock that refused a delete, to report it as kept.
const ERASE = [...CONNECTORS, 'dynamodb:DeleteItem', 'dynamodb:UpdateItem', 's3:DeleteObject', 's3:DeleteObjectVersion', 's3:PutObject', 's3:AbortMultipartUpload', 's3:GetObjectRetention', 's3:GetObjectLegalHold'];

/** What each function's code calls (logs and X-Ray, which every function writes, left out). */
const EXPECTED: Record<string, string[]> = {
  // An agent's signed permission goes into the documents bucket (deleted again if the request was not written).
  'create-request': [...READ, ...WRITE, 'states:StartExecution', 's3:PutObject', 's3:DeleteObject'],
  'verify-request': [...READ, ...WRITE, 'states:SendTaskSuccess', ...CODE_KEY],
  'resend-code': [...READ, ...WRITE, ...MAIL, ...CODE_KEY],
  'get-request-status': [...READ],
  'subject-reply': [...READ, ...WRITE],
  download: [...READ, ...WRITE, 's3:GetObject'],
  'admin-list-requests': [...READ],
  'admin-get-request': [...READ],
  'admin-request-history': [...READ],
  'admin-deadline': [...READ, ...WRITE, ...MAIL],
  'admin-conversation': [...READ, ...WRITE, ...MAIL],
  'admin-metrics': [...READ],
  'admin-suppressions': [...READ],
  'admin-package': [...READ, ...WRITE, 's3:GetObject'],
  'admin-agent-permission': [...READ, ...WRITE, 's3:GetObject'],
  // Cancelling a request whose package awaits release deletes the package and its staged records.
  'admin-act': [...READ, ...WRITE, 'states:StartExecution', 'states:SendTaskSuccess', 'states:SendTaskFailure', 'states:StopExecution', ...MAIL, 's3:DeleteObject', 's3:ListBucket'],
  'admin-list-tasks': [...READ],
  'admin-task-act': [...READ, ...WRITE],
  // A withholding rebuilds the package from the staged records.
  'admin-release': [...READ, ...WRITE, 's3:GetObject', 's3:ListBucket', 's3:PutObject', 's3:AbortMultipartUpload'],
  'record-receipt': [...READ, ...WRITE, ...MAIL],
  'await-task': [...READ, ...WRITE, ...MAIL, ...CODE_KEY],
  'approve-automatically': [...READ, ...WRITE],
  // Also the preview before review: marks the request, counts with connectors (reading only), stores the counts.
  'match-partner': [...READ, ...WRITE, ...CONNECTORS],
  'plan-connectors': [...READ, ...WRITE, ...CONNECTORS],
  collect: [...READ, ...WRITE, 's3:PutObject', 's3:AbortMultipartUpload', 's3:DeleteObject', 's3:ListBucket', ...CONNECTORS],
  act: [...READ, ...WRITE, ...ERASE],
  'confirm-erasure': [...READ, ...WRITE, ...CONNECTORS],
  reconcile: [...READ, ...WRITE],
  'record-failure': [...READ, ...WRITE],
  assemble: [...READ, ...WRITE, 's3:GetObject', 's3:ListBucket', 's3:PutObject', 's3:AbortMultipartUpload', 's3:DeleteObject'],
  'notify-subject': [...READ, ...WRITE, ...MAIL, 's3:DeleteObject', 's3:ListBucket'],
  escalate: [...READ, ...WRITE, ...MAIL],
  'record-mail-event': [...READ, ...WRITE],
  'recheck-erasures': [...READ, ...WRITE, ...MAIL, ...CONNECTORS],
  'retention-sweep': ['dynamodb:Query', 'dynamodb:UpdateItem', 'kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey*'],
};

/** The AWS calls in the source a function's bundle includes, as the IAM actions they need. */
const CALLS: Record<string, string[]> = {
  GetCommand: ['dynamodb:GetItem'],
  QueryCommand: ['dynamodb:Query'],
  PutCommand: ['dynamodb:PutItem'],
  UpdateCommand: ['dynamodb:UpdateItem'],
  DeleteCommand: ['dynamodb:DeleteItem'],
  // A GetObject with a VersionId needs s3:GetObjectVersion; the regex cannot tell the two calls apart.
  GetObjectCommand: ['s3:GetObject', 's3:GetObjectVersion'],
  GetBucketVersioningCommand: ['s3:GetBucketVersioning'],
  ListObjectVersionsCommand: ['s3:ListBucketVersions'],
  GetObjectRetentionCommand: ['s3:GetObjectRetention'],
  GetObjectLegalHoldCommand: ['s3:GetObjectLegalHold'],
  PutObjectCommand: ['s3:PutObject'],
  Upload: ['s3:PutObject', 's3:AbortMultipartUpload'],
  // The package's own multipart upload (functions/domain/package/upload.ts).
  CreateMultipartUploadCommand: ['s3:PutObject'],
  UploadPartCommand: ['s3:PutObject'],
  CompleteMultipartUploadCommand: ['s3:PutObject'],
  AbortMultipartUploadCommand: ['s3:AbortMultipartUpload'],
  DeleteObjectsCommand: ['s3:DeleteObject', 's3:DeleteObjectVersion'],
  DeleteObjectCommand: ['s3:DeleteObject'],
  ListObjectsV2Command: ['s3:ListBucket'],
  SendEmailCommand: ['ses:SendEmail'],
  StartExecutionCommand: ['states:StartExecution'],
  SendTaskSuccessCommand: ['states:SendTaskSuccess'],
  SendTaskFailureCommand: ['states:SendTaskFailure'],
  SendTaskHeartbeatCommand: ['states:SendTaskHeartbeat'],
  StopExecutionCommand: ['states:StopExecution'],
  DescribeExecutionCommand: ['states:DescribeExecution'],
  GetSecretValueCommand: ['secretsmanager:GetSecretValue'],
  // A relational connector on Aurora through the Data API (test/infra/cdk/data-api.test.ts grants them).
  ExecuteStatementCommand: ['rds-data:ExecuteStatement'],
  BeginTransactionCommand: ['rds-data:BeginTransaction'],
  CommitTransactionCommand: ['rds-data:CommitTransaction'],
  RollbackTransactionCommand: ['rds-data:RollbackTransaction'],
};

async function reachableActions(entry: string): Promise<Set<string>> {
  const out = await build({ entryPoints: [entry], bundle: true, write: false, metafile: true, platform: 'node', format: 'esm', logLevel: 'silent' });
  const actions = new Set<string>();
  for (const file of Object.keys(out.metafile.inputs).filter((f) => !f.includes('node_modules'))) {
    const source = readFileSync(file, 'utf8');
    for (const [call, needs] of Object.entries(CALLS)) if (new RegExp(`new ${call}\\(`).test(source)) needs.forEach((a) => actions.add(a));
  }
  return actions;
}

const policyOf = (id: string) => {
  const { template, stack } = synthesized;
  return statementsOf(template, stack, stack.orchestrator, id).filter((s) => !actionsOf([s]).every((a) => a.startsWith('logs:') || a.startsWith('xray:')));
};

describe('each function’s role', () => {
  it('covers every function of infra/functions.ts', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual(FUNCTIONS.map((f) => f.id).sort());
  });

  it.each(FUNCTIONS.map((f) => [f.id, f.entry]))('%s: names exactly the actions its code uses, each reachable from its entry', async (id, entry) => {
    expect(synthesized.error).toBeUndefined();
    const granted = actionsOf(policyOf(id));
    expect(granted).toEqual([...new Set(EXPECTED[id])].sort());
    // Nothing granted that no call in the function's own bundle could need (KMS comes with the data).
    const reachable = await reachableActions(entry);
    expect(granted.filter((a) => !a.startsWith('kms:') && !reachable.has(a))).toEqual([]);
  }, 60_000);

  it('uses the data key only through DynamoDB, S3 or Secrets Manager in this region', () => {
    const { stack } = synthesized;
    const dataKey = logicalId(stack, stack.orchestrator.key);
    for (const spec of FUNCTIONS) {
      const kms = policyOf(spec.id).filter((s) => actionsOf([s]).some((a) => a.startsWith('kms:')));
      for (const s of kms) {
        expect(s.Resource).toEqual({ 'Fn::GetAtt': [dataKey, 'Arn'] });
        expect(Object.keys(s.Condition ?? {})).toEqual(['StringEquals']);
        expect(String(s.Condition!.StringEquals!['kms:ViaService'])).toMatch(/^(dynamodb|s3|secretsmanager)\.eu-north-1\.amazonaws\.com$/);
      }
    }
  });
});

describe('keys', () => {
  it('encrypts subject data with one key and the topics with another, and only the topic key lets CloudWatch and SES in', () => {
    const { template, stack } = synthesized;
    const o = stack.orchestrator;
    const dataKey = logicalId(stack, o.key);
    const topicKey = logicalId(stack, o.topicKey);
    expect(dataKey).not.toBe(topicKey);
    const res = template.toJSON().Resources;
    expect(res[logicalId(stack, o.table)].Properties.SSESpecification.KMSMasterKeyId).toEqual({ 'Fn::GetAtt': [dataKey, 'Arn'] });
    for (const topic of [o.alarmTopic, o.mailEventsTopic]) expect(res[logicalId(stack, topic)].Properties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [topicKey, 'Arn'] });
    const services = (key: string) =>
      (res[key].Properties.KeyPolicy.Statement as Array<{ Principal?: { Service?: string } }>).flatMap((s) => (s.Principal?.Service ? [s.Principal.Service] : []));
    expect(services(dataKey)).toEqual([]);
    expect(services(topicKey).sort()).toEqual(['cloudwatch.amazonaws.com', 'ses.amazonaws.com']);
    for (const s of res[topicKey].Properties.KeyPolicy.Statement as Statement[]) {
      if (JSON.stringify(s).includes('amazonaws.com')) {
        expect(s.Condition!.StringEquals!['aws:SourceAccount']).toBe('111111111111');
        expect(s.Condition!.ArnLike!['aws:SourceArn']).toBeDefined();
      }
    }
  });
});

describe('service roles', () => {
  const trustOf = (role: { node: { defaultChild?: unknown } }) =>
    synthesized.template.toJSON().Resources[logicalId(synthesized.stack, role)].Properties.AssumeRolePolicyDocument.Statement as Statement[];

  it('lets EventBridge Scheduler assume its role only for this account’s schedule group', () => {
    const { template } = synthesized;
    const [roleId] = Object.entries(template.findResources('AWS::IAM::Role')).find(([, r]) => JSON.stringify(r).includes('scheduler.amazonaws.com'))!;
    const [statement] = template.toJSON().Resources[roleId].Properties.AssumeRolePolicyDocument.Statement as Statement[];
    expect(statement!.Condition!.StringEquals!['aws:SourceAccount']).toBe('111111111111');
    expect(JSON.stringify(statement!.Condition!.StringEquals!['aws:SourceArn'])).toContain('Schedules');
  });

  it('lets Step Functions assume the workflow role only for a state machine of this account and region', () => {
    const [statement] = trustOf(synthesized.stack.orchestrator.stateMachine.role as unknown as { node: { defaultChild?: unknown } });
    expect(statement!.Condition!.StringEquals!['aws:SourceAccount']).toBe('111111111111');
    expect(JSON.stringify(statement!.Condition!.ArnLike!['aws:SourceArn'])).toContain(':states:eu-north-1:111111111111:stateMachine:*');
  });
});

describe('mail events', () => {
  it('go to the recording function only, never to a mailbox: they carry the subject line and the recipient', () => {
    const { template, stack } = synthesized;
    const topic = logicalId(stack, stack.orchestrator.mailEventsTopic);
    const subscriptions = Object.values(template.findResources('AWS::SNS::Subscription')).filter((s) => JSON.stringify(s.Properties.TopicArn) === JSON.stringify({ Ref: topic }));
    expect(subscriptions.map((s) => s.Properties.Protocol)).toEqual(['lambda']);
    // The alarm address still hears of every bounce, through the alarm that names no one.
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', TopicArn: { Ref: logicalId(stack, stack.orchestrator.alarmTopic) } });
  });
});
