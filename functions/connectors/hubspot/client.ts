/**
 * A thin HubSpot client: private-app token as Bearer, `after` cursors, and HubSpot's throttling body
 * (`429 {"errorType":"RATE_LIMIT","policyName":...}`). HubSpot does not reliably send Retry-After, so
 * the wait is taken from the policy that was hit: the ten-second window passes soon, the daily one not.
 */
import { accountFor, checkTotal, listIn, nextCursor } from '#connectors/completeness';
import { VENDOR_CONCURRENCY } from '#connectors/concurrency';
import { VendorHttp, chunks, parseRetryAfter, type Failure, type HttpResult } from '#connectors/http';
import type { ConnectorContext } from '#connectors/types';

export interface HubSpotClientOptions {
  connectorId: string;
  baseUrl: string;
  token: string;
  timeoutMs?: number;
  /** Override of the per-policy waits (tests make them short or long). */
  policyHintsMs?: Record<string, number>;
}

/**
 * Default wait per rate-limit policy; unknown policies get the secondly one. The ten-second window is
 * rolling, so a retry within it is refused again and counts against HubSpot's error budget: wait it out
 * whole, as the official client does (`@hubspot/api-client` waits 10 s per attempt on this policy).
 */
export const POLICY_HINTS_MS: Record<string, number> = {
  SECONDLY: 1_000,
  TEN_SECONDLY_ROLLING: 10_000,
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
      maxConcurrent: VENDOR_CONCURRENCY.hubspot,
      classify: (res) => classifyHubSpot(res, hints),
      authorize: async () => ({ authorization: `Bearer ${options.token}` }),
    });
  }

  url(path: string, query?: Record<string, string>): string {
    const q = query ? new URLSearchParams(query).toString() : '';
    return `${this.options.baseUrl.replace(/\/$/, '')}${path}${q ? `?${q}` : ''}`;
  }

  /** Pages of a GET list with `after`; a page that promises more without a cursor is an error. */
  async *pages<T>(path: string, query: Record<string, string>, label: string, ctx: ConnectorContext): AsyncGenerator<T> {
    let after: string | undefined;
    for (;;) {
      const page = await this.http.json<Paged<T>>({
        url: this.url(path, after ? { ...query, after } : query),
        label: `GET ${label}`,
        signal: ctx.signal,
      });
      const results = listIn<T>(this.http.connectorId, `GET ${label}`, page?.results);
      yield* results;
      after = nextCursor(this.http.connectorId, `GET ${label}`, { more: !!page.paging?.next, cursor: page.paging?.next?.after, size: results.length, previous: after });
      if (!after) return;
    }
  }

  /** Pages of a POST search with `after` in the body; at the end, as many results as its `total` said. */
  async *search(type: string, body: Record<string, unknown>, ctx: ConnectorContext): AsyncGenerator<HubSpotObject> {
    const label = `POST ${type}/search`;
    let after: string | undefined;
    let seen = 0;
    for (;;) {
      // HubSpot's spec requires `after` and `sorts` in every search: "0" is the first page.
      const page = await this.http.json<Paged<HubSpotObject> & { total?: number }>({
        method: 'POST',
        url: this.url(`/crm/v3/objects/${type}/search`),
        label,
        json: { sorts: [], ...body, after: after ?? '0' },
        signal: ctx.signal,
      });
      const results = listIn<HubSpotObject>(this.http.connectorId, label, page?.results);
      seen += results.length;
      yield* results;
      after = nextCursor(this.http.connectorId, label, { more: !!page.paging?.next, cursor: page.paging?.next?.after, size: results.length, previous: after });
      if (!after) return checkTotal(this.http.connectorId, label, seen, page.total);
    }
  }

  /**
   * Objects by id, 100 per batch (HubSpot's batch limit). Every id comes back, or HubSpot says in the
   * 207's `errors` that it does not exist (it was deleted since the association was read): those are
   * skipped. Any other gap fails the call.
   */
  async batchRead(type: string, ids: readonly string[], properties: readonly string[], ctx: ConnectorContext): Promise<HubSpotObject[]> {
    const label = `POST ${type}/batch/read`;
    const out: HubSpotObject[] = [];
    for (const part of chunks(ids, 100)) {
      const answer = await this.http.json<BatchAnswer<HubSpotObject>>({
        method: 'POST',
        url: this.url(`/crm/v3/objects/${type}/batch/read`),
        label,
        // The spec requires `propertiesWithHistory`; an empty list asks for no history.
        json: { inputs: part.map((id) => ({ id })), properties, propertiesWithHistory: [] },
        accept: [207],
        signal: ctx.signal,
      });
      const { results, notFound, failures } = readMultiStatus<HubSpotObject>(this.http.connectorId, label, answer);
      out.push(...accountFor(this.http.connectorId, label, { asked: part, returned: results, idOf: (o) => String(o.id), notFound, failures }).found);
    }
    return out;
  }

  /**
   * Archives records by id, 100 per call (HubSpot's batch limit). HubSpot answers 204 whether or not an
   * id still exists, so archiving twice is safe. Archived records stay restorable in HubSpot's recycle
   * bin for 90 days, then HubSpot deletes them for good.
   */
  async batchArchive(type: string, ids: readonly string[], ctx: ConnectorContext): Promise<void> {
    for (const part of chunks(ids, 100)) {
      await this.http.request({
        method: 'POST',
        url: this.url(`/crm/v3/objects/${type}/batch/archive`),
        label: `POST ${type}/batch/archive`,
        json: { inputs: part.map((id) => ({ id })) },
        signal: ctx.signal,
      });
    }
  }

  /**
   * v4 associations of records to `toType`, up to 1000 ids a call. A record with none is reported in the
   * 207's errors as not found, and comes back with an empty list here; every id is accounted for.
   */
  async batchAssociations(type: string, toType: string, ids: readonly string[], ctx: ConnectorContext): Promise<Map<string, AssociationTarget[]>> {
    const label = `POST associations ${type}->${toType}/batch/read`;
    const out = new Map<string, AssociationTarget[]>();
    for (const part of chunks(ids, 1000)) {
      const answer = await this.http.json<BatchAnswer<AssociationRow>>({
        method: 'POST',
        url: this.url(`/crm/v4/associations/${type}/${toType}/batch/read`),
        label,
        json: { inputs: part.map((id) => ({ id })) },
        accept: [207],
        signal: ctx.signal,
      });
      const { results, notFound, failures } = readMultiStatus<AssociationRow>(this.http.connectorId, label, answer);
      const rows = accountFor(this.http.connectorId, label, { asked: part, returned: results, idOf: (r) => String(r.from?.id), notFound, failures });
      for (const row of rows.found) out.set(String(row.from.id), listIn<AssociationTarget>(this.http.connectorId, label, row.to, 'to'));
      for (const id of rows.notFound) out.set(id, []);
    }
    return out;
  }
}

export interface AssociationTarget {
  toObjectId: number | string;
}

interface AssociationRow {
  from: { id: string };
  to: AssociationTarget[];
}

/** HubSpot's batch answer: `results`, and on a 207 `errors` naming the ids each error is about. */
interface BatchAnswer<T> {
  status?: string;
  results?: T[];
  numErrors?: number;
  errors?: Array<{ status?: string; category?: string; subCategory?: string; message?: string; context?: Record<string, unknown> }>;
}

/** Error categories that mean "this id has nothing": deleted object, or a record without associations. */
const NOT_FOUND = new Set(['OBJECT_NOT_FOUND']);

/**
 * A batch answer split into results, ids HubSpot says do not exist, and the categories of its other
 * errors. Results may be missing from a 207 only when its errors account for every id instead.
 */
export function readMultiStatus<T>(connectorId: string, label: string, answer: BatchAnswer<T> | undefined): { results: T[]; notFound: string[]; failures: string[] } {
  const results = answer?.results === undefined ? [] : listIn<T>(connectorId, label, answer.results);
  const notFound: string[] = [];
  const failures: string[] = [];
  for (const error of Array.isArray(answer?.errors) ? answer.errors : []) {
    const category = typeof error?.category === 'string' ? error.category : 'UNKNOWN';
    if (!NOT_FOUND.has(category)) {
      failures.push(category);
      continue;
    }
    const context = error.context ?? {};
    for (const key of ['ids', 'fromObjectId']) {
      const ids = context[key];
      if (Array.isArray(ids)) notFound.push(...ids.map(String));
    }
  }
  return { results, notFound, failures };
}
