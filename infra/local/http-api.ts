/**
 * The HTTP API on a laptop: turns each HTTP request into the API Gateway (HTTP API, payload 2.0) event
 * that AWS would build, calls the same handler the stack deploys, and writes its result back. Staff
 * routes check the local staff tokens here, as the JWT authorizer does on AWS, and hand the handler the
 * same claims shape (`sub`, `email`, `cognito:groups`).
 *
 * The order is the gateway's: the route, then the token, and only then the body, so an anonymous caller
 * cannot make the runtime read (or hold) anything. A body is read only up to the functions' own limit:
 * a declared length over it is refused before a byte is read, a streamed one as soon as it passes it,
 * with the answer the function would give. Every answer of the adapter's own carries the API's security
 * headers, like every answer of a function.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { randomUUID, timingSafeEqual } from 'node:crypto';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { MAX_BODY_BYTES, SECURITY_HEADERS, bodyTooLarge, errorBody, malformedPath } from '../../functions/handlers/http.ts';
import type { FunctionSpec } from '../functions.ts';
import { lambdaContext, type LambdaHandler } from './lambda.ts';
import { listen } from './listen.ts';

export interface StaffToken {
  token: string;
  sub: string;
  email: string;
  groups: string[];
}

interface Route {
  method: string;
  path: string;
  pattern: RegExp;
  params: string[];
  staff: boolean;
  /** The body this route reads at most (API Gateway's own limit is larger: the function enforces this). */
  maxBodyBytes: number;
  spec: FunctionSpec;
}

function compile(spec: FunctionSpec, route: NonNullable<FunctionSpec['routes']>[number]): Route {
  const params: string[] = [];
  const pattern = new RegExp(
    `^${route.path.replace(/\{(\w+)\}/g, (_, name: string) => {
      params.push(name);
      return '([^/]+)';
    })}/?$`,
  );
  return { method: route.method, path: route.path, pattern, params, staff: Boolean(route.staff), maxBodyBytes: route.maxBodyBytes ?? MAX_BODY_BYTES, spec };
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Decodes one path segment; undefined for a malformed percent-encoding. */
function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

function hasBody(req: IncomingMessage): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}

/**
 * The adapter's own answer, with the security headers. When it answers before reading a body the client
 * is sending, it closes the connection afterwards instead of draining the rest of the body.
 */
function send(req: IncomingMessage, res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const close = !req.readableEnded && hasBody(req);
  res.writeHead(status, { ...SECURITY_HEADERS, ...headers, ...(close ? { connection: 'close' } : {}) });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}

/** Answers as a function would with this error (`{error: {code, message}}`, same headers). */
function sendError(req: IncomingMessage, res: ServerResponse, err: { status: number; code: string; message: string }) {
  const answer = errorBody(err.status, err.code, err.message) as APIGatewayProxyStructuredResultV2;
  send(req, res, err.status, answer.body, answer.headers as Record<string, string>);
}

/** The body as text, or undefined once it is longer than `limit` (declared or sent): the rest is never read. */
function readBody(req: IncomingMessage, limit: number): Promise<string | undefined> {
  if (Number(req.headers['content-length'] ?? 0) > limit) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = (value: string | undefined) => {
      req.off('data', onData).off('end', onEnd).off('error', onError);
      req.pause();
      resolve(value);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) return stop(undefined);
      chunks.push(chunk);
    };
    const onEnd = () => stop(Buffer.concat(chunks).toString('utf8'));
    const onError = (err: Error) => {
      req.off('data', onData).off('end', onEnd);
      reject(err);
    };
    req.on('data', onData).on('end', onEnd).on('error', onError);
  });
}

export interface HttpApiOptions {
  host: string;
  port: number;
  region: string;
  functions: FunctionSpec[];
  handlers: Map<string, LambdaHandler>;
  staffTokens: StaffToken[];
  /** Serves other paths (the console, static pages); returns false when it did not handle the request. */
  fallback?: (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;
}

export async function startHttpApi(options: HttpApiOptions): Promise<{ url: string; port: number; server: Server; close(): Promise<void> }> {
  const routes = options.functions.flatMap((spec) => (spec.routes ?? []).map((r) => compile(spec, r)));

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      // The handlers map their own errors; this is the adapter failing, which must still answer.
      process.stderr.write(`http adapter error: ${(err as Error).stack ?? String(err)}\n`);
      if (!res.headersSent) sendError(req, res, { status: 500, code: 'internal_error', message: 'the local API failed' });
      else res.end();
    });
  });

  // Requests Node's HTTP parser refuses never reach `handle`; Node's own answer to them has no headers.
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (err.code === 'ECONNRESET' || !socket.writable) return socket.destroy();
    const [status, reason] =
      err.code === 'HPE_HEADER_OVERFLOW' ? [431, 'Request Header Fields Too Large'] : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? [408, 'Request Timeout'] : [400, 'Bad Request'];
    const body = JSON.stringify({ message: reason });
    const headers = { ...SECURITY_HEADERS, 'content-length': String(Buffer.byteLength(body)), connection: 'close' };
    socket.end(`HTTP/1.1 ${status} ${reason}\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n${body}`);
  });

  async function handle(req: IncomingMessage, res: ServerResponse) {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      return sendError(req, res, malformedPath());
    }
    const method = req.method ?? 'GET';
    const matches = routes.filter((r) => r.pattern.test(url.pathname));
    const route = matches.find((r) => r.method === method);
    if (!route) {
      if (options.fallback && (await options.fallback(req, res))) return;
      if (matches.length) return send(req, res, 405, { message: 'Method Not Allowed' });
      return send(req, res, 404, { message: 'Not Found' });
    }

    const values = route.pattern.exec(url.pathname)!.slice(1).map(decodeSegment);
    if (values.some((v) => v === undefined)) return sendError(req, res, malformedPath());
    const pathParameters = Object.fromEntries(route.params.map((p, i) => [p, values[i]!]));

    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(',') : v;

    let authorizer: APIGatewayProxyEventV2['requestContext'] extends infer C ? (C & { authorizer?: unknown })['authorizer'] : never;
    if (route.staff) {
      const presented = /^Bearer\s+(.+)$/i.exec(headers.authorization ?? '')?.[1]?.trim();
      const staff = presented ? options.staffTokens.find((t) => sameSecret(t.token, presented)) : undefined;
      // What API Gateway's JWT authorizer answers, before any function runs and before the body is read.
      if (!staff) return send(req, res, 401, { message: 'Unauthorized' }, { 'www-authenticate': 'Bearer' });
      authorizer = {
        jwt: {
          claims: { sub: staff.sub, email: staff.email, 'cognito:groups': `[${staff.groups.join(' ')}]` },
          scopes: null,
        },
      } as never;
    }

    const body = await readBody(req, route.maxBodyBytes);
    if (body === undefined) return sendError(req, res, bodyTooLarge(route.maxBodyBytes));

    const query: Record<string, string> = {};
    for (const [k, v] of url.searchParams) query[k] = query[k] === undefined ? v : `${query[k]},${v}`;
    const now = new Date();
    const event: APIGatewayProxyEventV2 = {
      version: '2.0',
      routeKey: `${route.method} ${route.path}`,
      rawPath: url.pathname,
      rawQueryString: url.search.slice(1),
      headers,
      ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
      ...(route.params.length ? { pathParameters } : {}),
      ...(body ? { body, isBase64Encoded: false } : { isBase64Encoded: false }),
      requestContext: {
        accountId: '000000000000',
        apiId: 'local',
        domainName: headers.host ?? 'localhost',
        domainPrefix: 'local',
        http: {
          method,
          path: url.pathname,
          protocol: `HTTP/${req.httpVersion}`,
          sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
          userAgent: headers['user-agent'] ?? '',
        },
        requestId: randomUUID(),
        routeKey: `${route.method} ${route.path}`,
        stage: '$default',
        time: now.toUTCString(),
        timeEpoch: now.getTime(),
        ...(authorizer ? { authorizer } : {}),
      } as APIGatewayProxyEventV2['requestContext'],
    };

    const handler = options.handlers.get(route.spec.id)!;
    const result = (await handler(event, lambdaContext(route.spec, options.region))) as APIGatewayProxyStructuredResultV2 | string;
    const structured: APIGatewayProxyStructuredResultV2 =
      typeof result === 'string' ? { statusCode: 200, body: result } : (result ?? { statusCode: 200 });
    res.writeHead(structured.statusCode ?? 200, (structured.headers ?? {}) as Record<string, string>);
    res.end(structured.body ? (structured.isBase64Encoded ? Buffer.from(structured.body, 'base64') : structured.body) : undefined);
  }

  return { ...(await listen(server, options.port, options.host)), server };
}
