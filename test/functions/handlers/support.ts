/** API Gateway v2 events and a Lambda context for handler tests. */
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';

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

export function answer(result: APIGatewayProxyResultV2): Answer {
  const r = result as { statusCode: number; headers?: Record<string, string>; body?: string };
  return { statusCode: r.statusCode, headers: r.headers ?? {}, body: r.body ? (JSON.parse(r.body) as Answer['body']) : {} };
}
