/**
 * A thin HubSpot client: private-app token as Bearer, `after` cursors, and HubSpot's throttling body
 * (`429 {"errorType":"RATE_LIMIT","policyName":...}`). HubSpot does not reliably send Retry-After, so
 * the wait is taken from the policy that was hit: the ten-second window passes soon, the daily one not.
 */
import { VendorHttp, parseRetryAfter, type Failure, type HttpResult } from '#connectors/http';
import type { ConnectorContext } from '#connectors/types';

export interface HubSpotClientOptions {
  connectorId: string;
  baseUrl: string;
  token: string;
  timeoutMs?: number;
  /** Override of the per-policy waits (tests make them short or long). */
  policyHintsMs?: Record<string, number>;
}

/** Default wait per rate-limit policy; unknown policies get the secondly one. */
export const POLICY_HINTS_MS: Record<string, number> = {
  SECONDLY: 1_000,
  TEN_SECONDLY_ROLLING: 1_000,
  DAILY: 60 * 60_000,
};

export interface HubSpotObject {
  id: string;
  properties: Record<string, string | null>;
  createdAt?: string;
  updatedAt?: string;
  archived?: boolean;
}

export interface Paged<T> {
  results: T[];
  paging?: { next?: { after?: string; link?: string } };
}

export function classifyHubSpot(res: HttpResult, hints: Record<string, number>): Failure | undefined {
  if (res.status < 400) return undefined;
  const body = (res.body && typeof res.body === 'object' ? res.body : {}) as Record<string, unknown>;
  if (res.status === 429 || body.errorType === 'RATE_LIMIT') {
    const policy = typeof body.policyName === 'string' ? body.policyName : 'SECONDLY';
    const hint = parseRetryAfter(res.headers.get('retry-after')) ?? hints[policy] ?? hints.SECONDLY ?? 1_000;
    return { kind: 'throttled', retryAfterMs: hint };
  }
  return undefined;
}

export class HubSpotClient {
  readonly http: VendorHttp;

  constructor(private readonly options: HubSpotClientOptions) {
    const hints = { ...POLICY_HINTS_MS, ...options.policyHintsMs };
    this.http = new VendorHttp({
      connectorId: options.connectorId,
      timeoutMs: options.timeoutMs,
      classify: (res) => classifyHubSpot(res, hints),
      authorize: async () => ({ authorization: `Bearer ${options.token}` }),
    });
  }

  url(path: string, query?: Record<string, string>): string {
    const q = query ? new URLSearchParams(query).toString() : '';
    return `${this.options.baseUrl.replace(/\/$/, '')}${path}${q ? `?${q}` : ''}`;
  }

  /** Pages of a GET list with `after`. */
  async *pages<T>(path: string, query: Record<string, string>, label: string, ctx: ConnectorContext): AsyncGenerator<T> {
    let after: string | undefined;
    for (;;) {
      const page = await this.http.json<Paged<T>>({
        url: this.url(path, after ? { ...query, after } : query),
        label: `GET ${label}`,
        signal: ctx.signal,
      });
      yield* page.results;
      after = page.paging?.next?.after;
      if (!after) return;
    }
  }

  /** Pages of a POST search with `after` in the body. */
  async *search(type: string, body: Record<string, unknown>, ctx: ConnectorContext): AsyncGenerator<HubSpotObject> {
    let after: string | undefined;
    for (;;) {
      const page = await this.http.json<Paged<HubSpotObject>>({
        method: 'POST',
        url: this.url(`/crm/v3/objects/${type}/search`),
        label: `POST ${type}/search`,
        json: after ? { ...body, after } : body,
        signal: ctx.signal,
      });
      yield* page.results;
      after = page.paging?.next?.after;
      if (!after) return;
    }
  }

  /** Objects by id, 100 per batch (HubSpot's batch limit); ids that no longer exist are skipped. */
  async batchRead(type: string, ids: readonly string[], properties: readonly string[], ctx: ConnectorContext): Promise<HubSpotObject[]> {
    const out: HubSpotObject[] = [];
    for (let i = 0; i < ids.length; i += 100) {
      const page = await this.http.json<{ results: HubSpotObject[] }>({
        method: 'POST',
        url: this.url(`/crm/v3/objects/${type}/batch/read`),
        label: `POST ${type}/batch/read`,
        json: { inputs: ids.slice(i, i + 100).map((id) => ({ id })), properties },
        // 207 Multi-Status: some ids were missing; the found ones are still in `results`.
        accept: [207],
        signal: ctx.signal,
      });
      out.push(...(page.results ?? []));
    }
    return out;
  }
}
