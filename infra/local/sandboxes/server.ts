/**
 * What every vendor sandbox shares: a node:http server, body parsing, the fault-injection control
 * endpoint (`/__sandbox/faults`), and the order in which faults apply before the vendor sees a request:
 * latency, "fail the next N matching", throttling burst, the rate-limit bucket, random 5xx, then auth.
 * A "fail the next N" rule with a `partial` form lets its request through all of that and has the
 * vendor answer it partially instead (a 207 without results, a page that ends early, ...).
 * Each vendor supplies its own wire format for those answers.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FaultPatchError, FaultState, type FaultPatch, type PartialForm, type ThrottleFault } from './faults.ts';
import { guardRequests } from '../origin-guard.ts';

export type VendorName = 'salesforce' | 'stripe' | 'hubspot' | 'google-analytics';

export interface SandboxRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  text: string;
  /** The server's own base URL, e.g. for Salesforce's `instance_url`. */
  baseUrl: string;
}

export interface SandboxResponse {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

export type AuthVerdict = 'ok' | 'missing' | 'invalid' | 'expired';

export interface VendorSandbox {
  readonly name: VendorName;
  /** Requests that need no credentials (token endpoints). */
  isPublic(req: SandboxRequest): boolean;
  authenticate(req: SandboxRequest): AuthVerdict;
  handle(req: SandboxRequest): SandboxResponse;
  unauthorized(verdict: Exclude<AuthVerdict, 'ok'>): SandboxResponse;
  throttled(fault: Omit<ThrottleFault, 'count'>): SandboxResponse;
  /** The vendor's error for an injected status (5xx or any other). */
  failure(status: number): SandboxResponse;
  /** "Expire the current token": minted tokens stop working, or a static key answers expired once. */
  expireTokens(): void;
  /**
   * Answers `req` in a partial form, in the vendor's own shape (see `PartialForm`): usually the real
   * answer cut down, and for a write only the part of the work the answer admits to. `status`
   * overrides the status the vendor would send that form with.
   */
  partial(form: PartialForm, req: SandboxRequest, status?: number): SandboxResponse;
}

export function json(status: number, body?: unknown, headers?: Record<string, string>): SandboxResponse {
  return { status, body, headers };
}

export function parseJson(req: SandboxRequest): unknown {
  try {
    return req.text ? (JSON.parse(req.text) as unknown) : undefined;
  } catch {
    return undefined;
  }
}

export function bearer(req: SandboxRequest): string | undefined {
  const h = req.headers.authorization;
  const m = typeof h === 'string' ? /^Bearer\s+(.+)$/i.exec(h.trim()) : null;
  return m?.[1];
}

const timerSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export interface RunningSandbox {
  url: string;
  faults: FaultState;
  close(): Promise<void>;
}

export async function serve(vendor: VendorSandbox, host: string, port: number, sleep = timerSleep): Promise<RunningSandbox> {
  const faults = new FaultState();
  let baseUrl = '';

  async function respond(req: SandboxRequest): Promise<SandboxResponse> {
    if (req.path === '/__sandbox/faults') {
      if (req.method === 'GET') return json(200, faults.snapshot());
      if (req.method === 'DELETE') {
        faults.reset();
        return json(200, faults.snapshot());
      }
      if (req.method === 'POST') {
        const patch = parseJson(req) as FaultPatch | undefined;
        if (!patch || typeof patch !== 'object') return json(400, { error: 'body must be a JSON object' });
        try {
          const applied = faults.apply(patch);
          if (patch.expireToken) vendor.expireTokens();
          return json(200, applied);
        } catch (err) {
          if (err instanceof FaultPatchError) return json(400, { error: err.message });
          throw err;
        }
      }
      return json(405, { error: 'GET, POST or DELETE' });
    }
    const f = faults.current;
    if (f.latencyMs > 0) await sleep(f.latencyMs);
    const failing = faults.takeFailNext(req.path + (req.query.size ? `?${req.query.toString()}` : ''));
    if (failing && !failing.partial) return failing.body !== undefined ? json(failing.status ?? 500, failing.body) : vendor.failure(failing.status ?? 500);
    const burst = faults.takeThrottle();
    if (burst) return vendor.throttled(burst);
    const wait = faults.bucket.take();
    if (wait > 0) return vendor.throttled({ retryAfterMs: wait });
    if (f.errorRate > 0 && Math.random() < f.errorRate) return vendor.failure(503);
    if (!vendor.isPublic(req)) {
      const verdict = vendor.authenticate(req);
      if (verdict !== 'ok') return vendor.unauthorized(verdict);
    }
    return failing?.partial ? vendor.partial(failing.partial, req, failing.status) : vendor.handle(req);
  }

  // Connectors call the sandboxes from Node; a browser page never may (no Origin, Host must be loopback).
  const server: Server = createServer(guardRequests((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => {
      const url = new URL(request.url ?? '/', baseUrl);
      const req: SandboxRequest = {
        method: request.method ?? 'GET',
        path: decodeURIComponent(url.pathname),
        query: url.searchParams,
        headers: request.headers,
        text: Buffer.concat(chunks).toString('utf8'),
        baseUrl,
      };
      respond(req)
        .catch(() => vendor.failure(500))
        .then((res) => {
          const headers: Record<string, string> = { ...res.headers };
          let payload: string | undefined;
          if (res.body !== undefined && res.status !== 204) {
            headers['content-type'] ??= 'application/json;charset=UTF-8';
            payload = typeof res.body === 'string' ? res.body : JSON.stringify(res.body);
          }
          response.writeHead(res.status, headers);
          response.end(payload);
        });
    });
  }, { origins: 'none' }));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  baseUrl = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
  return {
    url: baseUrl,
    faults,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
