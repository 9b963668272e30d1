/**
 * The embedded runtime: the whole product on one machine, with no AWS account and no Docker.
 *
 * It starts the emulators on loopback (DynamoDB, S3, SES), the SaaS sandboxes, a Step Functions endpoint
 * that runs the real ASL file, and the HTTP API adapter; points the AWS SDK at them through its own
 * environment variables (`AWS_ENDPOINT_URL_*`); creates tables and buckets; and seeds the demo dataset
 * on first start. Everything lives under one data folder, so a restart keeps requests and resumes
 * unfinished executions.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { parseConfig, type DsarConfig } from '#commons/config';
import { dynamo, resetClients } from '#commons/clients';
import { resetAppContext, appContext } from '#domain/context';
import { sweepExpiredPackages } from '#domain/retention/packages';
import { sweepExpiredStaging } from '#domain/retention/staging';
import { sweepSubjectRetention } from '#domain/retention/subjects';
import { escalate } from '#domain/escalation/index';
import { recheckErasures } from '#domain/erasure-recheck/index';
import { ConnectorRegistry } from '#connectors/registry';
import { FUNCTIONS } from '../functions.ts';
import { substitute } from '../asl.ts';
import { emulatorSocket, startSes, startSignedDynamoDb, startSignedS3, type Emulator } from './emulators.ts';
import type { TornObject } from './s3-store.ts';
import { startSesSimulator } from './ses-simulator.ts';
import { guardServer } from './origin-guard.ts';
import { serveApiDocument } from './api-document.ts';
import { makeDirPrivate, makePrivate, privateUmask } from './private-files.ts';
import { runtimeCredentials, type LocalCredentials } from './local-credentials.ts';
import { startStepFunctionsEndpoint, type StepFunctionsEndpoint } from './stepfunctions/index.ts';
import { startSandboxes, type Sandboxes } from './sandboxes/index.ts';
import { startHttpApi, type StaffToken } from './http-api.ts';
import { serveConsole } from './console.ts';
import { loadHandlers, localFunctionArn, lambdaContext, LOCAL_ACCOUNT } from './lambda.ts';
import { FunctionFaults } from './function-faults.ts';
import { assertIndexes, ensureBucket, ensureTable, requestTableDefinition, seedCompanyStoresInChild } from './seed.ts';
import { DEFAULT_CROWD, demoPeople } from './demo/people.ts';
import { startPostgres } from './postgres.ts';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const REGION = 'eu-north-1';
export const TABLE = 'dsar-requests';
export const STAGING_BUCKET = 'dsar-staging';
export const EXPORTS_BUCKET = 'dsar-exports';
/** Agents' signed permissions (private: nothing serves it to the public; staff get presigned links). */
export const DOCUMENTS_BUCKET = 'dsar-documents';
export const STATE_MACHINE_NAME = 'dsar-workflow';

export interface RuntimePorts {
  api: number;
  mail: number;
  dynamodb: number;
  s3: number;
  stepfunctions: number;
  salesforce: number;
  stripe: number;
  hubspot: number;
  googleAnalytics: number;
  postgres: number;
}

/** The documented defaults; each can be changed with the environment variable in `PORT_VARIABLES`. */
export const DEFAULT_PORTS: RuntimePorts = {
  api: 8790,
  mail: 8791,
  dynamodb: 8792,
  s3: 8793,
  stepfunctions: 8794,
  salesforce: 8795,
  stripe: 8796,
  hubspot: 8797,
  googleAnalytics: 8798,
  postgres: 8799,
};

export const PORT_VARIABLES: Record<keyof RuntimePorts, string> = {
  api: 'DSAR_API_PORT',
  mail: 'DSAR_MAIL_PORT',
  dynamodb: 'DSAR_DYNAMODB_PORT',
  s3: 'DSAR_S3_PORT',
  stepfunctions: 'DSAR_SFN_PORT',
  salesforce: 'DSAR_SALESFORCE_PORT',
  stripe: 'DSAR_STRIPE_PORT',
  hubspot: 'DSAR_HUBSPOT_PORT',
  googleAnalytics: 'DSAR_GA_PORT',
  postgres: 'DSAR_POSTGRES_PORT',
};

export function portsFromEnv(env: NodeJS.ProcessEnv = process.env): RuntimePorts {
  const ports = { ...DEFAULT_PORTS };
  for (const [key, name] of Object.entries(PORT_VARIABLES) as Array<[keyof RuntimePorts, string]>) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`${name} must be a port number (0-65535), not "${raw}"`);
    ports[key] = n;
  }
  return ports;
}

/** Every port 0: what tests use, so runs never collide. */
export const EPHEMERAL_PORTS: RuntimePorts = Object.fromEntries(Object.keys(DEFAULT_PORTS).map((k) => [k, 0])) as unknown as RuntimePorts;

export interface RuntimeOptions {
  /** Where everything persists; default `.dsar/data` in the repository. */
  dataDir?: string;
  ports?: Partial<RuntimePorts>;
  /** The configuration file to run; default `config/example.config.json`. */
  configFile?: string;
  /** Changes applied on top of the configuration file (tests use short timeouts). */
  configOverrides?: (config: DsarConfig) => DsarConfig;
  /** How many demo people besides alice, bob and carol. */
  crowd?: number;
  /** Multiplies the workflow's Retry intervals; below 1 makes retries quick for demos and tests. */
  retryIntervalScale?: number;
  /** How often expired packages are swept (ms); 0 turns the sweep off. */
  sweepIntervalMs?: number;
  /** How often the escalation job runs (ms); 0 turns it off. */
  escalationIntervalMs?: number;
  /** How often the subject-retention sweep runs (ms); 0 turns it off. */
  retentionIntervalMs?: number;
  /** How often the erasure re-check runs (ms); 0 turns it off. */
  recheckIntervalMs?: number;
  /** Progress lines (seeding, URLs); default silent. */
  log?: (line: string) => void;
  /** Warnings (a torn object moved aside on start); default `log`. */
  warn?: (line: string) => void;
}

export interface RuntimeInfo {
  apiUrl: string;
  consoleUrl: string;
  mailUrl: string;
  staffToken: string;
  viewerToken: string;
  /** The only credentials the S3 and DynamoDB endpoints accept (generated at the first start). */
  awsCredentials: LocalCredentials;
  endpoints: { dynamodb: string; s3: string; ses: string; stepfunctions: string };
  sandboxes: { salesforce: string; stripe: string; hubspot: string; googleAnalytics: string };
  stateMachineArn: string;
  dataDir: string;
  tables: { requests: string };
  buckets: { staging: string; exports: string; documents: string };
}

export interface Runtime extends RuntimeInfo {
  config: DsarConfig;
  sandboxControl: Sandboxes;
  /** Test-only: make the workflow's functions fail (see function-faults.ts). */
  functionFaults: FunctionFaults;
  stop(): Promise<void>;
}

type Fallback = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

/** Tries each fallback of the HTTP API in turn until one handles the request. */
function firstOf(...fallbacks: Fallback[]): Fallback {
  return async (req, res) => {
    for (const fallback of fallbacks) if (await fallback(req, res)) return true;
    return false;
  };
}

function staffTokens(dataDir: string): StaffToken[] {
  const file = join(dataDir, 'staff-tokens.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as StaffToken[];
  const tokens: StaffToken[] = [
    { token: `local-approver-${randomBytes(18).toString('base64url')}`, sub: 'local-approver', email: 'approver@localhost', groups: ['approver'] },
    { token: `local-viewer-${randomBytes(18).toString('base64url')}`, sub: 'local-viewer', email: 'viewer@localhost', groups: ['viewer'] },
  ];
  writeFileSync(file, JSON.stringify(tokens, null, 2), { mode: 0o600 });
  return tokens;
}

/**
 * The verification code key of this data folder (what Secrets Manager holds on AWS): generated once,
 * readable by the owner only, kept across restarts so codes already mailed stay valid.
 */
function codeKeyFile(dataDir: string): string {
  const file = join(dataDir, 'code-key');
  if (!existsSync(file)) writeFileSync(file, randomBytes(48).toString('base64url'), { mode: 0o600, flag: 'wx' });
  return file;
}

/** Points the local configuration's URLs at this runtime: the API for links, the sandboxes for SaaS connectors. */
function localConfig(config: DsarConfig, apiUrl: string, sandboxes: Sandboxes): DsarConfig {
  const vendorUrl: Record<string, string> = {
    salesforce: sandboxes.urls.salesforce,
    stripe: sandboxes.urls.stripe,
    hubspot: sandboxes.urls.hubspot,
    'google-analytics': sandboxes.urls.googleAnalytics,
  };
  return {
    ...config,
    email: { ...config.email, publicBaseUrl: apiUrl, consoleBaseUrl: `${apiUrl}/console` },
    connectors: config.connectors.map((c) => {
      if (c.kind === 'dynamodb' || c.kind === 's3' || c.kind === 'postgres' || c.kind === 'mysql') return c;
      // The GA sandbox mints its own property id and token endpoint.
      const settings = c.kind === 'google-analytics' ? { ...c.settings, ...sandboxes.settings.googleAnalytics } : c.settings;
      return { ...c, baseUrl: vendorUrl[c.kind] ?? c.baseUrl, settings };
    }),
  };
}

export async function startRuntime(options: RuntimeOptions = {}): Promise<Runtime> {
  const log = options.log ?? (() => undefined);
  const warn = options.warn ?? log;
  const dataDir = resolve(options.dataDir ?? join(ROOT, '.dsar', 'data'));
  // Private before anything is written, and tightened if an earlier version left it readable.
  if (basename(dirname(dataDir)) === '.dsar') makeDirPrivate(dirname(dataDir));
  makePrivate(dataDir);
  const ports: RuntimePorts = { ...DEFAULT_PORTS, ...options.ports };
  const host = '127.0.0.1';
  const crowd = options.crowd ?? DEFAULT_CROWD;
  const stoppers: Array<() => Promise<void>> = [];
  // Everything the emulators and functions write while the runtime runs is private too.
  const restoreUmask = privateUmask();
  stoppers.push(async () => restoreUmask());
  const stopAll = async () => {
    for (const stop of stoppers.reverse()) await stop().catch(() => undefined);
    stoppers.length = 0;
  };

  try {
    // DynamoDB and S3 accept only requests signed with the runtime's own credentials (see sigv4-proxy.ts).
    const awsCredentials = runtimeCredentials(dataDir);
    const dynamodb = await startSignedDynamoDb({
      host,
      port: ports.dynamodb,
      dir: join(dataDir, 'dynamodb'),
      socketPath: emulatorSocket(dataDir, 'dynamodb'),
      credentials: awsCredentials,
      onRepair: (r) => warn(`Warning: DynamoDB's indexes were out of step with their items after a crash: ${r.removed} entries removed, ${r.written} written.`),
    });
    stoppers.push(dynamodb.close);
    const s3: Emulator = await startSignedS3({
      host,
      port: ports.s3,
      dir: join(dataDir, 's3'),
      socketPath: emulatorSocket(dataDir, 's3'),
      credentials: awsCredentials,
      buckets: [STAGING_BUCKET, EXPORTS_BUCKET, DOCUMENTS_BUCKET],
      onTorn: (torn) => warn(tornObjectWarning(torn)),
    });
    stoppers.push(s3.close);
    const ses = await startSes(host, ports.mail);
    stoppers.push(ses.close);
    // Functions send through the mailbox simulator (infra/local/ses-simulator.ts), which passes every mail
    // to the emulator and reports simulated bounces and complaints to the mail-events function.
    let publishMailEvent: (notification: Record<string, unknown>) => Promise<unknown> = async () => undefined;
    const sesSimulator = await startSesSimulator({
      host,
      upstream: ses.url,
      topicArn: `arn:aws:sns:${REGION}:${LOCAL_ACCOUNT}:dsar-mail-events`,
      publish: (notification) => publishMailEvent(notification),
      onError: (err) => log(`mail event failed: ${err.message}`),
    });
    stoppers.push(sesSimulator.close);
    const sandboxes = await startSandboxes({
      host,
      ports: { salesforce: ports.salesforce, stripe: ports.stripe, hubspot: ports.hubspot, googleAnalytics: ports.googleAnalytics },
      crowd,
    });
    stoppers.push(sandboxes.close);

    // The SDK reads these itself, so product code has no notion of "local".
    const sfnPort = await reservePort(host, ports.stepfunctions);
    const stateMachineArn = `arn:aws:states:${REGION}:${LOCAL_ACCOUNT}:stateMachine:${STATE_MACHINE_NAME}`;
    const credentialsFile = join(dataDir, 'credentials.json');
    Object.assign(process.env, {
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: awsCredentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: awsCredentials.secretAccessKey,
      AWS_ENDPOINT_URL_DYNAMODB: dynamodb.url,
      AWS_ENDPOINT_URL_S3: s3.url,
      AWS_ENDPOINT_URL_SESV2: sesSimulator.url,
      AWS_ENDPOINT_URL_SES: sesSimulator.url,
      AWS_ENDPOINT_URL_SFN: `http://${host}:${sfnPort.port}`,
      AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
      AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
      DSAR_S3_FORCE_PATH_STYLE: 'true',
      DSAR_TABLE: TABLE,
      DSAR_STAGING_BUCKET: STAGING_BUCKET,
      DSAR_EXPORTS_BUCKET: EXPORTS_BUCKET,
      DSAR_DOCUMENTS_BUCKET: DOCUMENTS_BUCKET,
      DSAR_STATE_MACHINE_ARN: stateMachineArn,
      DSAR_CREDENTIALS_FILE: credentialsFile,
      DSAR_CODE_KEY_FILE: codeKeyFile(dataDir),
      POWERTOOLS_METRICS_DISABLED: 'true',
    });
    delete process.env.DSAR_CONFIG;
    delete process.env.AWS_SESSION_TOKEN;
    resetClients();
    resetAppContext();

    const dynamoClient = new DynamoDBClient({});
    const s3Client = new S3Client({ forcePathStyle: true });
    stoppers.push(async () => {
      dynamoClient.destroy();
      s3Client.destroy();
    });
    await ensureTable(dynamoClient, requestTableDefinition(TABLE));
    await assertIndexes(dynamoClient, requestTableDefinition(TABLE));
    await ensureBucket(s3Client, STAGING_BUCKET);
    await ensureBucket(s3Client, EXPORTS_BUCKET);
    await ensureBucket(s3Client, DOCUMENTS_BUCKET);
    const marker = join(dataDir, 'seeded.json');
    if (!existsSync(marker)) {
      const started = Date.now();
      log(`Seeding the demo company's stores with ${crowd + 3} people...`);
      const counts = await seedCompanyStoresInChild(crowd);
      writeFileSync(marker, JSON.stringify({ at: new Date().toISOString(), crowd, ...counts }));
      log(`Seeded ${counts.accounts} accounts and ${counts.callObjects} call-history objects in ${Date.now() - started} ms.`);
    }

    // The HTTP API first (on its port), so the configuration's links can name it.
    // Functions still running when the runtime stops must finish before the stores close under them.
    const inFlight = new Set<Promise<unknown>>();
    const handlers = new Map(
      [...(await loadHandlers(ROOT, FUNCTIONS))].map(([id, handler]) => [
        id,
        (event: unknown, context: Parameters<typeof handler>[1]) => {
          const run = handler(event, context);
          inFlight.add(run);
          run.then(() => inFlight.delete(run), () => inFlight.delete(run));
          return run;
        },
      ]),
    );
    const mailEvents = FUNCTIONS.find((f) => f.topic === 'mail-events');
    if (mailEvents) publishMailEvent = (notification) => handlers.get(mailEvents.id)!(notification, lambdaContext(mailEvents, REGION));
    const drain = async () => {
      await Promise.race([Promise.allSettled([...inFlight]), new Promise((r) => setTimeout(r, 10_000).unref())]);
    };
    const tokens = staffTokens(dataDir);
    const api = await startHttpApi({
      host,
      port: ports.api,
      region: REGION,
      functions: FUNCTIONS,
      handlers,
      staffTokens: tokens,
      // The API's contract, then the console and the public request pages, which share the API's origin
      // as they do behind CloudFront.
      fallback: firstOf(serveApiDocument(), serveConsole({ staffTokens: tokens })),
    });
    // A DNS-rebinding page must not become same-origin with the API and the console.
    guardServer(api.server, { origins: 'any' });

    const sourceFile = options.configFile ?? join(ROOT, 'config', 'example.config.json');
    const sourceConfig = JSON.parse(readFileSync(sourceFile, 'utf8')) as unknown;
    // Dataset paths are relative to the repository, where the runtime runs.
    let config = localConfig(parseConfig(sourceConfig, { baseDir: ROOT }), api.url, sandboxes);
    if (options.configOverrides) config = parseConfig(options.configOverrides(config));
    // The product database, only when a connector reads it: PGlite takes a moment to start.
    const postgres = config.connectors.some((c) => c.kind === 'postgres')
      ? await startPostgres({ host, port: ports.postgres, dataDir, people: demoPeople(crowd) })
      : undefined;
    if (postgres) stoppers.push(postgres.close);
    // The local credentials file holds the sandboxes' credentials under the names the configuration uses.
    const credentials = Object.fromEntries(
      config.connectors.flatMap((c): Array<[string, Record<string, string>]> => {
        // No embedded MySQL: a `mysql` connector gets no local credentials, so it fails as misconfigured
        // (named, with a clear message) instead of reaching a server by accident.
        if (c.kind === 'dynamodb' || c.kind === 's3' || c.kind === 'mysql') return [];
        // PGlite stands in for a connection's database; a Data API connector (no credentials) has no local stand-in.
        if (c.kind === 'postgres') return c.credentials ? [[c.credentials, { url: postgres!.url, maskingKey: postgres!.maskingKey }]] : [];
        return [[c.credentials, sandboxes.credentials[c.kind] ?? {}]];
      }),
    );
    writeFileSync(credentialsFile, JSON.stringify(credentials, null, 2), { mode: 0o600 });
    const configFile = join(dataDir, 'config.local.json');
    writeFileSync(configFile, JSON.stringify(config, null, 2));
    process.env.DSAR_CONFIG_FILE = configFile;
    resetAppContext();

    const byArn = new Map(FUNCTIONS.map((spec) => [localFunctionArn(REGION, spec), spec]));
    const functionFaults = new FunctionFaults();
    const substitutions = Object.fromEntries(
      FUNCTIONS.filter((f) => f.placeholder).map((f) => [f.placeholder!, localFunctionArn(REGION, f)]),
    );
    await sfnPort.release();
    const sfn: StepFunctionsEndpoint = await startStepFunctionsEndpoint({
      host,
      port: sfnPort.port,
      dataDir: join(dataDir, 'stepfunctions'),
      stateMachines: [{ arn: stateMachineArn, name: STATE_MACHINE_NAME, definition: substitute(substitutions) }],
      retryIntervalScale: options.retryIntervalScale ?? 1,
      invokeFunction: async (arn, payload) => {
        const spec = byArn.get(arn);
        if (!spec) {
          const err = new Error(`Function not found: ${arn}`);
          err.name = 'Lambda.ResourceNotFoundException';
          throw err;
        }
        // What the workflow sees of a function that failed on AWS: before it ran, or after (answer lost).
        const fault = functionFaults.take(spec.id, payload);
        if (fault && !fault.after) throw fault.error;
        const result = await handlers.get(spec.id)!(payload, lambdaContext(spec, REGION));
        if (fault) throw fault.error;
        return result;
      },
    });
    // On stop: no new work from the workflow or the API, then let running functions finish, then the stores.
    stoppers.splice(stoppers.indexOf(api.close), 1);
    stoppers.push(drain, api.close, sfn.close);

    // The scheduled jobs of the AWS stack, as timers: expired packages and staging (bucket lifecycle rules on AWS),
    // escalation reminders (hourly on AWS; every 10 minutes here) and the subject-retention sweep.
    const every = (intervalMs: number, name: string, job: () => Promise<unknown>) => {
      if (intervalMs <= 0) return;
      const timer = setInterval(() => {
        job().catch((err: unknown) => log(`${name} failed: ${(err as Error).message}`));
      }, intervalMs);
      timer.unref();
      stoppers.push(async () => clearInterval(timer));
    };
    // Staging has a lifecycle rule on AWS too: the same sweep removes staged records older than it allows.
    every(options.sweepIntervalMs ?? 60_000, 'package sweep', async () => {
      const ctx = appContext();
      await sweepExpiredPackages(ctx);
      await sweepExpiredStaging(ctx.s3, ctx.stagingBucket(), ctx.clock.now());
    });
    every(options.escalationIntervalMs ?? 600_000, 'escalation', () => escalate(appContext()));
    every(options.retentionIntervalMs ?? 3_600_000, 'subject retention sweep', () => sweepSubjectRetention(dynamo(), TABLE, new Date()));
    every(options.recheckIntervalMs ?? 3_600_000, 'erasure re-check', () => {
      const ctx = appContext();
      return recheckErasures(ctx, new ConnectorRegistry(ctx.config));
    });

    const approver = tokens.find((t) => t.groups.includes('approver'))!;
    const viewer = tokens.find((t) => t.groups.includes('viewer'))!;
    const info: RuntimeInfo = {
      apiUrl: api.url,
      consoleUrl: `${api.url}/console`,
      mailUrl: ses.url,
      staffToken: approver.token,
      viewerToken: viewer.token,
      awsCredentials,
      endpoints: { dynamodb: dynamodb.url, s3: s3.url, ses: sesSimulator.url, stepfunctions: sfn.url },
      sandboxes: sandboxes.urls,
      stateMachineArn,
      dataDir,
      tables: { requests: TABLE },
      buckets: { staging: STAGING_BUCKET, exports: EXPORTS_BUCKET, documents: DOCUMENTS_BUCKET },
    };
    const runtimeFile = join(dataDir, '..', 'runtime.json');
    writeFileSync(runtimeFile, JSON.stringify(info, null, 2), { mode: 0o600 });

    let stopped = false;
    return {
      ...info,
      config,
      sandboxControl: sandboxes,
      functionFaults,
      stop: async () => {
        if (stopped) return;
        stopped = true;
        await stopAll();
        resetClients();
        resetAppContext();
      },
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/** Names the request whose object it was (every key the product writes holds its request id) and where its files went. */
export function tornObjectWarning(torn: TornObject): string {
  const requestId = /dsar_[0-9a-z]+/.exec(torn.key)?.[0];
  return (
    `Warning: the S3 object ${torn.bucket}/${torn.key}${requestId ? ` of request ${requestId}` : ''} was torn by a crash ` +
    `(${torn.problem}); it was moved aside to ${torn.movedTo}.`
  );
}

/**
 * Finds the Step Functions endpoint's port before it starts: the endpoint must start last (it resumes
 * executions at once, which call the API's functions), but the SDK's endpoint variable must be set first.
 */
async function reservePort(host: string, port: number): Promise<{ port: number; release(): Promise<void> }> {
  const { createServer } = await import('node:net');
  const server = createServer();
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolveListen());
  });
  const actual = (server.address() as { port: number }).port;
  return { port: actual, release: () => new Promise<void>((r) => server.close(() => r())) };
}
