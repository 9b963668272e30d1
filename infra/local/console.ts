/**
 * Serves the staff console and the public request pages from the embedded runtime, as the local API's
 * `fallback`: /console/* and /request/* get their HTML shell (path routing happens in the browser),
 * /assets/* the bundles, /console/config.json the client configuration, and /console/local/whoami tells
 * the console which staff member and roles a pasted local token stands for (on AWS the ID token says so).
 *
 * The site is built in memory with esbuild on the first request, so a local run never serves a stale
 * build. Every answer carries the security headers CloudFront's response headers policy sets on AWS.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { JURISDICTIONS, REQUEST_TYPES } from '#commons/config';
import { appContext } from '#domain/context';
import { buildSite, type Site } from '../../console/src/build.ts';
import type { ClientConfig } from '../../console/src/shared/config.ts';
import { securityHeaders } from '../console-headers.ts';
import type { StaffToken } from './http-api.ts';

// The same headers CloudFront sets on AWS: one list for both (infra/console-headers.ts).
export { securityHeaders };

/** The client configuration for the embedded runtime: local sign-in, the API on the same origin. */
export function localClientConfig(): ClientConfig {
  const config = appContext().config;
  return {
    apiBaseUrl: '',
    auth: { mode: 'local' },
    publicForm: {
      organisation: config.organisation.name,
      types: [...REQUEST_TYPES],
      askJurisdiction: config.jurisdictions.askSubject,
      jurisdictions: [...JURISDICTIONS],
      defaultJurisdiction: config.jurisdictions.default,
      agentPermissionMaxBytes: config.agents.permissionMaxBytes,
    },
  };
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function serveConsole(options: { staffTokens: StaffToken[] }) {
  let site: Promise<Site> | undefined;
  const headers = securityHeaders();

  const send = (res: ServerResponse, status: number, type: string, body: Buffer | string, cache = 'no-store') => {
    res.writeHead(status, { ...headers, 'content-type': type, 'cache-control': cache });
    res.end(body);
  };
  const sendJson = (res: ServerResponse, status: number, body: unknown) => send(res, status, 'application/json; charset=utf-8', JSON.stringify(body));

  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path.startsWith('/v1/')) return false;
    if (path === '/') {
      res.writeHead(302, { ...headers, location: '/request/' });
      res.end();
      return true;
    }
    if (path === '/console/config.json') {
      sendJson(res, 200, localClientConfig());
      return true;
    }
    if (path === '/console/local/whoami') {
      const presented = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1]?.trim() ?? '';
      const staff = options.staffTokens.find((t) => sameSecret(t.token, presented));
      if (!staff) sendJson(res, 401, { error: { code: 'unauthorized', message: 'that token is not a local staff token' } });
      else sendJson(res, 200, { id: staff.email, roles: staff.groups });
      return true;
    }
    const shell = path === '/console' || path.startsWith('/console/') ? '/console/index.html' : path === '/request' || path.startsWith('/request/') ? '/request/index.html' : undefined;
    if (!shell && !path.startsWith('/assets/')) return false;
    site ??= buildSite();
    let files: Site;
    try {
      files = await site;
    } catch (err) {
      site = undefined;
      send(res, 500, 'text/plain; charset=utf-8', `The console could not be built: ${(err as Error).message}`);
      return true;
    }
    const file = files.get(shell ?? path);
    if (!file) return false;
    send(res, 200, file.type, file.body);
    return true;
  };
}
