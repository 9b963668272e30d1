/**
 * A thin Salesforce REST client: OAuth 2.0 client credentials or JWT bearer, SOQL with `nextRecordsUrl` paging,
 * composite delete and sobject PATCH. Salesforce speaks its own error dialect: an array of
 * `{errorCode, message}`, 401 INVALID_SESSION_ID for an expired token, and 403 REQUEST_LIMIT_EXCEEDED
 * (not 429, and without Retry-After) when the org's API allowance is spent.
 */
import { checkTotal, listIn, nextCursor } from '#connectors/completeness';
import { ConnectorIncompleteAnswer, ConnectorMisconfigured } from '#connectors/errors';
import { VENDOR_CONCURRENCY } from '#connectors/concurrency';
import { VendorHttp, parseRetryAfter, type Failure, type HttpResult } from '#connectors/http';
import { jwtBearerForm, signJwt } from '#connectors/jwt';
import type { ConnectorContext } from '#connectors/types';

/**
 * How the client logs in. Client credentials need a connected app with a run-as user; the JWT bearer
 * flow signs an assertion for a pre-authorised user with the connected app's certificate key, and has
 * no secret to leak.
 */
export type SalesforceAuth =
  | { kind: 'client_credentials'; clientId: string; clientSecret: string }
  | {
      kind: 'jwt';
      clientId: string;
      username: string;
      privateKey: string;
      /** `aud`: https://login.salesforce.com, https://test.salesforce.com for sandboxes, or a site URL. */
      audience: string;
    };

/** JWT assertions live three minutes at most: Salesforce refuses longer ones. */
const ASSERTION_SECONDS = 180;

export interface SalesforceClientOptions {
  connectorId: string;
  baseUrl: string;
  /** Where the token is requested (default `baseUrl`, the org's My Domain). */
  tokenBaseUrl?: string;
  apiVersion: string;
  auth: SalesforceAuth;
  /** Wait suggested when REQUEST_LIMIT_EXCEEDED comes without Retry-After (Salesforce never sends one). */
  limitHintMs: number;
  /** `Sforce-Query-Options: batchSize=` (Salesforce allows 200-2000). */
  batchSize?: number;
  timeoutMs?: number;
}

/** One row as the REST API returns it, with its `attributes`. */
export type SObject = Record<string, unknown> & { Id: string; attributes?: { type: string; url: string } };

interface QueryPage {
  totalSize: number;
  done: boolean;
  nextRecordsUrl?: string;
  records: SObject[];
}

export interface CompositeResult {
  id: string | null;
  success: boolean;
  errors: Array<{ statusCode: string; message: string; fields?: string[] }>;
}

function errorCodeOf(body: unknown): string | undefined {
  const first = Array.isArray(body) ? (body[0] as unknown) : body;
  if (first && typeof first === 'object') {
    const code = (first as Record<string, unknown>).errorCode ?? (first as Record<string, unknown>).error;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

export class SalesforceClient {
  readonly http: VendorHttp;
  private token?: Promise<{ accessToken: string; instanceUrl: string }>;
  /** The access token `token` resolved to, to tell a rejection of it from one of an older token. */
  private current?: string;

  constructor(private readonly options: SalesforceClientOptions) {
    this.http = new VendorHttp({
      connectorId: options.connectorId,
      timeoutMs: options.timeoutMs,
      maxConcurrent: VENDOR_CONCURRENCY.salesforce,
      classify: (res) => this.classify(res),
      authorize: async (signal) => ({ authorization: `Bearer ${(await this.session(signal)).accessToken}` }),
      // Only a rejection of the current token drops it: requests running side by side all come back
      // with the expired one, and the first to refresh must not have its new token dropped by the rest.
      refresh: (rejected) => {
        if (this.current === undefined || rejected.authorization !== `Bearer ${this.current}`) return;
        this.token = undefined;
        this.current = undefined;
      },
    });
  }

  private classify(res: HttpResult): Failure | undefined {
    const code = errorCodeOf(res.body);
    if (res.status === 401 && code === 'INVALID_SESSION_ID') return { kind: 'refresh' };
    if (code === 'REQUEST_LIMIT_EXCEEDED') {
      return { kind: 'throttled', retryAfterMs: parseRetryAfter(res.headers.get('retry-after')) ?? this.options.limitHintMs };
    }
    // The token endpoint answers 400 with OAuth error codes for bad client credentials.
    if (code === 'invalid_client' || code === 'invalid_grant' || code === 'unauthorized_client') return { kind: 'auth' };
    if (code === 'UNABLE_TO_LOCK_ROW' || code === 'SERVER_UNAVAILABLE') return { kind: 'unavailable' };
    return undefined;
  }

  /** The cached access token and instance URL, minted on first use and after an INVALID_SESSION_ID. */
  private session(signal?: AbortSignal): Promise<{ accessToken: string; instanceUrl: string }> {
    this.token ??= this.mintToken(signal).then(
      (session) => {
        this.current = session.accessToken;
        return session;
      },
      (err: unknown) => {
        this.token = undefined;
        throw err;
      },
    );
    return this.token;
  }

  private tokenForm(): URLSearchParams {
    const { auth } = this.options;
    if (auth.kind === 'client_credentials') {
      return new URLSearchParams({ grant_type: 'client_credentials', client_id: auth.clientId, client_secret: auth.clientSecret });
    }
    const now = Math.floor(Date.now() / 1000);
    return jwtBearerForm(signJwt({ iss: auth.clientId, sub: auth.username, aud: auth.audience, exp: now + ASSERTION_SECONDS }, auth.privateKey));
  }

  private async mintToken(signal?: AbortSignal): Promise<{ accessToken: string; instanceUrl: string }> {
    const body = await this.http.json<{ access_token: string; instance_url?: string }>({
      method: 'POST',
      url: `${(this.options.tokenBaseUrl ?? this.options.baseUrl).replace(/\/$/, '')}/services/oauth2/token`,
      label: 'POST oauth2/token',
      anonymous: true,
      form: this.tokenForm(),
      signal,
    });
    return { accessToken: body.access_token, instanceUrl: (body.instance_url ?? this.options.baseUrl).replace(/\/$/, '') };
  }

  private async dataUrl(path: string, signal?: AbortSignal): Promise<string> {
    const { instanceUrl } = await this.session(signal);
    return `${instanceUrl}/services/data/${this.options.apiVersion}${path}`;
  }

  /**
   * Every row of a SOQL query, page by page. `all` uses `/queryAll`, which also returns archived
   * activities (Tasks and Events older than a year, which `/query` leaves out) and deleted rows.
   */
  async *query(soql: string, label: string, ctx: ConnectorContext, all = false): AsyncGenerator<SObject> {
    const headers: Record<string, string> = this.options.batchSize ? { 'sforce-query-options': `batchSize=${this.options.batchSize}` } : {};
    const what = `${all ? 'queryAll' : 'query'} ${label}`;
    let url = await this.dataUrl(`/${all ? 'queryAll' : 'query'}?q=${encodeURIComponent(soql)}`, ctx.signal);
    let previous: string | undefined;
    let seen = 0;
    for (;;) {
      const page = await this.http.json<QueryPage>({ url, label: what, headers, signal: ctx.signal });
      const records = listIn<SObject>(this.http.connectorId, what, page?.records, 'records');
      seen += records.length;
      yield* records;
      // `done: false` without a nextRecordsUrl is a listing cut short, not its end.
      const next = nextCursor(this.http.connectorId, what, { more: page.done !== true, cursor: page.nextRecordsUrl, size: records.length, previous });
      if (!next) return checkTotal(this.http.connectorId, what, seen, page.totalSize);
      previous = next;
      // nextRecordsUrl is a path on the same instance (`/services/data/vNN.N/query/01g...-2000`).
      url = `${(await this.session(ctx.signal)).instanceUrl}${next}`;
    }
  }

  /**
   * `DELETE /composite/sobjects` for up to 200 ids: one result per id, in the order of the ids (a result
   * for an id Salesforce does not know has `id: null`, so order is what ties them). An answer with a
   * different number of results leaves ids unaccounted for and fails.
   */
  async deleteMany(ids: readonly string[], ctx: ConnectorContext): Promise<CompositeResult[]> {
    const query = new URLSearchParams({ ids: ids.join(','), allOrNone: 'false' });
    const url = await this.dataUrl(`/composite/sobjects?${query.toString()}`, ctx.signal);
    const label = 'DELETE composite/sobjects';
    const results = listIn<CompositeResult>(this.http.connectorId, label, await this.http.json<unknown>({ method: 'DELETE', url, label, signal: ctx.signal }), 'result');
    if (results.length !== ids.length) {
      throw new ConnectorIncompleteAnswer(this.http.connectorId, `${label} answered ${results.length} results for ${ids.length} ids`);
    }
    return results.map((r) => ({ ...r, errors: Array.isArray(r?.errors) ? r.errors : [] }));
  }

  /**
   * What the org has of an object (`GET /sobjects/<Object>/describe`): its field names and the
   * relationship names of its lookups (`Opportunity` for `OpportunityId`, for `Opportunity.Name`).
   * Undefined when the org does not have the object: `Individual` exists only where Data Protection
   * and Privacy is enabled, and Salesforce answers 404 NOT_FOUND for it elsewhere.
   */
  async describe(object: string, ctx: ConnectorContext): Promise<{ fields: Set<string>; relationships: Set<string> } | undefined> {
    const url = await this.dataUrl(`/sobjects/${object}/describe`, ctx.signal);
    const res = await this.http.request({ url, label: `GET sobjects/${object}/describe`, accept: [404], signal: ctx.signal });
    if (res.status === 404) return undefined;
    const fields = listIn<{ name?: unknown; relationshipName?: unknown }>(this.http.connectorId, `describe ${object}`, (res.body as { fields?: unknown })?.fields, 'fields');
    const names = (key: 'name' | 'relationshipName') => new Set(fields.map((f) => f?.[key]).filter((v): v is string => typeof v === 'string'));
    return { fields: names('name'), relationships: names('relationshipName') };
  }

  /**
   * PATCH one record: `not_found` when it no longer exists, `converted_lead` when Salesforce refuses to
   * change a converted Lead (CANNOT_UPDATE_CONVERTED_LEAD: the user lacks "View and Edit Converted
   * Leads"). Any other refusal of the update is a configuration error.
   */
  async update(object: string, id: string, fields: Record<string, unknown>, ctx: ConnectorContext): Promise<'updated' | 'not_found' | 'converted_lead'> {
    const url = await this.dataUrl(`/sobjects/${object}/${encodeURIComponent(id)}`, ctx.signal);
    const label = `PATCH sobjects/${object}`;
    const res = await this.http.request({ method: 'PATCH', url, label, json: fields, accept: [400, 404], signal: ctx.signal });
    if (res.status === 404) return 'not_found';
    if (res.status === 400) {
      const code = errorCodeOf(res.body);
      if (code === 'CANNOT_UPDATE_CONVERTED_LEAD') return 'converted_lead';
      throw new ConnectorMisconfigured(this.http.connectorId, `${label} answered 400: ${code ?? 'request rejected'}`);
    }
    return 'updated';
  }
}
