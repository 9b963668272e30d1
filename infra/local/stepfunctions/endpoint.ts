import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Logger } from '@aws-lambda-powertools/logger';
import { guardRequests } from '../origin-guard.ts';
import { loadStateMachine, type LoadedStateMachine } from './definition.ts';
import type { InvokeFunction } from './executionRun.ts';
import { ExecutionStore } from './executionStore.ts';
import { ServiceError } from './serviceError.ts';
import { StepFunctionsService } from './service.ts';
import { statesTimeoutErrorClass } from './statesTimeoutError.ts';
import { TaskTokenRegistry } from './taskTokens.ts';

export type { InvokeFunction } from './executionRun.ts';

export interface LocalStateMachine {
  arn: string;
  name: string;
  /** ASL JSON text, placeholders already substituted. */
  definition: string;
}

export interface StepFunctionsEndpointOptions {
  /** Default 127.0.0.1: the endpoint has no authentication, so it never listens elsewhere unless asked. */
  host?: string;
  /** 0 picks an ephemeral port. */
  port: number;
  /** Where executions persist (created if missing). */
  dataDir: string;
  stateMachines: LocalStateMachine[];
  /** The Lambda stand-in. A failure is a thrown Error whose `name` is the Lambda errorType. */
  invokeFunction: InvokeFunction;
  /** Multiplies every Retry interval (and MaxDelaySeconds), so tests and demos can retry fast. Default 1. */
  retryIntervalScale?: number;
}

export interface StepFunctionsEndpoint {
  url: string;
  port: number;
  /** Stops the server and abandons running interpretations (they stay RUNNING on disk and resume on the next start). */
  close(): Promise<void>;
}

const TARGET_PREFIX = 'AWSStepFunctions.';
const CONTENT_TYPE = 'application/x-amz-json-1.0';

export async function startStepFunctionsEndpoint(opts: StepFunctionsEndpointOptions): Promise<StepFunctionsEndpoint> {
  const logger = new Logger({ serviceName: 'local-stepfunctions' });
  const machines = new Map<string, LoadedStateMachine>();
  for (const machine of opts.stateMachines) {
    machines.set(machine.arn, loadStateMachine(machine, opts.retryIntervalScale ?? 1));
  }
  const StatesTimeoutError = await statesTimeoutErrorClass();
  const store = new ExecutionStore(opts.dataDir);
  const records = await store.open();
  const service = new StepFunctionsService({
    machines,
    store,
    tokens: new TaskTokenRegistry(() => new StatesTimeoutError()),
    invokeFunction: opts.invokeFunction,
    statesTimeoutError: StatesTimeoutError,
    // Unguessable, so no real input value can be mistaken for it when tokens are substituted.
    tokenSentinel: `local-stepfunctions-task-token-${randomUUID()}`,
    onError: (error) => logger.error('local Step Functions endpoint error', error as Error),
  });

  // The SDK calls this endpoint; a browser page never may (no Origin, Host must be loopback).
  const server = createServer(
    guardRequests((request, response) => {
      void handle(service, request, response, (error) => logger.error('request failed', error as Error));
    }, { origins: 'none' }),
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host ?? '127.0.0.1', () => resolve());
  });
  service.restore(records);

  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  return {
    url: `http://${host}:${port}`,
    port,
    close: async () => {
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await service.close();
      await stopped;
    },
  };
}

async function handle(
  service: StepFunctionsService,
  request: IncomingMessage,
  response: ServerResponse,
  onInternalError: (error: unknown) => void,
): Promise<void> {
  try {
    const text = await readBody(request);
    const target = request.headers['x-amz-target'];
    const operation =
      request.method === 'POST' && typeof target === 'string' && target.startsWith(TARGET_PREFIX)
        ? service.operations[target.slice(TARGET_PREFIX.length)]
        : undefined;
    if (!operation) throw new ServiceError('UnknownOperationException', `Unknown operation ${String(target)}`);
    let body: unknown;
    try {
      body = text.length === 0 ? {} : JSON.parse(text);
    } catch {
      throw new ServiceError('SerializationException', 'The request body is not valid JSON');
    }
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      throw new ServiceError('SerializationException', 'The request body must be a JSON object');
    }
    send(response, 200, operation(body as Record<string, unknown>));
  } catch (error) {
    if (error instanceof ServiceError) {
      send(response, error.statusCode, { __type: error.type, message: error.message }, error.type);
      return;
    }
    onInternalError(error);
    send(response, 500, { __type: 'InternalServerError', message: 'Internal error' }, 'InternalServerError');
  }
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function send(response: ServerResponse, status: number, body: unknown, errorType?: string): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': CONTENT_TYPE,
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
    ...(errorType === undefined ? {} : { 'x-amzn-errortype': errorType }),
  });
  response.end(text);
}
