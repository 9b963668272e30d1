/**
 * Google Analytics 4 sandbox: the OAuth JWT-bearer token endpoint (`POST /token`, checking the RS256
 * signature against the sandbox service account's public key) and the Admin API's
 * `POST /v1alpha/properties/{id}:submitUserDeletion`. Errors use Google's
 * `{"error":{code,message,status}}`; over quota is 429 (or 403) RESOURCE_EXHAUSTED. Events are held
 * per identifier (user id, client id, app instance id), and a deletion removes only the one it names,
 * as Google documents; the response is `{deletionRequestTime}` and the deletion itself is Google's to
 * finish (within about two months), so nothing here can be read back per person.
 */
import { createPublicKey, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import type { DemoPerson } from '../demo/people.ts';
import { bearer, json, parseJson, type AuthVerdict, type SandboxRequest, type SandboxResponse, type VendorSandbox } from './server.ts';
import type { PartialForm, ThrottleFault } from './faults.ts';
import { readAssertion } from './jwt.ts';

const STATUS: Record<number, string> = { 400: 'INVALID_ARGUMENT', 401: 'UNAUTHENTICATED', 403: 'PERMISSION_DENIED', 404: 'NOT_FOUND', 429: 'RESOURCE_EXHAUSTED', 500: 'INTERNAL', 503: 'UNAVAILABLE' };

const googleError = (code: number, message: string, status = STATUS[code] ?? 'UNKNOWN', headers?: Record<string, string>) =>
  json(code, { error: { code, message, status } }, headers);

const ID_FIELDS = ['userId', 'clientId', 'appInstanceId', 'userProvidedData'] as const;

export interface UserDeletion {
  propertyId: string;
  kind: (typeof ID_FIELDS)[number];
  id: string;
  deletionRequestTime: string;
}

export class GoogleAnalyticsStore {
  /** GA user id -> number of events held under it (signed-in sessions). */
  readonly users = new Map<string, number>();
  /** GA client id -> number of events held under it (the browser's, signed in or not). */
  readonly clients = new Map<string, number>();
  /** Firebase app instance id -> number of events. */
  readonly appInstances = new Map<string, number>();
  readonly deletions: UserDeletion[] = [];

  /**
   * The person's GA data under any of these identifiers: `{ events, clientEvents }` while some exists.
   * GA deletes per identifier, so a person is gone only when every one of their identifiers is.
   */
  countFor(gaUserId: string, gaClientId?: string): Record<string, number> {
    const out: Record<string, number> = {};
    const events = this.users.get(gaUserId);
    if (events) out.events = events;
    const clientEvents = gaClientId ? this.clients.get(gaClientId) : undefined;
    if (clientEvents) out.clientEvents = clientEvents;
    return out;
  }
}

export interface GoogleAnalyticsSandboxOptions {
  propertyId?: string;
  clientEmail?: string;
}

export class GoogleAnalyticsSandbox implements VendorSandbox {
  readonly name = 'google-analytics' as const;
  readonly store = new GoogleAnalyticsStore();
  readonly propertyId: string;
  readonly clientEmail: string;
  readonly privateKeyPem: string;
  private readonly publicKey: KeyObject;
  private readonly tokens = new Set<string>();

  constructor(people: DemoPerson[], options: GoogleAnalyticsSandboxOptions = {}) {
    this.propertyId = options.propertyId ?? '350000001';
    this.clientEmail = options.clientEmail ?? 'dsar-sandbox@dsar-local.iam.gserviceaccount.com';
    // A fresh key per start: the private half goes out only as the sandbox's credentials.
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    this.publicKey = createPublicKey(publicKey.export({ type: 'spki', format: 'pem' }));
    for (const p of people) {
      this.store.users.set(p.gaUserId, 20 + (p.index % 50));
      this.store.clients.set(p.gaClientId, 5 + (p.index % 7));
    }
  }

  isPublic(req: SandboxRequest): boolean {
    return req.path === '/token';
  }

  authenticate(req: SandboxRequest): AuthVerdict {
    const token = bearer(req);
    if (!token) return 'missing';
    return this.tokens.has(token) ? 'ok' : 'expired';
  }

  unauthorized(): SandboxResponse {
    return googleError(401, 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.');
  }

  throttled(fault: Omit<ThrottleFault, 'count'>): SandboxResponse {
    const headers = fault.retryAfterMs !== undefined ? { 'retry-after': String(Math.ceil(fault.retryAfterMs / 1000)) } : undefined;
    return googleError(fault.form === '403' ? 403 : 429, 'Resource has been exhausted (e.g. check quota).', 'RESOURCE_EXHAUSTED', headers);
  }

  failure(status: number): SandboxResponse {
    return googleError(status, status >= 500 ? 'The service is currently unavailable.' : 'Injected failure');
  }

  expireTokens(): void {
    this.tokens.clear();
  }

  /**
   * GA answers one deletion per call, without pages: its only partial form is `no-results`, a 200 whose
   * body lacks `deletionRequestTime` (and nothing recorded), which is no acknowledgement at all.
   */
  partial(form: PartialForm, req: SandboxRequest, status?: number): SandboxResponse {
    if (form === 'no-results' && req.method === 'POST' && req.path.endsWith(':submitUserDeletion')) return json(status ?? 200, {});
    return this.handle(req);
  }

  handle(req: SandboxRequest): SandboxResponse {
    if (req.path === '/token' && req.method === 'POST') return this.token(req);
    const m = /^\/v1alpha\/properties\/([^/:]+):submitUserDeletion$/.exec(req.path);
    if (m && req.method === 'POST') return this.submitUserDeletion(m[1]!, req);
    return googleError(404, 'Method not found.');
  }

  private token(req: SandboxRequest): SandboxResponse {
    const form = new URLSearchParams(req.text);
    const invalid = (description: string) => json(400, { error: 'invalid_grant', error_description: description });
    if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') {
      return json(400, { error: 'unsupported_grant_type', error_description: 'Invalid grant_type' });
    }
    const read = readAssertion(form.get('assertion') ?? '', this.publicKey);
    if ('error' in read) return invalid(read.error);
    const payload = read.claims;
    const now = Date.now() / 1000;
    if (payload.iss !== this.clientEmail) return invalid('Invalid JWT: unknown issuer');
    if (payload.aud !== `${req.baseUrl}/token`) return invalid('Invalid JWT: audience is not this token endpoint');
    if (!payload.exp || payload.exp < now || !payload.iat || payload.iat > now + 300) return invalid('Invalid JWT: Token must be a short-lived token and in a reasonable timeframe.');
    if (!payload.scope?.split(' ').includes('https://www.googleapis.com/auth/analytics.edit')) return invalid('Invalid JWT: the analytics.edit scope is required');
    const token = `ya29.sandbox-${randomBytes(24).toString('base64url')}`;
    this.tokens.add(token);
    return json(200, { access_token: token, expires_in: 3599, token_type: 'Bearer' });
  }

  private submitUserDeletion(propertyId: string, req: SandboxRequest): SandboxResponse {
    if (propertyId !== this.propertyId) return googleError(404, `Property properties/${propertyId} not found.`);
    const body = parseJson(req) as Record<string, unknown> | undefined;
    const given = ID_FIELDS.filter((k) => body?.[k] !== undefined);
    if (given.length !== 1) return googleError(400, 'Exactly one of userId, clientId, appInstanceId or userProvidedData must be set.');
    const kind = given[0]!;
    const id = typeof body![kind] === 'string' ? (body![kind] as string) : JSON.stringify(body![kind]);
    if (!id) return googleError(400, `${kind} must not be empty.`);
    // Google deletes only the identifier named: a user id's deletion leaves the client id's events.
    if (kind === 'userId') this.store.users.delete(id);
    if (kind === 'clientId') this.store.clients.delete(id);
    if (kind === 'appInstanceId') this.store.appInstances.delete(id);
    const deletionRequestTime = new Date().toISOString();
    this.store.deletions.push({ propertyId, kind, id, deletionRequestTime });
    return json(200, { deletionRequestTime });
  }
}
