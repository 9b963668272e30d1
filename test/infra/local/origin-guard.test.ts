/** The browser guard in front of every local server, on a real node:http server. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { guardRequests, guardServer, type GuardPolicy } from '../../../infra/local/origin-guard.ts';

const servers: Server[] = [];
let reached = 0;

async function serve(policy: GuardPolicy, viaServer = false): Promise<number> {
  const listener = (_req: unknown, res: { end(body: string): void }) => {
    reached += 1;
    res.end('ok');
  };
  const server = viaServer ? createServer(listener as never) : createServer(guardRequests(listener as never, policy));
  if (viaServer) guardServer(server, policy);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  servers.push(server);
  return (server.address() as AddressInfo).port;
}

function get(port: number, headers: Record<string, string>, method = 'GET'): Promise<{ status: number; cors?: string | string[] }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path: '/', headers: { host: `127.0.0.1:${port}`, ...headers } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode!, cors: res.headers['access-control-allow-origin'] }));
    });
    req.on('error', reject);
    req.end();
  });
}

let none: number;
let self: number;
let any: number;
let wrapped: number;

beforeAll(async () => {
  none = await serve({ origins: 'none' });
  self = await serve({ origins: 'self' });
  any = await serve({ origins: 'any' });
  wrapped = await serve({ origins: 'none' }, true);
});
afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
});

describe('the origin guard', () => {
  it('lets a machine client through: loopback Host, no Origin', async () => {
    const before = reached;
    expect((await get(none, {})).status).toBe(200);
    expect((await get(none, { host: `localhost:${none}` })).status).toBe(200);
    expect(reached).toBe(before + 2);
  });

  it('refuses a Host that is not this loopback port (DNS rebinding), whatever the policy, before the server sees it', async () => {
    const before = reached;
    for (const port of [none, self, any, wrapped]) {
      expect((await get(port, { host: `evil.example:${port}` })).status).toBe(403);
      expect((await get(port, { host: `127.0.0.1:${port + 1}` })).status).toBe(403);
      expect((await get(port, { host: 'localhost' })).status).toBe(403);
    }
    expect(reached).toBe(before);
  });

  it('refuses any Origin on a machine-to-machine server, with no CORS header', async () => {
    for (const origin of ['http://evil.example', 'null', `http://127.0.0.1:${none}`]) {
      const res = await get(none, { origin });
      expect(res).toEqual({ status: 403, cors: undefined });
    }
    expect((await get(wrapped, { origin: 'http://evil.example' })).status).toBe(403);
  });

  it("accepts only the server's own origin on a server that serves its own page", async () => {
    expect((await get(self, { origin: `http://127.0.0.1:${self}` })).status).toBe(200);
    expect((await get(self, { origin: `http://localhost:${self}` })).status).toBe(200);
    expect((await get(self, { origin: 'http://evil.example' })).status).toBe(403);
    expect((await get(self, { origin: `http://127.0.0.1:${none}` })).status).toBe(403);
  });

  it('refuses cross-site subresource loads, which carry no Origin, but lets a clicked link navigate', async () => {
    expect((await get(none, { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'no-cors' })).status).toBe(403);
    expect((await get(none, { 'sec-fetch-site': 'same-site', 'sec-fetch-mode': 'no-cors' })).status).toBe(403);
    expect((await get(none, { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate' })).status).toBe(200);
    expect((await get(none, { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate' }, 'POST')).status).toBe(403);
    expect((await get(none, { 'sec-fetch-site': 'none', 'sec-fetch-mode': 'navigate' })).status).toBe(200);
  });

  it("leaves the Origin to the product's own API, but not the Host", async () => {
    expect((await get(any, { origin: 'http://evil.example' })).status).toBe(200);
    expect((await get(any, { host: `evil.example:${any}`, origin: 'http://evil.example' })).status).toBe(403);
  });
});
