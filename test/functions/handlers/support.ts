/**
 * API Gateway v2 events and a Lambda context for handler tests, and the contract check: a handler called
 * through `checked` has every call checked against docs/openapi.yaml (test/support/contract.ts), and
 * `answer` refuses a result that did not come through `checked` (or `offContract`, for the shared
 * middleware's tests on made-up routes), so no handler test can skip the contract by forgetting it.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import { vi } from 'vitest';
import { checkExchange } from '../../support/contract.ts';

export function lambdaContext(): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'dsar-test',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:eu-north-1:123456789012:function:dsar-test',
    memoryLimitInMB: '256',
    awsRequestId: 'c0ffee00-0000-4000-8000-000000000000',
    logGroupName: '/aws/lambda/dsar-test',
    logStreamName: 'stream',
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/**
 * The Embedded Metric Format documents Powertools printed to stdout while `run` ran (the test
 * configuration disables metrics, so a test that reads them turns them on before importing its handler).
 */
export async function emfDuring(run: () => Promise<unknown>): Promise<Array<Record<string, any>>> {
  const lines: string[] = [];
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => {
    lines.push(String(chunk));
    return true;
  });
  try {
    await run();
  } finally {
    write.mockRestore();
  }
  return lines
    .flatMap((l) => l.split('\n'))
    .filter((l) => l.includes('"_aws"'))
    .map((l) => JSON.parse(l) as Record<string, any>);
}

export interface EventInit {
  method?: string;
  path?: string;
  body?: string | undefined;
  headers?: Record<string, string>;
  pathParameters?: Record<string, string>;
  query?: Record<string, string>;
  claims?: Record<string, unknown>;
  base64?: boolean;
}

export function apiEvent(init: EventInit = {}): APIGatewayProxyEventV2 {
  const { method = 'POST', path = '/v1/requests', body, headers = {}, pathParameters, query, claims, base64 = false } = init;
  return {
    version: '2.0',
    routeKey: `${method} ${path}`,
    rawPath: path,
    rawQueryString: '',
    headers: body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type') ? { 'content-type': 'application/json', ...headers } : headers,
    ...(body !== undefined ? { body } : {}),
    isBase64Encoded: base64,
    ...(pathParameters ? { pathParameters } : {}),
    ...(query ? { queryStringParameters: query } : {}),
    requestContext: {
      accountId: '123456789012',
      apiId: 'api',
      domainName: 'api.example.test',
      domainPrefix: 'api',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '192.0.2.1', userAgent: 'vitest' },
      requestId: 'req-1',
      routeKey: `${method} ${path}`,
      stage: '$default',
      time: '02/Mar/2026:10:00:00 +0000',
      timeEpoch: 1772445600000,
      ...(claims ? { authorizer: { jwt: { claims, scopes: [] } } } : {}),
    },
  } as APIGatewayProxyEventV2;
}

export interface Answer {
  statusCode: number;
  headers: Record<string, string>;
  body: { error?: { code: string; message: string; details?: Record<string, unknown> } } & Record<string, unknown>;
}

type ApiHandler<R extends APIGatewayProxyResultV2> = (event: APIGatewayProxyEventV2, context: Context) => Promise<R>;

/** Results that went through `checked` or `offContract`. */
const vetted = new WeakSet<object>();

function header(headers: Record<string, unknown> | undefined, name: string): string | undefined {
  const found = Object.entries(headers ?? {}).find(([k]) => k.toLowerCase() === name);
  return found === undefined ? undefined : String(found[1]);
}

/** The handler, with each call's request and answer checked against docs/openapi.yaml. */
export function checked<R extends APIGatewayProxyResultV2>(handler: ApiHandler<R>): ApiHandler<R> {
  return async (event, context) => {
    const result = await handler(event, context);
    const r = result as { statusCode?: number; headers?: Record<string, unknown>; body?: string; isBase64Encoded?: boolean };
    checkExchange({
      method: event.requestContext?.http?.method ?? event.routeKey.split(' ')[0]!,
      path: event.rawPath,
      requestBody: event.body === undefined ? undefined : event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body,
      requestContentType: header(event.headers, 'content-type'),
      status: r.statusCode ?? 200,
      responseContentType: header(r.headers, 'content-type'),
      responseBody: r.isBase64Encoded && r.body ? Buffer.from(r.body, 'base64').toString('utf8') : (r.body ?? ''),
    });
    if (typeof result === 'object') vetted.add(result);
    return result;
  };
}

/** For tests of the shared middleware on a made-up route, which no API document describes: nothing is checked. */
export function offContract<R extends APIGatewayProxyResultV2>(handler: ApiHandler<R>): ApiHandler<R> {
  return async (event, context) => {
    const result = await handler(event, context);
    if (typeof result === 'object') vetted.add(result);
    return result;
  };
}

export function answer(result: APIGatewayProxyResultV2): Answer {
  if (typeof result === 'object' && !vetted.has(result)) {
    throw new Error('call the handler through checked() (or offContract() for a made-up route), so its answer is checked against docs/openapi.yaml');
  }
  const r = result as { statusCode: number; headers?: Record<string, string>; body?: string };
  return { statusCode: r.statusCode, headers: r.headers ?? {}, body: r.body ? (JSON.parse(r.body) as Answer['body']) : {} };
}
