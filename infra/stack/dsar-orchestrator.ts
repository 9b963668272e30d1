/**
 * The whole orchestrator on AWS as one construct: a privacy team embeds it in its own CDK app, and the
 * project's own app (`infra/app.ts`) uses it the same way. Everything it deploys comes from the shared
 * descriptions the embedded runtime also uses: the functions of `infra/functions.ts`, the table of
 * `infra/table.ts` and the workflow of `statemachines/dsar.asl.json` (through `infra/asl.ts`), so the
 * two runtimes cannot drift apart.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ArnFormat, CfnResource, Duration, Fn, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpUserPoolAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { isSqlConnector, parseConfig, type DsarConfig } from '../../functions/commons/config.ts';
import { STAGING_RETENTION_DAYS } from '../../functions/domain/retention/staging.ts';
import { substitute } from '../asl.ts';
import { CONNECTOR_SIDE_FILES, REQUIRE_BANNER, sideFileCommand } from '../bundling.ts';
import { FUNCTIONS, type FunctionSpec, type Grant } from '../functions.ts';
import { TABLE_INDEXES, TABLE_KEYS, TTL_ATTRIBUTE, projectionOf } from '../table.ts';
import { ConsoleSite, type DsarConsoleProps } from './console-site.ts';
import { EDGE_SECRET_HEADER } from '../../functions/handlers/edge-only.ts';
import { nagString } from './nag.ts';
import { findLockFile, PACKAGE_ROOT } from './package-root.ts';

/** Where each function finds the bundled configuration (the Lambda task root). */
export const CONFIG_FILE_IN_BUNDLE = 'dsar.config.json';
const CONFIG_FILE_ON_LAMBDA = `/var/task/${CONFIG_FILE_IN_BUNDLE}`;

export interface DsarStaffIdentityProps {
  /**
   * An existing Cognito user pool whose users are the privacy staff. Its tokens must carry the
   * `approver` / `viewer` groups in `cognito:groups`; create those groups yourself. Without one, the
   * construct creates a pool (admin-created users only, MFA required, both groups).
   */
  readonly userPool?: cognito.IUserPool;
  /** The app client the staff console signs in with; created in the pool when omitted. */
  readonly userPoolClient?: cognito.IUserPoolClient;
}

/**
 * The network of a database the relational (`postgres`, `mysql`) connectors reach over a connection
 * (not needed for Aurora through the Data API). The functions that run connectors (every function with a `connectors` grant in
 * `infra/functions.ts`) are placed in these subnets with a security group of their own.
 */
export interface DsarDatabaseNetworkProps {
  /** The VPC the database is in. */
  readonly vpc: ec2.IVpc;
  /**
   * Where the connector functions run. Default: the VPC's private subnets (CDK's default selection).
   * Public subnets are refused: a function there has no route out (Lambda gives it no public IP).
   */
  readonly subnets?: ec2.SubnetSelection;
  /**
   * The database's security group: the construct adds an ingress rule to it from the connector
   * functions' group on `port`. Without it, allow `DsarOrchestrator.connectorSecurityGroup` in yourself
   * (docs/deploy.md).
   */
  readonly securityGroup?: ec2.ISecurityGroup;
  /** The database's port. Default 5432. */
  readonly port?: number;
  /**
   * Create gateway endpoints for DynamoDB and S3 on the route tables of `subnets` (free of charge). Leave
   * false when the VPC already has them: a second gateway endpoint of one service on a route table fails
   * the deploy. Secrets Manager, SES and Step Functions still need a NAT gateway or interface endpoints.
   * Default false.
   */
  readonly gatewayEndpoints?: boolean;
}

export interface DsarOrchestratorProps {
  /** The installation's configuration: a parsed `DsarConfig`, or the path of its JSON file. */
  readonly config: DsarConfig | string;
  /**
   * The SES identity mail is sent from: a domain (`example.com`) or an address. Defaults to the domain
   * of `config.email.from`. Sending is allowed for this identity only.
   */
  readonly sesIdentity?: string;
  /**
   * Create the SES email identity for `sesIdentity` in this stack (you then add its DKIM records to DNS,
   * see docs/deploy.md). Set false to reuse an identity the account already has (SES refuses a second
   * one, and the stack would roll back): nothing is then created or deleted. An identity the stack
   * created is retained when the stack is deleted, so mail already sent keeps its DKIM and a redeploy
   * then passes false. Default true.
   */
  readonly createSesIdentity?: boolean;
  /** Staff sign-in. Default: a new Cognito user pool. */
  readonly staff?: DsarStaffIdentityProps;
  /** Who is told about alarms and undelivered emails. Without it the SNS topic has no subscriber. */
  readonly alarmEmail?: string;
  /** Retention of every log group the construct creates. Default six months. */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Days before staged connector output is deleted by the bucket's lifecycle (it is deleted after
   * assembly anyway). Default 100: longer than the longest extended statutory period, so an open
   * request that waited for staff still finds its staged records.
   */
  readonly stagingRetentionDays?: number;
  /**
   * What happens to the table, buckets, key and user pool when the stack is deleted. Default RETAIN: the
   * audit trail is evidence of compliance and must survive a mistaken teardown.
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Create an AWS WAF web ACL (rate-based rule plus AWS managed common rules) on the staff sign-in.
   * API Gateway HTTP APIs cannot be associated with WAF; the API is protected by stage throttling.
   * Default false (a web ACL costs a monthly fee).
   */
  readonly enableWaf?: boolean;
  /** Requests per 5 minutes per IP before the WAF rate rule blocks. Default 500. */
  readonly wafRateLimit?: number;
  /** API stage throttling. Default 50 requests/s, burst 100. */
  readonly apiThrottle?: { rateLimit: number; burstLimit: number };
  /**
   * The staff console and the public request pages: S3 behind CloudFront, with the API on the same
   * origin under /v1/*, and Cognito hosted UI sign-in. Deployed by default; `{ enabled: false }` omits it.
   */
  readonly console?: DsarConsoleProps;
  /**
   * Put the connector functions into a database's VPC, for `postgres` or `mysql` connectors whose database
   * has no public endpoint (Aurora through the Data API needs none). Without it every function runs outside any VPC, as before.
   */
  readonly database?: DsarDatabaseNetworkProps;
}

/** The functions that run connectors: only they go into the database's VPC. */
export const runsConnectors = (spec: FunctionSpec) => spec.grants.some((g) => g === 'connectors' || g === 'connectors:erase');

/**
 * What a function in a VPC needs to create, describe and delete its network interfaces: the actions of
 * the AWS managed policy AWSLambdaVPCAccessExecutionRole, inline (cdk-nag refuses AWS managed policies).
 */
const VPC_NETWORK_INTERFACE_ACTIONS = [
  'ec2:CreateNetworkInterface',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DescribeSubnets',
  'ec2:DeleteNetworkInterface',
  'ec2:AssignPrivateIpAddresses',
  'ec2:UnassignPrivateIpAddresses',
];

const pascal = (id: string) => id.replace(/(^|-)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase());

export class DsarOrchestrator extends Construct {
  readonly config: DsarConfig;
  /** Encrypts subject data: the table, the staging and exports buckets and the code key. No AWS service but those may use it. */
  readonly key: kms.Key;
  /**
   * Encrypts the SNS topics only. CloudWatch (alarms) and SES (mail events) must publish to them, so
   * their key lets those services encrypt: kept apart from the data key, which they never get.
   */
  readonly topicKey: kms.Key;
  /** The SES identity, when this construct created it (`createSesIdentity`). */
  readonly emailIdentity?: ses.EmailIdentity;
  readonly table: dynamodb.Table;
  readonly stagingBucket: s3.Bucket;
  readonly exportsBucket: s3.Bucket;
  /** Agents' signed permissions, under the request; read only through staff's presigned links. */
  readonly documentsBucket: s3.Bucket;
  readonly logBucket: s3.Bucket;
  /** The key verification codes are hashed with (HMAC): generated, readable only by the functions that hash codes. */
  readonly codeKeySecret: secretsmanager.Secret;
  /** Every function of `infra/functions.ts`, by its id. */
  readonly functions: Record<string, NodejsFunction> = {};
  readonly stateMachine: sfn.StateMachine;
  readonly api: apigwv2.HttpApi;
  readonly stage: apigwv2.HttpStage;
  readonly userPool: cognito.IUserPool;
  readonly userPoolClient: cognito.IUserPoolClient;
  readonly alarmTopic: sns.Topic;
  readonly mailEventsTopic: sns.Topic;
  readonly configurationSet: ses.ConfigurationSet;
  readonly alarms: cloudwatch.Alarm[] = [];
  /** The alarm `dsar smoke` forces into ALARM to prove that alarms reach the alarm address. */
  readonly smokeTestAlarm: cloudwatch.Alarm;
  readonly dashboard: cloudwatch.Dashboard;
  readonly webAcl?: wafv2.CfnWebACL;
  /**
   * The secret CloudFront adds to every call it forwards to the API (the `x-dsar-origin-verify` origin
   * header), present when the console's distribution fronts the API: the handlers refuse calls without
   * it, so the execute-api URL cannot be used to skip the distribution's web ACL or to forge the viewer IP.
   */
  readonly edgeSecret?: secretsmanager.Secret;
  /**
   * The security group of the connector functions, when `database` places them in a VPC: it may reach
   * the database's port and HTTPS (AWS APIs and the SaaS connectors), nothing else.
   */
  readonly connectorSecurityGroup?: ec2.SecurityGroup;
  /** The console's bucket, distribution and sign-in configuration (absent when `console.enabled` is false). */
  readonly console?: ConsoleSite;

  constructor(scope: Construct, id: string, props: DsarOrchestratorProps) {
    super(scope, id);
    const stack = Stack.of(this);
    // A relational connector's dataset path is read here (relative to the working directory) and bundled inline.
    this.config = typeof props.config === 'string' ? parseConfig(JSON.parse(readFileSync(props.config, 'utf8'))) : parseConfig(props.config);
    const config = this.config;
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const logRetention = props.logRetention ?? logs.RetentionDays.SIX_MONTHS;
    const destroy = removalPolicy === RemovalPolicy.DESTROY;

    // ---- data at rest: one key for subject data, another for the notification topics ----
    this.key = new kms.Key(this, 'DataKey', {
      description: `DSAR orchestrator subject data (${this.node.path})`,
      enableKeyRotation: true,
      removalPolicy,
    });
    this.topicKey = new kms.Key(this, 'TopicKey', {
      description: `DSAR orchestrator notification topics (${this.node.path})`,
      enableKeyRotation: true,
      removalPolicy,
    });
    // CloudWatch alarms and SES events publish to topics encrypted with this key; only from this account
    // and region, and only as alarms and configuration sets (the confused-deputy conditions).
    const publishers: Array<[string, string]> = [
      ['cloudwatch.amazonaws.com', stack.formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
      ['ses.amazonaws.com', stack.formatArn({ service: 'ses', resource: 'configuration-set', resourceName: '*' })],
    ];
    for (const [service, sourceArn] of publishers) {
      this.topicKey.addToResourcePolicy(
        new iam.PolicyStatement({
          principals: [new iam.ServicePrincipal(service)],
          actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          resources: ['*'],
          conditions: { StringEquals: { 'aws:SourceAccount': stack.account }, ArnLike: { 'aws:SourceArn': sourceArn } },
        }),
      );
    }

    // Without it, anyone who reads the table recovers a live 6-digit code by hashing all 10^6 of them.
    this.codeKeySecret = new secretsmanager.Secret(this, 'CodeKey', {
      description: `DSAR orchestrator: HMAC key of verification codes (${this.node.path})`,
      encryptionKey: this.key,
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      removalPolicy,
    });
    Validations.of(this.codeKeySecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'Rotating the code key only invalidates the codes in flight (15 minutes), which subjects can ask for again; an operator may rotate it by hand (docs/security.md).',
    });

    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: TABLE_KEYS.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: TABLE_KEYS.sortKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.key,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: TTL_ATTRIBUTE,
      deletionProtection: !destroy,
      removalPolicy,
    });
    for (const index of TABLE_INDEXES) {
      const projection = projectionOf(index);
      this.table.addGlobalSecondaryIndex({
        indexName: index.indexName,
        partitionKey: { name: index.partitionKey, type: dynamodb.AttributeType.STRING },
        sortKey: { name: index.sortKey, type: dynamodb.AttributeType.STRING },
        projectionType: dynamodb.ProjectionType[projection.ProjectionType],
        ...(projection.NonKeyAttributes ? { nonKeyAttributes: projection.NonKeyAttributes } : {}),
      });
    }

    // S3 server access logs cannot be delivered to a KMS-encrypted bucket, hence S3-managed keys here.
    this.logBucket = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      // Object ownership is left to CDK: with the serverAccessLogsUseBucketPolicy flag the log service is
      // granted by bucket policy (ACLs disabled); without it CDK needs the log-delivery ACL.
      lifecycleRules: [{ expiration: Duration.days(365) }],
      removalPolicy,
      autoDeleteObjects: destroy,
    });
    Validations.of(this.logBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This is the access-log bucket of the staging and exports buckets; logging it into itself would loop.',
    });
    const dataBucket = (name: string, expirationDays: number) =>
      new s3.Bucket(this, name, {
        encryption: s3.BucketEncryption.KMS,
        encryptionKey: this.key,
        bucketKeyEnabled: true, // one KMS call per object prefix, not per request: keeps KMS cost flat
        blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
        enforceSSL: true,
        objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        serverAccessLogsBucket: this.logBucket,
        serverAccessLogsPrefix: `${name.toLowerCase()}/`,
        lifecycleRules: [
          { expiration: Duration.days(expirationDays), abortIncompleteMultipartUploadAfter: Duration.days(1) },
        ],
        removalPolicy,
        autoDeleteObjects: destroy,
      });
    this.stagingBucket = dataBucket('Staging', props.stagingRetentionDays ?? STAGING_RETENTION_DAYS);
    // The download link lives linkTtlDays; the package must not outlive it.
    this.exportsBucket = dataBucket('Exports', config.delivery.linkTtlDays);
    // A permission is evidence of the request as long as the request keeps its subject's details: the
    // retention months after closing, plus a year for the longest a request stays open.
    this.documentsBucket = dataBucket('Documents', (config.records.subjectRetentionMonths + 12) * 31);
    if (destroy) this.retainAutoDeleteLogs(logRetention);

    // ---- email ----
    const fromDomain = config.email.from.split('@')[1]!;
    const sesIdentity = props.sesIdentity ?? fromDomain;
    if (props.createSesIdentity ?? true) {
      this.emailIdentity = new ses.EmailIdentity(this, 'EmailIdentity', {
        identity: sesIdentity.includes('@') ? ses.Identity.email(sesIdentity) : ses.Identity.domain(sesIdentity),
      });
      // Deleting it would break DKIM for mail already out and for anything else sending from the domain.
      this.emailIdentity.applyRemovalPolicy(RemovalPolicy.RETAIN);
    }
    this.alarmTopic = new sns.Topic(this, 'Alarms', { masterKey: this.topicKey, enforceSSL: true });
    // Bounce and complaint events carry the mail's subject line and recipient: they go to the recording
    // function only (which keeps neither), never to a mailbox. People hear of them through the
    // UndeliveredEmail alarm, whose message names no one.
    this.mailEventsTopic = new sns.Topic(this, 'MailEvents', { masterKey: this.topicKey, enforceSSL: true });
    if (props.alarmEmail) this.alarmTopic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));
    this.configurationSet = new ses.ConfigurationSet(this, 'ConfigurationSet', {
      suppressionReasons: ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS,
      reputationMetrics: true,
    });
    this.configurationSet.addEventDestination('BouncesAndComplaints', {
      destination: ses.EventDestination.snsTopic(this.mailEventsTopic),
      events: [ses.EmailSendingEvent.BOUNCE, ses.EmailSendingEvent.COMPLAINT, ses.EmailSendingEvent.REJECT, ses.EmailSendingEvent.RENDERING_FAILURE],
    });

    // ---- functions, from the one list ----
    // The state machine's name is left to CloudFormation: a fixed name stays taken while a deleted
    // machine is DELETING (executions may wait on tokens for weeks), so a redeploy would fail on it. The
    // functions that call Step Functions get its ARN from the resource, which they may reference because
    // none of them is a workflow step (the definition references the steps: that would be a cycle).
    const stepWithSfn = FUNCTIONS.find((s) => s.placeholder && s.grants.some((g) => g.startsWith('sfn:')));
    if (stepWithSfn) throw new Error(`workflow step ${stepWithSfn.id} has an sfn: grant: the state machine would reference a function that references it`);

    const configFile = writeBundledConfig(config);
    const runtime = (lambda.Runtime as unknown as Record<string, lambda.Runtime | undefined>).NODEJS_24_X ?? new lambda.Runtime('nodejs24.x', lambda.RuntimeFamily.NODEJS);

    // Entries come from this package wherever it is installed; dependencies from the nearest lock file's
    // project (the repository itself, or the embedding app whose node_modules holds them).
    const lockFile = findLockFile();
    if (props.console?.enabled ?? true) {
      this.edgeSecret = new secretsmanager.Secret(this, 'EdgeOriginSecret', {
        description: `Shared by the DSAR console distribution (origin header ${EDGE_SECRET_HEADER}) and the API functions: calls without it did not come through CloudFront`,
        generateSecretString: { passwordLength: 64, excludePunctuation: true },
        removalPolicy,
      });
      Validations.of(this.edgeSecret).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason:
          'Not a credential to anything: it only tells the API that a call came through its own CloudFront distribution. CloudFormation resolves it into the origin header and the functions\' environment at deploy, so rotating it is a redeploy (docs/security.md).',
      });
    }
    const database = props.database && this.databaseNetwork(props.database);
    this.connectorSecurityGroup = database?.securityGroup;
    for (const spec of FUNCTIONS) {
      const name = pascal(spec.id);
      const inVpc = database && runsConnectors(spec);
      const logGroup = new logs.LogGroup(this, `${name}Logs`, { retention: logRetention, removalPolicy });
      // An own role instead of the AWSLambdaBasicExecutionRole managed policy: it may write to its own
      // log group only.
      const role = new iam.Role(this, `${name}Role`, {
        assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
        description: `DSAR function ${spec.id}`,
        // X-Ray has no resource-level permissions, so its `*` sits alone in this inline policy and is
        // acknowledged on the role resource only: any other `*` granted to the function lands in the
        // role's default policy, which carries no acknowledgement, and fails cdk-nag.
        inlinePolicies: {
          'xray-tracing': new iam.PolicyDocument({
            statements: [new iam.PolicyStatement({ actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], resources: ['*'] })],
          }),
          // Inline on the role, not in its default policy: Lambda checks these permissions when it
          // creates the function, and needs them until its network interfaces are gone at deletion.
          ...(inVpc && {
            'vpc-network-interfaces': new iam.PolicyDocument({
              statements: [new iam.PolicyStatement({ actions: VPC_NETWORK_INTERFACE_ACTIONS, resources: ['*'] })],
            }),
          }),
        },
      });
      Validations.of(role.node.defaultChild!).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: inVpc
          ? 'Only the inline xray-tracing and vpc-network-interfaces policies: X-Ray PutTraceSegments/PutTelemetryRecords have no resource-level permissions, and a function in a VPC needs the network interface actions of AWSLambdaVPCAccessExecutionRole, which AWS documents on "*" (the Describe actions have no resource-level permissions; the interfaces are created by Lambda with ids unknown in advance).'
          : 'Only the inline xray-tracing policy: X-Ray PutTraceSegments/PutTelemetryRecords have no resource-level permissions (AWS documents "*").',
      });
      role.addToPolicy(new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }));
      const fn = new NodejsFunction(this, name, {
        entry: join(PACKAGE_ROOT, spec.entry),
        handler: 'handler',
        projectRoot: dirname(lockFile),
        depsLockFilePath: lockFile,
        runtime,
        architecture: lambda.Architecture.ARM_64,
        memorySize: spec.memoryMb,
        timeout: Duration.seconds(spec.timeoutSeconds),
        // Not `tracing: ACTIVE`: that adds the X-Ray `*` to the role's default policy, where it would
        // need an acknowledgement covering every other grant too. Tracing is switched on below instead.
        logGroup,
        role,
        ...(inVpc && { vpc: database.vpc, vpcSubnets: database.subnets, securityGroups: [database.securityGroup] }),
        environment: { ...this.environmentFor(spec), ...this.edgeEnvironment(spec) },
        bundling: {
          format: OutputFormat.ESM,
          forceDockerBundling: false,
          minify: true,
          sourceMap: true,
          mainFields: ['module', 'main'],
          // The pinned SDK versions are the ones tested; the runtime's own copy may differ.
          externalModules: [],
          banner: REQUIRE_BANNER,
          commandHooks: {
            beforeBundling: () => [],
            beforeInstall: () => [],
            // The configuration travels inside the asset, next to the code: a config change is a new
            // asset hash, hence a new version of every function.
            // Connector functions also get the drivers they import only when a configured connector needs one.
            afterBundling: (_input: string, outputDir: string) => [
              `cp "${configFile}" "${outputDir}/${CONFIG_FILE_IN_BUNDLE}"`,
              ...(runsConnectors(spec) ? CONNECTOR_SIDE_FILES.map((side) => sideFileCommand(PACKAGE_ROOT, side, outputDir)) : []),
            ],
          },
        },
      });
      (fn.node.defaultChild as lambda.CfnFunction).tracingConfig = { mode: lambda.Tracing.ACTIVE };
      this.functions[spec.id] = fn;
    }

    // Functions fed by a topic: the mail-events function records bounces and complaints on the trail.
    for (const spec of FUNCTIONS.filter((s) => s.topic === 'mail-events')) {
      this.mailEventsTopic.addSubscription(new subscriptions.LambdaSubscription(this.functions[spec.id]!));
    }

    // ---- the workflow ----
    const values: Record<string, string> = {};
    for (const spec of FUNCTIONS) if (spec.placeholder) values[spec.placeholder] = this.functions[spec.id]!.functionArn;
    const stepFunctions = FUNCTIONS.filter((s) => s.placeholder).map((s) => this.functions[s.id]!);
    const logPrefix = `${stack.stackName}-${this.node.id}`.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 80);
    const sfnLogs = new logs.LogGroup(this, 'WorkflowLogs', {
      // The /aws/vendedlogs/ prefix keeps the resource policy Step Functions needs small. The stack's id
      // (a new UUID each time the stack is created) ends the name: the group is retained on teardown,
      // and a fixed name would make the next deployment under the same stack name fail on it.
      logGroupName: Fn.join('', [`/aws/vendedlogs/states/${logPrefix}-`, Fn.select(2, Fn.split('/', stack.stackId))]),
      retention: logRetention,
      removalPolicy,
    });
    // Step Functions may assume the workflow's role only for a state machine of this account and region.
    const workflowRole = new iam.Role(this, 'WorkflowRole', {
      assumedBy: new iam.ServicePrincipal('states.amazonaws.com').withConditions({
        StringEquals: { 'aws:SourceAccount': stack.account },
        ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'states', resource: 'stateMachine', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }) },
      }),
      description: 'DSAR workflow: invokes its steps',
    });
    this.stateMachine = new sfn.StateMachine(this, 'Workflow', {
      role: workflowRole,
      definitionBody: sfn.DefinitionBody.fromString(substitute(values)),
      tracingEnabled: true,
      // Execution data holds subject emails and names: logs carry state transitions only.
      logs: { destination: sfnLogs, level: sfn.LogLevel.ALL, includeExecutionData: false },
    });
    // Only the workflow steps may be invoked by the machine (fromString grants nothing by itself).
    this.stateMachine.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['lambda:InvokeFunction'],
        resources: stepFunctions.map((f) => f.functionArn),
      }),
    );
    const executionsArn = stack.formatArn({
      service: 'states',
      resource: 'execution',
      resourceName: `${this.stateMachine.stateMachineName}:*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    for (const spec of FUNCTIONS) {
      const fn = this.functions[spec.id]!;
      if (spec.grants.some((g) => g.startsWith('sfn:'))) fn.addEnvironment('DSAR_STATE_MACHINE_ARN', this.stateMachine.stateMachineArn);
      this.grant(fn, spec.grants, { stateMachineArn: this.stateMachine.stateMachineArn, executionsArn, sesIdentity, fromAddress: config.email.from });
    }

    // ---- staff identity ----
    if (props.staff?.userPool) {
      this.userPool = props.staff.userPool;
    } else {
      const pool = new cognito.UserPool(this, 'StaffPool', {
        selfSignUpEnabled: false, // staff are invited by an administrator, never self-registered
        signInAliases: { email: true },
        mfa: cognito.Mfa.REQUIRED,
        mfaSecondFactor: { otp: true, sms: false },
        passwordPolicy: { minLength: 14, requireDigits: true, requireLowercase: true, requireUppercase: true, requireSymbols: true, tempPasswordValidity: Duration.days(3) },
        accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
        removalPolicy,
        deletionProtection: !destroy,
      });
      for (const group of ['approver', 'viewer'] as const) {
        new cognito.UserPoolGroup(this, `Group${pascal(group)}`, {
          userPool: pool,
          groupName: group,
          description: group === 'approver' ? 'Approves, denies, extends and retries requests' : 'Reads requests and their audit trail',
        });
      }
      this.userPool = pool;
    }
    this.userPoolClient =
      props.staff?.userPoolClient ??
      this.userPool.addClient('StaffConsole', {
        authFlows: { userSrp: true },
        preventUserExistenceErrors: true,
        accessTokenValidity: Duration.hours(1),
        idTokenValidity: Duration.hours(1),
        refreshTokenValidity: Duration.hours(12),
      });

    // ---- HTTP API ----
    const apiLogs = new logs.LogGroup(this, 'ApiAccessLogs', { retention: logRetention, removalPolicy });
    this.api = new apigwv2.HttpApi(this, 'Api', { createDefaultStage: false, description: 'DSAR orchestrator public and staff API' });
    this.stage = new apigwv2.HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: props.apiThrottle ?? { rateLimit: 50, burstLimit: 100 },
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(apiLogs),
        // No query string: subject status and download links carry tokens there.
        format: AccessLogFormat.custom(
          JSON.stringify({
            // The API's id lets the throttling metric filter tell installations in one account apart.
            apiId: '$context.apiId',
            requestId: '$context.requestId',
            ip: '$context.identity.sourceIp',
            time: '$context.requestTime',
            routeKey: '$context.routeKey',
            status: '$context.status',
            latency: '$context.responseLatency',
            error: '$context.integrationErrorMessage',
          }),
        ),
      },
    });
    const authorizer = new HttpUserPoolAuthorizer('StaffAuthorizer', this.userPool, { userPoolClients: [this.userPoolClient] });
    for (const spec of FUNCTIONS) {
      for (const route of spec.routes ?? []) {
        this.api.addRoutes({
          path: route.path,
          methods: [apigwv2.HttpMethod[route.method]],
          integration: new HttpLambdaIntegration(`${pascal(spec.id)}${route.method}Integration`, this.functions[spec.id]!),
          ...(route.staff ? { authorizer } : {}),
        });
      }
    }

    if (props.enableWaf) this.webAcl = this.createWebAcl(props.wafRateLimit ?? 500);

    // ---- the console and the public pages ----
    if (props.console?.enabled ?? true) {
      this.console = new ConsoleSite(this, 'Console', {
        ...props.console,
        config,
        api: this.api,
        edgeSecret: this.edgeSecret!,
        userPool: this.userPool,
        userPoolClient: this.userPoolClient,
        ownClient: !props.staff?.userPoolClient,
        logBucket: this.logBucket,
        removalPolicy,
        logRetention,
      });
      // Mailed links point at the distribution (or its custom domain), whose host CloudFormation knows
      // only once it exists: the functions read it from their environment (functions/commons/config.ts),
      // so the first deployment already sends working links.
      for (const fn of Object.values(this.functions)) fn.addEnvironment('DSAR_PUBLIC_BASE_URL', this.console.url);
    }

    // ---- schedules: every function spec with a `schedule` (the escalation job, the retention sweep) ----
    const scheduled = FUNCTIONS.filter((s) => s.schedule);
    if (scheduled.length) {
      const group = new scheduler.ScheduleGroup(this, 'Schedules', { removalPolicy: RemovalPolicy.DESTROY });
      // One role for the schedules, inside this construct, allowed to invoke the scheduled functions only,
      // and assumable by EventBridge Scheduler only for this construct's schedule group.
      const role = new iam.Role(this, 'SchedulerRole', {
        assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com').withConditions({
          StringEquals: { 'aws:SourceAccount': stack.account, 'aws:SourceArn': group.scheduleGroupArn },
        }),
      });
      for (const spec of scheduled) {
        const fn = this.functions[spec.id]!;
        new scheduler.Schedule(this, `${pascal(spec.id)}Schedule`, {
          schedule: scheduler.ScheduleExpression.expression(spec.schedule!),
          scheduleGroup: group,
          target: new schedulerTargets.LambdaInvoke(fn, { role, retryAttempts: 2, maxEventAge: Duration.hours(1) }),
          description: `Runs the ${spec.id} job`,
        });
        Validations.of(role).acknowledge({
          id: `AwsSolutions-IAM5[Resource::${nagString(this, `${fn.functionArn}:*`)}]`,
          reason: `CDK's invoke grant for the scheduled ${spec.id} function covers its versions and aliases; no other function.`,
        });
      }
    }

    // ---- alarms and dashboard ----
    const alarm = (id: string, metric: cloudwatch.IMetric, threshold: number, description: string, treatMissingData = cloudwatch.TreatMissingData.NOT_BREACHING) => {
      const a = new cloudwatch.Alarm(this, id, {
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData,
        alarmDescription: description,
      });
      a.addAlarmAction(new cwActions.SnsAction(this.alarmTopic));
      this.alarms.push(a);
      return a;
    };
    const fiveMin = { period: Duration.minutes(5), statistic: 'Sum' };
    // Throttled requests are those the access log records with status 429 (stage throttling or a
    // handler's own limit), counted by a metric filter: the API's 4xx metric would mix them with every
    // wrong code, expired link and unauthenticated staff call.
    const throttledFilter = apiLogs.addMetricFilter('ThrottledRequests', {
      filterPattern: logs.FilterPattern.stringValue('$.status', '=', '429'),
      metricNamespace: 'Dsar',
      metricName: 'ApiThrottledRequests',
      metricValue: '1',
      dimensions: { apiId: '$.apiId' },
      unit: cloudwatch.Unit.COUNT,
    });
    const throttled = throttledFilter.metric({ ...fiveMin, dimensionsMap: { apiId: this.api.apiId } });
    alarm('ExecutionsFailed', this.stateMachine.metricFailed(fiveMin), 1, 'A DSAR workflow execution failed: a request is stuck and its deadline keeps running.');
    alarm('ExecutionsTimedOut', this.stateMachine.metricTimedOut(fiveMin), 1, 'A DSAR workflow execution timed out.');
    // Published by the Reconcile step for each connector that still failed after the workflow's retries,
    // for access and erasure alike; a Lambda error that a retry then fixed is not a failure.
    const connectorFailures = new cloudwatch.Metric({ namespace: 'Dsar', metricName: 'ConnectorFailures', dimensionsMap: { service: 'dsar' }, ...fiveMin });
    alarm('ConnectorFailures', connectorFailures, 1, 'A connector still failed after retries: the request waits for staff to retry, accept as partial or cancel.');
    // Published by the RecordFailure step: a workflow step failed after its retries and the request now
    // waits in NeedsAttention for staff. The execution does not fail, so ExecutionsFailed never sees it.
    const stepFailures = new cloudwatch.Metric({ namespace: 'Dsar', metricName: 'WorkflowStepFailures', dimensionsMap: { service: 'dsar' }, ...fiveMin });
    alarm('WorkflowStepFailures', stepFailures, 1, 'A workflow step failed after its retries: the request waits in NeedsAttention for staff to retry the step, accept as partial or cancel.');
    alarm('ApiServerErrors', this.api.metricServerError({ ...fiveMin, stage: '$default' } as cloudwatch.MetricOptions), 5, 'The API answered 5xx.');
    alarm('ApiThrottled', throttled, 5, 'The API answered 429 (throttled) to several requests: subjects or staff may be turned away, or someone is flooding it.');
    // The escalation job publishes once per run: the alarm's period is the job's interval, and a run
    // that is late or missing leaves the alarm where it was instead of flipping it to OK.
    const escalation = FUNCTIONS.find((f) => f.id === 'escalate');
    const overdue = new cloudwatch.Metric({
      namespace: 'Dsar',
      metricName: 'OverdueRequests',
      dimensionsMap: { service: 'dsar' },
      period: escalation?.schedule ? rateToDuration(escalation.schedule) : Duration.hours(1),
      statistic: 'Maximum',
    });
    alarm('OverdueRequests', overdue, 1, 'At least one request is past its statutory due date (published by the escalation job).', cloudwatch.TreatMissingData.IGNORE);
    const undelivered = this.mailEventsTopic.metricNumberOfMessagesPublished(fiveMin);
    // `dsar smoke` forces this one into ALARM: its bounce and complaint would trip it anyway.
    this.smokeTestAlarm = alarm('UndeliveredEmail', undelivered, 1, 'SES reported a bounce, complaint, reject or rendering failure: a subject may not have received a message.');

    // No dashboard name: names are account-wide (all regions), so CloudFormation picks a unique one.
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      widgets: [
        [
          new cloudwatch.GraphWidget({
            title: 'Workflow executions',
            left: [this.stateMachine.metricStarted(fiveMin), this.stateMachine.metricSucceeded(fiveMin), this.stateMachine.metricFailed(fiveMin), this.stateMachine.metricTimedOut(fiveMin)],
          }),
          new cloudwatch.GraphWidget({
            title: 'API',
            left: [this.api.metricCount(fiveMin), this.api.metricClientError(fiveMin), this.api.metricServerError(fiveMin), throttled],
          }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'Function errors',
            left: Object.entries(this.functions).slice(0, 10).map(([id, f]) => f.metricErrors({ ...fiveMin, label: id })),
            width: 12,
          }),
          new cloudwatch.GraphWidget({ title: 'Overdue requests, connector failures, undelivered email', left: [overdue, connectorFailures], right: [undelivered], width: 12 }),
        ],
      ],
    });

    this.acknowledge({ executionsArn });
  }

  /**
   * The function behind `autoDeleteObjects` (one per stack, made by CDK without a log group) would log to
   * a group Lambda creates on first use, kept forever. It logs to a group with the construct's retention
   * instead; the group is the stack's, so every bucket with auto-delete in the stack shares it.
   */
  private retainAutoDeleteLogs(retention: logs.RetentionDays): void {
    const stack = Stack.of(this);
    const handler = stack.node.tryFindChild('Custom::S3AutoDeleteObjectsCustomResourceProvider')?.node.tryFindChild('Handler');
    if (!(handler instanceof CfnResource) || stack.node.tryFindChild('DsarAutoDeleteObjectsLogs')) return;
    const group = new logs.LogGroup(stack, 'DsarAutoDeleteObjectsLogs', { retention, removalPolicy: RemovalPolicy.DESTROY });
    handler.addPropertyOverride('LoggingConfig', { LogGroup: group.logGroupName });
  }

  /**
   * The connector functions' side of a database's network: their security group (HTTPS out for AWS APIs
   * and the SaaS connectors, the database's port to its group or, without one, within the VPC), the
   * rule that lets them into the database's group, and the free gateway endpoints when asked for.
   */
  private databaseNetwork(database: DsarDatabaseNetworkProps): { vpc: ec2.IVpc; subnets?: ec2.SubnetSelection; securityGroup: ec2.SecurityGroup } {
    const port = ec2.Port.tcp(database.port ?? 5432);
    const group = new ec2.SecurityGroup(this, 'ConnectorSecurityGroup', {
      vpc: database.vpc,
      description: 'DSAR connector functions: HTTPS to AWS APIs and SaaS connectors, and the database port',
      allowAllOutbound: false,
    });
    group.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS: AWS APIs (through NAT or endpoints) and the SaaS connectors');
    if (database.securityGroup) {
      // Adds our egress to its group and its ingress from ours (in this stack when the group is imported).
      group.connections.allowTo(database.securityGroup, port, 'DSAR connector functions to the database');
    } else {
      group.addEgressRule(ec2.Peer.ipv4(database.vpc.vpcCidrBlock), port, 'The database, inside the VPC (its own group must admit this one)');
    }
    if (database.gatewayEndpoints) {
      const subnets = database.subnets ? [database.subnets] : undefined;
      new ec2.GatewayVpcEndpoint(this, 'DynamoDbEndpoint', { vpc: database.vpc, service: ec2.GatewayVpcEndpointAwsService.DYNAMODB, subnets });
      new ec2.GatewayVpcEndpoint(this, 'S3Endpoint', { vpc: database.vpc, service: ec2.GatewayVpcEndpointAwsService.S3, subnets });
    }
    return { vpc: database.vpc, subnets: database.subnets, securityGroup: group };
  }

  /** The environment a function gets: only the names of what its grants let it touch, and its heap flags. */
  private environmentFor({ grants, heapFlags = [] }: FunctionSpec): Record<string, string> {
    const env: Record<string, string> = {
      DSAR_CONFIG_FILE: CONFIG_FILE_ON_LAMBDA,
      NODE_OPTIONS: ['--enable-source-maps', ...heapFlags].join(' '),
      POWERTOOLS_SERVICE_NAME: 'dsar',
    };
    if (grants.some((g) => g.startsWith('table:'))) env.DSAR_TABLE = this.table.tableName;
    if (grants.some((g) => g.startsWith('staging:'))) env.DSAR_STAGING_BUCKET = this.stagingBucket.bucketName;
    if (grants.some((g) => g.startsWith('exports:'))) env.DSAR_EXPORTS_BUCKET = this.exportsBucket.bucketName;
    if (grants.some((g) => g.startsWith('documents:'))) env.DSAR_DOCUMENTS_BUCKET = this.documentsBucket.bucketName;
    if (grants.includes('ses:send')) env.DSAR_SES_CONFIGURATION_SET = this.configurationSet.configurationSetName;
    if (grants.includes('secret:code-key')) env.DSAR_CODE_KEY_SECRET = this.codeKeySecret.secretArn;
    return env;
  }

  /**
   * What an API function needs where CloudFront fronts the API: the origin secret to check (resolved by
   * CloudFormation at deploy, so the template holds only a reference) and the header that then carries
   * the caller's IP (CloudFront sets `CloudFront-Viewer-Address`; API Gateway's source IP is the edge).
   */
  private edgeEnvironment(spec: FunctionSpec): Record<string, string> {
    if (!this.edgeSecret || !spec.routes?.length) return {};
    return { DSAR_EDGE_SECRET: this.edgeSecret.secretValue.unsafeUnwrap(), DSAR_CLIENT_IP_HEADER: 'cloudfront-viewer-address' };
  }

  /**
   * Translates the grants of a function spec into IAM statements on exactly this construct's resources,
   * naming only the actions the code calls (test/infra/cdk/grants.test.ts lists them per function). The
   * data key may be used only through the service that holds the data (`kms:ViaService`): a role's
   * credentials cannot decrypt anything with it directly.
   */
  private grant(
    fn: NodejsFunction,
    grants: Grant[],
    ctx: { stateMachineArn: string; executionsArn: string; sesIdentity: string; fromAddress: string },
  ): void {
    const stack = Stack.of(this);
    const add = (actions: string[], resources: string[]) => fn.addToRolePolicy(new iam.PolicyStatement({ actions, resources }));
    const objects = (b: s3.IBucket) => b.arnForObjects('*');
    const viaKey = (actions: string[], service: 'dynamodb' | 's3' | 'secretsmanager') =>
      fn.addToRolePolicy(
        new iam.PolicyStatement({
          actions,
          resources: [this.key.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `${service}.${stack.region}.amazonaws.com` } },
        }),
      );
    const table = [this.table.tableArn, `${this.table.tableArn}/index/*`];
    for (const g of grants) {
      switch (g) {
        case 'table:read':
          // Gets and queries only: no Scan, no batch reads, no stream reads (the code uses none).
          add(['dynamodb:GetItem', 'dynamodb:Query'], table);
          viaKey(['kms:Decrypt'], 'dynamodb');
          break;
        case 'table:write':
          add(['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'], [this.table.tableArn]);
          viaKey(['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey*'], 'dynamodb');
          break;
        case 'table:query':
          add(['dynamodb:Query'], table);
          viaKey(['kms:Decrypt'], 'dynamodb');
          break;
        case 'table:update':
          add(['dynamodb:UpdateItem'], [this.table.tableArn]);
          viaKey(['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey*'], 'dynamodb');
          break;
        case 'table:put':
          add(['dynamodb:PutItem'], [this.table.tableArn]);
          viaKey(['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey*'], 'dynamodb');
          break;
        case 'staging:read':
          add(['s3:GetObject'], [objects(this.stagingBucket)]);
          add(['s3:ListBucket'], [this.stagingBucket.bucketArn]);
          viaKey(['kms:Decrypt'], 's3');
          break;
        case 'staging:write':
          // Delete is part of writing: a connector rerun replaces its staged output.
          add(['s3:PutObject', 's3:AbortMultipartUpload', 's3:DeleteObject'], [objects(this.stagingBucket)]);
          add(['s3:ListBucket'], [this.stagingBucket.bucketArn]);
          viaKey(['kms:Decrypt', 'kms:GenerateDataKey*'], 's3'); // multipart uploads need Decrypt as well
          break;
        case 'staging:delete':
          add(['s3:DeleteObject'], [objects(this.stagingBucket)]);
          add(['s3:ListBucket'], [this.stagingBucket.bucketArn]);
          break;
        case 'exports:delete':
          add(['s3:DeleteObject'], [objects(this.exportsBucket)]);
          add(['s3:ListBucket'], [this.exportsBucket.bucketArn]);
          break;
        case 'exports:read':
          add(['s3:GetObject'], [objects(this.exportsBucket)]);
          viaKey(['kms:Decrypt'], 's3');
          break;
        case 'exports:write':
          add(['s3:PutObject', 's3:AbortMultipartUpload'], [objects(this.exportsBucket)]);
          viaKey(['kms:Decrypt', 'kms:GenerateDataKey*'], 's3');
          break;
        case 'documents:write':
          // Delete only to remove the document of a filing whose request was not written.
          add(['s3:PutObject', 's3:DeleteObject'], [this.documentsBucket.arnForObjects('requests/*')]);
          viaKey(['kms:GenerateDataKey*'], 's3');
          break;
        case 'documents:delete':
          // No List: the keys are on the request records.
          add(['s3:DeleteObject'], [this.documentsBucket.arnForObjects('requests/*')]);
          break;
        case 'documents:read':
          add(['s3:GetObject'], [this.documentsBucket.arnForObjects('requests/*')]);
          viaKey(['kms:Decrypt'], 's3');
          break;
        case 'sfn:start':
          add(['states:StartExecution'], [ctx.stateMachineArn]);
          break;
        case 'sfn:complete-task':
          // Verification, approval, denial and retries all answer a waiting task with SendTaskSuccess.
          add(['states:SendTaskSuccess'], [ctx.stateMachineArn]);
          break;
        case 'sfn:refuse-task':
          // A review denied or forwarded ends AwaitReview with SendTaskFailure, routed by its Catch.
          add(['states:SendTaskFailure'], [ctx.stateMachineArn]);
          break;
        case 'sfn:stop':
          add(['states:StopExecution'], [ctx.executionsArn]);
          break;
        case 'ses:send': {
          const identity = (name: string) => stack.formatArn({ service: 'ses', resource: 'identity', resourceName: name });
          const identities = [...new Set([ctx.sesIdentity, ctx.fromAddress])].map(identity);
          // SESv2 SendEmail is authorised as ses:SendEmail whatever the content (simple or raw).
          add(['ses:SendEmail'], [
            ...identities,
            stack.formatArn({ service: 'ses', resource: 'configuration-set', resourceName: this.configurationSet.configurationSetName }),
          ]);
          break;
        }
        case 'secret:code-key':
          add(['secretsmanager:GetSecretValue'], [this.codeKeySecret.secretArn]);
          viaKey(['kms:Decrypt'], 'secretsmanager');
          break;
        case 'connectors':
          this.grantConnectors(fn);
          break;
        case 'connectors:erase':
          this.grantConnectors(fn, { erase: true });
          break;
        default: {
          const never: never = g;
          throw new Error(`unknown grant ${String(never)}`);
        }
      }
    }
  }

  /**
   * Access to what the configured connectors touch: their secrets, tables and buckets, nothing else.
   * Reading by default; `erase` adds what erasure policies need (delete and update items, delete and
   * rewrite objects under the per-user prefix), which only the erasing function gets.
   */
  private grantConnectors(fn: NodejsFunction, options: { erase?: boolean } = {}): void {
    const stack = Stack.of(this);
    for (const c of this.config.connectors.filter((x) => x.enabled)) {
      if (c.kind === 'dynamodb') {
        const table = stack.formatArn({ service: 'dynamodb', resource: 'table', resourceName: c.tableName });
        const resources = c.lookup.indexName ? [table, `${table}/index/${c.lookup.indexName}`] : [table];
        fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['dynamodb:Query', 'dynamodb:GetItem'], resources }));
        if (options.erase) fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['dynamodb:DeleteItem', 'dynamodb:UpdateItem'], resources: [table] }));
      } else if (c.kind === 's3') {
        const fixedPrefix = c.prefixTemplate.slice(0, c.prefixTemplate.indexOf('{subjectKey}'));
        // Versions too: on a versioned bucket earlier versions hold the data after a plain delete.
        fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:GetObject', 's3:GetObjectVersion'], resources: [`arn:${stack.partition}:s3:::${c.bucket}/${fixedPrefix}*`] }));
        if (options.erase) {
          fn.addToRolePolicy(
            new iam.PolicyStatement({
              // Retention and legal hold are read only to tell an Object Lock refusal from a missing permission.
              actions: ['s3:DeleteObject', 's3:DeleteObjectVersion', 's3:PutObject', 's3:AbortMultipartUpload', 's3:GetObjectRetention', 's3:GetObjectLegalHold'],
              resources: [`arn:${stack.partition}:s3:::${c.bucket}/${fixedPrefix}*`],
            }),
          );
        }
        fn.addToRolePolicy(
          new iam.PolicyStatement({
            actions: ['s3:ListBucket', 's3:ListBucketVersions'],
            resources: [`arn:${stack.partition}:s3:::${c.bucket}`],
            conditions: { StringLike: { 's3:prefix': [`${fixedPrefix}*`] } },
          }),
        );
        fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:GetBucketVersioning'], resources: [`arn:${stack.partition}:s3:::${c.bucket}`] }));
      } else if (isSqlConnector(c) && c.dataApi) {
        // Aurora through the Data API: statements on that one cluster, and the secret the Data API signs
        // in with (the caller must be able to read it), nothing else; no network access to the database.
        // Reading needs only ExecuteStatement; transactions are for the erasing function's batches.
        const transactions = options.erase ? ['rds-data:BeginTransaction', 'rds-data:CommitTransaction', 'rds-data:RollbackTransaction'] : [];
        fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['rds-data:ExecuteStatement', ...transactions], resources: [c.dataApi.resourceArn] }));
        fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [c.dataApi.secretArn] }));
      } else {
        // Secrets Manager appends a random 6-character suffix to every secret ARN.
        fn.addToRolePolicy(
          new iam.PolicyStatement({
            actions: ['secretsmanager:GetSecretValue'],
            resources: [stack.formatArn({ service: 'secretsmanager', resource: 'secret', resourceName: `${c.credentials}-??????`, arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
          }),
        );
      }
    }
  }

  private createWebAcl(limit: number): wafv2.CfnWebACL {
    const visibility = (name: string) => ({ cloudWatchMetricsEnabled: true, metricName: name, sampledRequestsEnabled: true });
    const acl = new wafv2.CfnWebACL(this, 'WebAcl', {
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: visibility('dsar-web-acl'),
      rules: [
        {
          name: 'rate-limit-per-ip',
          priority: 0,
          action: { block: {} },
          statement: { rateBasedStatement: { limit, aggregateKeyType: 'IP' } },
          visibilityConfig: visibility('dsar-rate-limit'),
        },
        {
          name: 'aws-common',
          priority: 1,
          overrideAction: { none: {} },
          statement: { managedRuleGroupStatement: { vendorName: 'AWS', name: 'AWSManagedRulesCommonRuleSet' } },
          visibilityConfig: visibility('dsar-aws-common'),
        },
      ],
    });
    new wafv2.CfnWebACLAssociation(this, 'StaffPoolWebAcl', { resourceArn: this.userPool.userPoolArn, webAclArn: acl.attrArn });
    return acl;
  }

  /** The cdk-nag findings that are by design, each with the reason a reviewer needs. */
  private acknowledge(ctx: { executionsArn: string }): void {
    const v = Validations.of(this);
    const iam5 = (resourceOrAction: string, reason: string) =>
      v.acknowledge({ id: `AwsSolutions-IAM5[${resourceOrAction}]`, reason });
    // The state machine's role only (the functions' X-Ray grant is acknowledged on each role resource).
    Validations.of(this.stateMachine.role.node.tryFindChild('DefaultPolicy')!).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'The workflow role: X-Ray PutTraceSegments/PutTelemetryRecords have no resource-level permissions, and Step Functions log delivery (logs:CreateLogDelivery and friends) requires "*" (AWS documents both); its only other statement invokes the named step functions.',
    });
    iam5('Action::kms:GenerateDataKey*', 'Added by the DynamoDB and KMS grants for the customer-managed data key; the resource is that one key.');
    iam5(`Resource::${nagString(this, `${this.table.tableArn}/index/*`)}`, 'Queries on the global secondary indexes of this construct\'s own request table only.');
    iam5(`Resource::${nagString(this, this.stagingBucket.arnForObjects('*'))}`, 'Objects of this construct\'s own staging bucket; object keys are per request and cannot be listed in a policy.');
    iam5(`Resource::${nagString(this, this.exportsBucket.arnForObjects('*'))}`, 'Objects of this construct\'s own exports bucket; object keys are per request and cannot be listed in a policy.');
    iam5(`Resource::${nagString(this, this.documentsBucket.arnForObjects('requests/*'))}`, 'Agents\' signed permissions in this construct\'s own documents bucket, one folder per request (ids made at run time).');
    iam5(`Resource::${nagString(this, ctx.executionsArn)}`, 'Executions of this one state machine: execution names are request ids, created at run time.');
    for (const c of this.config.connectors.filter((x) => x.enabled)) {
      if (c.kind === 's3') {
        const prefix = c.prefixTemplate.slice(0, c.prefixTemplate.indexOf('{subjectKey}'));
        iam5(
          `Resource::${nagString(this, `arn:${Stack.of(this).partition}:s3:::${c.bucket}/${prefix}*`)}`,
          `The configured S3 connector "${c.id}" reads per-subject folders under ${prefix} of ${c.bucket}; the folder names are subject identifiers.`,
        );
      }
    }
    v.acknowledge(
      {
        id: 'AwsSolutions-APIG4',
        reason:
          'Public routes (request intake, verification, subject status, download) serve data subjects, who have no account; ' +
          'each is protected by a per-request token or verification code and by stage throttling. Every staff route has the Cognito JWT authorizer.',
      },
      {
        id: 'AwsSolutions-COG4',
        reason: 'Same as APIG4: only the public subject routes go without the Cognito authorizer; every staff route has it.',
      },
      {
        id: 'AwsSolutions-COG8',
        reason:
          'Cognito threat protection needs the Plus feature plan; the staff pool admits administrator-created users only and requires TOTP MFA. Move the pool to Plus if your policy requires it.',
      },
    );
  }
}


/** The period of an EventBridge `rate(N unit)` expression, e.g. `rate(1 hour)`. */
export function rateToDuration(expression: string): Duration {
  const m = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression);
  if (!m) throw new Error(`not a rate expression: ${expression}`);
  const n = Number(m[1]);
  return m[2]!.startsWith('minute') ? Duration.minutes(n) : m[2]!.startsWith('hour') ? Duration.hours(n) : Duration.days(n);
}

let bundledConfigDir: string | undefined;

/**
 * Writes the validated configuration to a content-addressed file the bundling hook copies into each asset.
 * The folder is this process's own (mkdtemp, mode 0700), not a fixed /tmp/dsar-cdk: on a shared machine
 * another user's folder of that name made synth fail with EACCES, and a folder someone else owns could
 * have handed the bundles a configuration of theirs.
 */
export function writeBundledConfig(config: DsarConfig): string {
  const json = JSON.stringify(config, null, 2);
  bundledConfigDir ??= mkdtempSync(join(tmpdir(), 'dsar-cdk-config-'));
  const dir = bundledConfigDir;
  const file = join(dir, `config-${createHash('sha256').update(json).digest('hex').slice(0, 16)}.json`);
  writeFileSync(file, json);
  return file;
}

