/**
 * Keeps web pages out of the local servers. Everything the embedded runtime runs listens on 127.0.0.1,
 * but a browser on the same machine can still reach loopback: a page on another origin can send requests
 * to it (and read the answers where a server grants CORS), and a DNS-rebinding name (evil.example
 * resolving to 127.0.0.1) makes such a page same-origin with the server. So every request is checked
 * before any server code sees it:
 *
 * - `Host` must name the port the request arrived on, as `127.0.0.1:<port>` or `localhost:<port>`:
 *   a rebinding page's requests carry its own host name.
 * - `Origin`, which browsers send on every cross-origin fetch and every non-GET request, must be absent
 *   (machine-to-machine endpoints: DynamoDB, S3, Step Functions, the SaaS sandboxes) or the server's own
 *   (the mail viewer, which posts to itself).
 * - Cross-site subresource loads (`Sec-Fetch-Site` other than `same-origin`/`none`, not a navigation) are
 *   refused too: `<img>` and `<script>` send no `Origin`. Navigations stay allowed, so a presigned
 *   download link clicked in a mail still opens.
 *
 * No answer from here carries `Access-Control-Allow-*`: nothing is shared with other origins.
 */
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';

export interface GuardPolicy {
  /**
   * 'none': refuse any request that carries an `Origin` (machine-to-machine endpoints).
   * 'self': accept only the server's own origin (a page it serves that calls it back).
   * 'any': check `Host` only (the product's API, whose browser policy is the product's own).
   */
  origins: 'none' | 'self' | 'any';
}

/** What a refusal looks like on the wire; each server answers in its own format. */
export type Refuse = (res: ServerResponse, reason: string, req: IncomingMessage) => void;

const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'];

function ownOrigins(port: number): string[] {
  return LOOPBACK_NAMES.map((name) => `http://${name}:${port}`);
}

/** Why a request must be refused, or undefined when it may pass. */
export function browserRefusal(req: IncomingMessage, policy: GuardPolicy): string | undefined {
  const port = req.socket.localPort;
  const host = req.headers.host?.toLowerCase();
  if (!host || !LOOPBACK_NAMES.some((name) => host === `${name}:${port}`)) {
    return `Host must be 127.0.0.1:${port} or localhost:${port}`;
  }
  const origin = req.headers.origin;
  if (origin !== undefined && policy.origins !== 'any') {
    if (policy.origins === 'none') return 'cross-origin requests are not accepted';
    if (!ownOrigins(port!).includes(origin.toLowerCase())) return 'cross-origin requests are not accepted';
  }
  const site = req.headers['sec-fetch-site'];
  const navigation = req.headers['sec-fetch-mode'] === 'navigate' && (req.method === 'GET' || req.method === 'HEAD');
  if (policy.origins !== 'any' && site !== undefined && site !== 'same-origin' && site !== 'none' && !navigation) {
    return 'cross-site requests are not accepted';
  }
  return undefined;
}

export const refuseAsJson: Refuse = (res, reason) => {
  res.writeHead(403, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify({ error: 'forbidden', message: reason }));
};

/** Wraps a request listener so refused requests never reach it. */
export function guardRequests(listener: RequestListener, policy: GuardPolicy, refuse: Refuse = refuseAsJson): RequestListener {
  return (req, res) => {
    const reason = browserRefusal(req, policy);
    if (reason) {
      // The body of a refused request is not read; drop it rather than keep the socket.
      req.resume();
      return refuse(res, reason, req);
    }
    return listener(req, res);
  };
}

/** Puts the guard in front of a server built elsewhere (a library's, or another module's). */
export function guardServer(server: Server, policy: GuardPolicy, refuse: Refuse = refuseAsJson): void {
  const listeners = server.listeners('request') as RequestListener[];
  server.removeAllListeners('request');
  server.on(
    'request',
    guardRequests(
      (req, res) => {
        for (const listener of listeners) listener.call(server, req, res);
      },
      policy,
      refuse,
    ),
  );
}
