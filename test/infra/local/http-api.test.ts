import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { request, type IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { FunctionSpec } from '../../../infra/functions.ts';
import { startHttpApi } from '../../../infra/local/http-api.ts';
import type { LambdaHandler } from '../../../infra/local/lambda.ts';
import { MAX_BODY_BYTES, SECURITY_HEADERS } from '../../../functions/handlers/http.ts';

const spec = (id: string, method: 'GET' | 'POST', path: string, staff = false): FunctionSpec => ({
  id,
  entry: `unused/${id}.ts`,
  routes: [{ method, path, staff }],
  grants: [],
  timeoutSeconds: 15,
  memoryMb: 128,
});

const FUNCTIONS = [
  spec('public-post', 'POST', '/v1/requests'),
  spec('public-get', 'GET', '/v1/requests/{id}'),
  spec('staff-act', 'POST', '/v1/admin/requests/{id}/{action}', true),
  spec('broken', 'GET', '/v1/broken'),
  // A route that takes a document (as the intake does for an agent's permission) reads a larger body.
  { ...spec('document-post', 'POST', '/v1/documents'), routes: [{ method: 'POST' as const, path: '/v1/documents', maxBodyBytes: 4 * MAX_BODY_BYTES }] },
];
const TOKEN = 'local-staff-token';

let calls: Array<{ id: string; event: APIGatewayProxyEventV2 }> = [];
const echo = (id: string): LambdaHandler => async (event) => {
  calls.push({ id, event: event as APIGatewayProxyEventV2 });
  return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ seen: id }) };
};
const handlers = new Map<string, LambdaHandler>([
  ['public-post', echo('public-post')],
  ['public-get', echo('public-get')],
  ['document-post', echo('document-post')],
  ['staff-act', echo('staff-act')],
  [
    'broken',
    async () => {
      throw new Error('the adapter must still answer');
    },
  ],
]);

let api: Awaited<ReturnType<typeof startHttpApi>>;
beforeAll(async () => {
  api = await startHttpApi({
    host: '127.0.0.1',
    port: 0,
    region: 'eu-north-1',
    functions: FUNCTIONS,
    handlers,
    staffTokens: [{ token: TOKEN, sub: 'u1', email: 'dana@example.test', groups: ['approver'] }],
  });
});
afterAll(() => api.close());
beforeEach(() => {
  calls = [];
});

interface RawAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: any;
  /** Bytes of the body the client had written when the answer arrived. */
  sentBeforeAnswer: number;
}

/**
 * Sends the headers and `first` bytes of a body, then waits: the answer must come before the client
 * sends the rest (a server that read the whole body first would never answer, and the test would time out).
 */
function sendPartly(method: string, path: string, headers: Record<string, string | number>, first: number): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    let sent = 0;
    const req = request({ host: '127.0.0.1', port: api.port, method, path, headers }, (res) => {
      const sentBeforeAnswer = sent;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        req.destroy();
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode!, headers: res.headers, body: text ? JSON.parse(text) : undefined, sentBeforeAnswer });
      });
    });
    // Writes after the server closed its side are expected; only an error before any answer fails the test.
    req.on('error', (err) => (sent < first ? reject(err) : undefined));
    req.write(Buffer.alloc(first, 0x61));
    sent = first;
  });
}

function expectSecurityHeaders(headers: IncomingHttpHeaders | Headers) {
  const get = (name: string) => (headers instanceof Headers ? headers.get(name) : headers[name]);
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
    if (name === 'content-type') continue;
    expect(get(name), name).toBe(value);
  }
}

describe('the local HTTP API: order of checks', () => {
  const TEN_MB = 10 * 1024 * 1024;

  it('answers a staff route without a token with 401 before reading a 10 MB body', async () => {
    const res = await sendPartly('POST', '/v1/admin/requests/dsar_abc12345/approve', { 'content-type': 'application/json', 'content-length': TEN_MB }, 64 * 1024);

    expect(res.status).toBe(401);
    expect(res.sentBeforeAnswer).toBeLessThan(TEN_MB);
    expect(res.headers.connection).toBe('close');
    expect(res.headers['www-authenticate']).toBe('Bearer');
    expect(calls).toHaveLength(0);
  });

  it('answers a staff route with a wrong token with 401, before the body too', async () => {
    const res = await sendPartly('POST', '/v1/admin/requests/dsar_abc12345/approve', { authorization: 'Bearer nope', 'content-length': TEN_MB }, 1024);

    expect(res.status).toBe(401);
    expect(calls).toHaveLength(0);
  });

  it('answers 413 to a declared body over the functions\' limit without reading it', async () => {
    const res = await sendPartly('POST', '/v1/requests', { 'content-type': 'application/json', 'content-length': TEN_MB }, 0);

    expect(res.status).toBe(413);
    expect(res.body).toEqual({ error: { code: 'body_too_large', message: 'the body must be at most 64 KiB' } });
    expect(res.headers.connection).toBe('close');
    expect(calls).toHaveLength(0);
  });

  it('answers 413 to a streamed body as soon as it passes the limit', async () => {
    const res = await sendPartly('POST', '/v1/requests', { 'content-type': 'application/json', 'transfer-encoding': 'chunked' }, MAX_BODY_BYTES + 1);

    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('body_too_large');
    expect(calls).toHaveLength(0);
  });

  it('answers 413 to a staff caller with a valid token and a body over the limit', async () => {
    const res = await sendPartly('POST', '/v1/admin/requests/dsar_abc12345/approve', { authorization: `Bearer ${TOKEN}`, 'content-length': TEN_MB }, 1024);

    expect(res.status).toBe(413);
    expect(calls).toHaveLength(0);
  });

  it('hands a route with its own, larger limit a body over the usual one, and refuses one over its own', async () => {
    const body = JSON.stringify({ data: 'x'.repeat(2 * MAX_BODY_BYTES) });
    const ok = await fetch(`${api.url}/v1/documents`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(ok.status).toBe(200);
    expect(calls.map((c) => c.id)).toEqual(['document-post']);
    expect(calls[0]!.event.body).toBe(body);

    const tooBig = await sendPartly('POST', '/v1/documents', { 'content-type': 'application/json', 'content-length': TEN_MB }, 0);
    expect(tooBig.status).toBe(413);
    expect(tooBig.body).toEqual({ error: { code: 'body_too_large', message: 'the body must be at most 256 KiB' } });
    expect(calls).toHaveLength(1);
  });

  it('hands a body within the limit to the function, with the staff claims', async () => {
    const body = JSON.stringify({ note: 'x'.repeat(MAX_BODY_BYTES - 20) });
    const res = await fetch(`${api.url}/v1/admin/requests/dsar_abc12345/approve`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body,
    });

    expect(res.status).toBe(200);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.event.body).toBe(body);
    expect(calls[0]!.event.pathParameters).toEqual({ id: 'dsar_abc12345', action: 'approve' });
  });
});

describe('the local HTTP API: paths', () => {
  it('answers 400 malformed_path for a malformed percent-encoding, and calls no function', async () => {
    const res = await fetch(`${api.url}/v1/requests/dsar_%E0%A4%A`);

    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: { code: 'malformed_path', message: 'the path holds a malformed percent-encoding' } });
    expect(calls).toHaveLength(0);
  });

  it('decodes a well-formed encoding into the path parameter', async () => {
    await fetch(`${api.url}/v1/requests/dsar_%61bc12345`);

    expect(calls[0]!.event.pathParameters).toEqual({ id: 'dsar_abc12345' });
  });
});

describe('the local HTTP API: headers', () => {
  it.each([
    ['401', 'POST', '/v1/admin/requests/dsar_abc12345/approve', 401],
    ['404', 'GET', '/nothing/here', 404],
    ['405', 'GET', '/v1/requests', 405],
    ['400', 'GET', '/v1/requests/dsar_%E0%A4%A', 400],
    ['500', 'GET', '/v1/broken', 500],
  ])('sends the security headers on its own %s', async (_, method, path, status) => {
    const res = await fetch(`${api.url}${path}`, { method });

    expect(res.status).toBe(status);
    expectSecurityHeaders(res.headers);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  });

  it('sends the security headers on the 400 it gives a request Node cannot parse', async () => {
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect(api.port, '127.0.0.1', () => socket.write('NOT HTTP AT ALL\r\n\r\n'));
      let text = '';
      socket.on('data', (c: Buffer) => (text += c.toString('utf8')));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    const [head, body] = raw.split('\r\n\r\n');
    const lines = head!.split('\r\n');
    const headers = new Headers(lines.slice(1).map((l) => l.split(/:\s*/, 2) as [string, string]));

    expect(lines[0]).toBe('HTTP/1.1 400 Bad Request');
    expectSecurityHeaders(headers);
    expect(JSON.parse(body!)).toEqual({ message: 'Bad Request' });
    expect(calls).toHaveLength(0);
  });

  it('sends the security headers on its own 413', async () => {
    const res = await sendPartly('POST', '/v1/requests', { 'content-length': 10 * 1024 * 1024 }, 0);

    expect(res.status).toBe(413);
    expectSecurityHeaders(res.headers);
  });
});
