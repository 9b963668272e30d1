/**
 * Salesforce sandbox: OAuth client credentials, SOQL queries (the shapes in soql.ts) with
 * `nextRecordsUrl` batches, sobject GET/PATCH/DELETE, and composite delete with per-id results.
 * Errors use Salesforce's array body (`[{"message","errorCode"}]`); the API limit is a 403
 * REQUEST_LIMIT_EXCEEDED without Retry-After, like the real thing. Deleted ids go to a recycle bin, so a
 * second delete answers ENTITY_IS_DELETED. Equality on strings ignores case, as SOQL's does.
 */
import { createPublicKey, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import type { DemoPerson } from '../demo/people.ts';
import { prng } from '../demo/people.ts';
import { bearer, json, type AuthVerdict, type SandboxRequest, type SandboxResponse, type VendorSandbox } from './server.ts';
import type { PartialForm } from './faults.ts';
import { readAssertion } from './jwt.ts';
import { syncPicklists, toPicklistRow, withPicklistFields } from './salesforce-addresses.ts';
import { parseSoql, SoqlError } from './soql.ts';

type Row = Record<string, unknown> & { Id: string };

const PREFIX: Record<string, string> = {
  Account: '001', Contact: '003', Lead: '00Q', Case: '500', Task: '00T', Event: '00U', Opportunity: '006',
  OpportunityContactRole: '00K', Campaign: '701', CampaignMember: '00v', Individual: '0PK',
};
const OBJECT_BY_PREFIX = Object.fromEntries(Object.entries(PREFIX).map(([k, v]) => [v, k]));

/**
 * The fields each object has in an org with Data Protection and Privacy enabled; queries naming others
 * fail with INVALID_FIELD, as in a real org. Without that setting there is no `Individual` object and no
 * `IndividualId` on Contact and Lead (see `schemaFor`).
 */
const FULL_SCHEMA: Record<string, string[]> = {
  Account: ['Id', 'Name', 'Phone', 'Website', 'BillingCity', 'BillingCountry', 'CreatedDate'],
  Contact: ['Id', 'FirstName', 'LastName', 'Email', 'Phone', 'MobilePhone', 'Title', 'MailingStreet', 'MailingPostalCode', 'MailingCity', 'MailingState', 'MailingCountry', 'AccountId', 'IndividualId', 'HasOptedOutOfEmail', 'CreatedDate', 'LastModifiedDate'],
  Lead: ['Id', 'FirstName', 'LastName', 'Email', 'Phone', 'MobilePhone', 'Company', 'Status', 'Street', 'PostalCode', 'City', 'State', 'Country', 'IsConverted', 'ConvertedContactId', 'IndividualId', 'HasOptedOutOfEmail', 'CreatedDate'],
  Campaign: ['Id', 'Name', 'Status'],
  CampaignMember: ['Id', 'CampaignId', 'ContactId', 'LeadId', 'Email', 'Status', 'HasResponded', 'CreatedDate'],
  Case: ['Id', 'CaseNumber', 'Subject', 'Description', 'Status', 'Origin', 'ContactId', 'AccountId', 'CreatedDate', 'ClosedDate'],
  Task: ['Id', 'Subject', 'Description', 'Status', 'ActivityDate', 'WhoId', 'IsArchived', 'IsDeleted'],
  Event: ['Id', 'Subject', 'Description', 'StartDateTime', 'EndDateTime', 'WhoId', 'IsArchived', 'IsDeleted'],
  Opportunity: ['Id', 'Name', 'StageName', 'Amount', 'CloseDate', 'AccountId'],
  OpportunityContactRole: ['Id', 'OpportunityId', 'ContactId', 'Role', 'IsPrimary'],
  Individual: ['Id', 'FirstName', 'LastName', 'HasOptedOutTracking', 'HasOptedOutProcessing', 'HasOptedOutSolicit', 'ShouldForget'],
};

function schemaFor(dataProtection: boolean): Record<string, string[]> {
  if (dataProtection) return FULL_SCHEMA;
  const { Individual: _individual, ...rest } = FULL_SCHEMA;
  return Object.fromEntries(Object.entries(rest).map(([object, fields]) => [object, fields.filter((f) => f !== 'IndividualId')]));
}

/** Field types as describe reports them, from the names (enough for the connector, which reads names). */
function fieldType(name: string): string {
  if (name === 'Id') return 'id';
  if (name.endsWith('Id')) return 'reference';
  if (name === 'Email') return 'email';
  if (/^(Is|Has|Should)[A-Z]/.test(name)) return 'boolean';
  if (/DateTime$/.test(name) || name === 'CreatedDate' || name === 'LastModifiedDate' || name === 'ClosedDate') return 'datetime';
  if (/Date$/.test(name)) return 'date';
  if (name === 'Amount') return 'currency';
  return 'string';
}

export interface SalesforceSandboxOptions {
  apiVersion?: string;
  /**
   * Data Protection and Privacy (default on): without it the org has no `Individual` object and no
   * `IndividualId` field, and a query naming them fails with INVALID_TYPE / INVALID_FIELD.
   */
  dataProtection?: boolean;
  /**
   * A production org (default) takes JWT assertions for `https://login.salesforce.com`, a sandbox org
   * for `https://test.salesforce.com`. The sandbox's own URL stands for the org's My Domain and
   * instance: it is an accepted audience only with `myDomainAudience` (an org configured so).
   */
  orgKind?: 'production' | 'sandbox';
  myDomainAudience?: boolean;
  /**
   * State and Country/Territory Picklists (default off; on by default in new real orgs): Contact and Lead
   * get `CountryCode` and `StateCode`, and address writes are checked and synced as Salesforce does
   * (salesforce-addresses.ts).
   */
  countryPicklists?: boolean;
  /** The integration user has "View and Edit Converted Leads" (default: no, as in most profiles). */
  editConvertedLeads?: boolean;
  /** Rows per query batch (the real default is 2000); tests make it small to exercise paging. */
  batchSize?: number;
  clientId?: string;
  clientSecret?: string;
  /** The pre-authorised user of the JWT bearer flow. */
  username?: string;
}

const err = (status: number, errorCode: string, message: string, headers?: Record<string, string>) =>
  json(status, [{ message, errorCode }], headers);
/** A record operation's refusal (DML): Salesforce adds the fields concerned, often none. */
const dmlErr = (status: number, errorCode: string, message: string, fields: string[] = []) => json(status, [{ message, errorCode, fields }]);

export class SalesforceStore {
  readonly objects = new Map<string, Map<string, Row>>();
  /** Deleted rows, kept 15 days at Salesforce: `queryAll` still returns them, with IsDeleted true. */
  readonly recycleBin = new Map<string, { object: string; row: Row }>();
  private counters = new Map<string, number>();

  constructor(readonly schema: Record<string, string[]> = FULL_SCHEMA) {
    for (const name of Object.keys(schema)) this.objects.set(name, new Map());
  }

  newId(object: string): string {
    const n = (this.counters.get(object) ?? 0) + 1;
    this.counters.set(object, n);
    return `${PREFIX[object]}${String(n).padStart(12, '0')}AAA`;
  }

  insert(object: string, fields: Omit<Row, 'Id'>): Row {
    const row = { Id: this.newId(object), ...fields } as Row;
    this.objects.get(object)!.set(row.Id, row);
    return row;
  }

  find(id: string): { object: string; row: Row } | undefined {
    const object = OBJECT_BY_PREFIX[id.slice(0, 3)];
    const row = object ? this.objects.get(object)?.get(id) : undefined;
    return object && row ? { object, row } : undefined;
  }

  /**
   * Why Salesforce would refuse to delete this record, if it would: a Contact that still has Cases
   * cannot be deleted (DELETE_FAILED), the Cases must go first.
   */
  deleteBlocker(id: string): string | undefined {
    const hit = this.find(id);
    const link = hit?.object === 'Contact' ? 'ContactId' : hit?.object === 'Account' ? 'AccountId' : undefined;
    if (!hit || !link) return undefined;
    // An Account with Cases cannot be deleted either (Salesforce Help, "Delete Accounts").
    const cases = [...this.objects.get('Case')!.values()].filter((c) => c[link] === id);
    if (!cases.length) return undefined;
    const name = hit.object === 'Account' ? String(hit.row.Name ?? '') : `${String(hit.row.FirstName ?? '')} ${String(hit.row.LastName ?? '')}`;
    return `Your attempt to delete ${name} could not be completed because it is associated with the following cases.: ${cases.map((c) => String(c.CaseNumber)).join(', ')}`;
  }

  delete(id: string): 'deleted' | 'gone' | 'unknown' {
    const hit = this.find(id);
    if (!hit) return this.recycleBin.has(id) ? 'gone' : 'unknown';
    this.objects.get(hit.object)!.delete(id);
    this.recycleBin.set(id, { object: hit.object, row: { ...hit.row, IsDeleted: true } });
    // Deleting an account takes its contacts (and their cases) with it: the reason a connector must not
    // delete shared ones.
    if (hit.object === 'Account') {
      for (const c of [...this.objects.get('Contact')!.values()]) {
        if (c.AccountId !== id) continue;
        for (const k of [...this.objects.get('Case')!.values()]) if (k.ContactId === c.Id) this.delete(k.Id);
        this.delete(c.Id);
      }
    }
    return 'deleted';
  }

  /** Records per object that belong to the person with this email (for tests). */
  countFor(email: string): Record<string, number> {
    const e = email.toLowerCase();
    const counts: Record<string, number> = {};
    const add = (object: string, n: number) => {
      if (n) counts[object] = (counts[object] ?? 0) + n;
    };
    const byEmail = (object: string) => [...this.objects.get(object)!.values()].filter((r) => String(r.Email ?? '').toLowerCase() === e);
    const contacts = byEmail('Contact');
    const leads = byEmail('Lead');
    const who = new Set([...contacts, ...leads].map((r) => r.Id));
    add('Contact', contacts.length);
    add('Lead', leads.length);
    add('CampaignMember', byEmail('CampaignMember').length);
    const related = (object: string, field: string) => [...this.objects.get(object)!.values()].filter((r) => who.has(String(r[field]))).length;
    add('Case', related('Case', 'ContactId'));
    add('Task', related('Task', 'WhoId'));
    add('Event', related('Event', 'WhoId'));
    add('OpportunityContactRole', related('OpportunityContactRole', 'ContactId'));
    return counts;
  }
}

function iso(base: number, days: number): string {
  return new Date(base + days * 86_400_000).toISOString().replace('Z', '+0000');
}

/** Alice's archived Tasks (plus one archived Event), older than a year. */
export const ARCHIVED_TASKS = 3;

/** Deterministic seed: alice richly, each crowd person a little, every 1000th crowd person a lot. */
export function seedSalesforce(store: SalesforceStore, people: DemoPerson[]): void {
  const rand = prng(1001);
  const base = Date.UTC(2024, 0, 1);
  const withPrivacy = store.objects.has('Individual');
  const campaign = store.insert('Campaign', { Name: 'Spring webinar series', Status: 'Completed' });
  let sharedAccount: Row | undefined;
  for (const p of people) {
    const [first, ...rest] = p.name.split(' ');
    const isAlice = p.email === 'alice@example.com';
    const heavy = p.index % 1000 === 10;
    let account: Row;
    if (isAlice) {
      account = store.insert('Account', { Name: 'Andersen Consulting', Phone: p.phone, Website: 'https://andersen.example.com', BillingCity: 'Oslo', BillingCountry: p.country, CreatedDate: iso(base, 1) });
    } else {
      // Crowd people work in companies of four: accounts are shared, as in a real org.
      if (!sharedAccount || p.index % 4 === 0) {
        sharedAccount = store.insert('Account', { Name: `Company ${p.index}`, Phone: null, Website: null, BillingCity: 'Bergen', BillingCountry: p.country, CreatedDate: iso(base, 2) });
      }
      account = sharedAccount;
    }
    // Drawn in every org, so the rest of the seed is the same with and without Data Protection.
    const optedOut = rand() < 0.3;
    const individual = withPrivacy
      // Alice still receives marketing, so her opt-out has something to change.
      ? store.insert('Individual', { FirstName: first, LastName: rest.join(' '), HasOptedOutTracking: false, HasOptedOutProcessing: false, HasOptedOutSolicit: isAlice ? false : optedOut, ShouldForget: false })
      : undefined;
    const contact = store.insert('Contact', {
      FirstName: first, LastName: rest.join(' '), Email: p.email, Phone: p.phone, MobilePhone: p.phone, Title: 'Customer',
      ...(isAlice ? { MailingStreet: 'Storgata 1', MailingPostalCode: '0155' } : {}),
      MailingCity: 'Oslo', MailingCountry: p.country, AccountId: account.Id, ...(individual ? { IndividualId: individual.Id } : {}),
      HasOptedOutOfEmail: isAlice ? false : optedOut,
      CreatedDate: iso(base, 3), LastModifiedDate: iso(base, 30),
    });
    const cases = isAlice ? 2 : heavy ? 5 : 1;
    for (let i = 0; i < cases; i++) {
      store.insert('Case', { CaseNumber: String(1000 + store.objects.get('Case')!.size).padStart(8, '0'), Subject: `Cannot join meeting ${i + 1}`, Description: 'Audio drops after a few minutes.', Status: i ? 'Closed' : 'New', Origin: 'Web', ContactId: contact.Id, AccountId: account.Id, CreatedDate: iso(base, 40 + i), ClosedDate: null });
    }
    const tasks = isAlice ? 30 : heavy ? 40 : 1;
    for (let i = 0; i < tasks; i++) {
      store.insert('Task', { Subject: `Follow-up call ${i + 1}`, Description: 'Discussed renewal.', Status: 'Completed', ActivityDate: iso(base, 50 + i).slice(0, 10), WhoId: contact.Id });
    }
    if (isAlice) {
      // Activities older than a year are archived: only queryAll returns them.
      for (let i = 0; i < ARCHIVED_TASKS; i++) {
        store.insert('Task', { Subject: `Discovery call ${i + 1}`, Description: 'First contact.', Status: 'Completed', ActivityDate: iso(base - 400 * 86_400_000, i).slice(0, 10), WhoId: contact.Id, IsArchived: true });
      }
      store.insert('Event', { Subject: 'Trade fair meeting', Description: 'Met at the stand.', StartDateTime: iso(base - 420 * 86_400_000, 0), EndDateTime: iso(base - 420 * 86_400_000, 0), WhoId: contact.Id, IsArchived: true });
      // Alice came in as a lead first; the lead kept the address in the case she typed it.
      // Converted into her Contact: changing it needs "View and Edit Converted Leads".
      const lead = store.insert('Lead', { FirstName: first, LastName: rest.join(' '), Email: 'Alice@Example.com', Phone: p.phone, Company: 'Andersen Consulting', Status: 'Closed - Converted', Country: p.country, IsConverted: true, ConvertedContactId: contact.Id, ...(individual ? { IndividualId: individual.Id } : {}), HasOptedOutOfEmail: false, CreatedDate: iso(base, 0) });
      store.insert('CampaignMember', { CampaignId: campaign.Id, ContactId: contact.Id, LeadId: lead.Id, Email: p.email, Status: 'Responded', HasResponded: true, CreatedDate: iso(base, 5) });
      store.insert('Event', { Subject: 'Onboarding session', Description: 'Walkthrough of the admin console.', StartDateTime: iso(base, 60), EndDateTime: iso(base, 60), WhoId: contact.Id });
      const opp = store.insert('Opportunity', { Name: 'Andersen Consulting - Business plan', StageName: 'Closed Won', Amount: 4800, CloseDate: iso(base, 70).slice(0, 10), AccountId: account.Id });
      store.insert('OpportunityContactRole', { OpportunityId: opp.Id, ContactId: contact.Id, Role: 'Decision Maker', IsPrimary: true });
    }
  }
}

export class SalesforceSandbox implements VendorSandbox {
  readonly name = 'salesforce' as const;
  readonly store: SalesforceStore;
  readonly clientId: string;
  readonly clientSecret: string;
  /** The integration user the connected app is pre-authorised for (JWT bearer flow). */
  readonly username: string;
  /** The connected app's certificate key; the public half verifies the JWT assertions. */
  readonly privateKeyPem: string;
  private readonly publicKey: KeyObject;
  private readonly apiVersion: string;
  private readonly tokens = new Set<string>();
  private readonly cursors = new Map<string, { rows: Array<Record<string, unknown>>; batch: number }>();
  private cursorSeq = 0;
  private apiCalls = 0;

  constructor(people: DemoPerson[], private readonly options: SalesforceSandboxOptions = {}) {
    this.apiVersion = options.apiVersion ?? 'v62.0';
    this.clientId = options.clientId ?? '3MVG9sandbox.dsar.local';
    this.clientSecret = options.clientSecret ?? 'sandbox-salesforce-secret';
    this.username = options.username ?? 'dsar-integration@example-video.test.sandbox';
    // A fresh key per start, as for Google: the private half goes out only as the sandbox's credentials.
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    this.publicKey = createPublicKey(publicKey.export({ type: 'spki', format: 'pem' }));
    const schema = schemaFor(options.dataProtection ?? true);
    this.store = new SalesforceStore(options.countryPicklists ? withPicklistFields(schema) : schema);
    seedSalesforce(this.store, people);
    if (options.countryPicklists) {
      for (const object of ['Contact', 'Lead']) for (const row of this.store.objects.get(object)!.values()) toPicklistRow(object, row);
    }
  }

  isPublic(req: SandboxRequest): boolean {
    return req.path === '/services/oauth2/token';
  }

  authenticate(req: SandboxRequest): AuthVerdict {
    const token = bearer(req);
    if (!token) return 'missing';
    return this.tokens.has(token) ? 'ok' : 'expired';
  }

  unauthorized(): SandboxResponse {
    // Salesforce says the same for a missing, wrong or expired token.
    return err(401, 'INVALID_SESSION_ID', 'Session expired or invalid');
  }

  throttled(): SandboxResponse {
    return err(403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.');
  }

  failure(status: number): SandboxResponse {
    if (status === 503) return err(503, 'SERVER_UNAVAILABLE', 'Server unavailable, please try again later');
    if (status >= 500) return err(status, 'UNKNOWN_EXCEPTION', 'An unexpected error occurred. Please include this ErrorId if you contact support.');
    if (status === 404) return err(404, 'NOT_FOUND', 'The requested resource does not exist');
    // Salesforce's every 401 is an invalid session.
    if (status === 401) return err(401, 'INVALID_SESSION_ID', 'Session expired or invalid');
    return err(status, 'UNKNOWN_EXCEPTION', 'Injected failure');
  }

  expireTokens(): void {
    this.tokens.clear();
  }

  /**
   * Partial forms: `errors` on a composite delete deletes only the first half of the ids and answers
   * UNKNOWN_EXCEPTION for the rest, in order; `no-results` is a query page without `records` or a
   * composite answer with no entries (and nothing deleted); `early-end` is a query page with
   * `done: false` and no `nextRecordsUrl`.
   */
  partial(form: PartialForm, req: SandboxRequest, status?: number): SandboxResponse {
    const composite = req.method === 'DELETE' && req.path.endsWith('/composite/sobjects');
    if (composite && form !== 'early-end') {
      const ids = (req.query.get('ids') ?? '').split(',').filter(Boolean);
      if (form === 'no-results') return json(status ?? 200, []);
      const kept = ids.slice(0, Math.ceil(ids.length / 2));
      const query = new URLSearchParams(req.query);
      query.set('ids', kept.join(','));
      const res = kept.length ? this.handle({ ...req, query }) : json(200, []);
      if (res.status !== 200 || !Array.isArray(res.body)) return res;
      const failed = ids.slice(kept.length).map((id) => ({ id, success: false, errors: [{ statusCode: 'UNKNOWN_EXCEPTION', message: 'An unexpected error occurred.', fields: [] }] }));
      return { ...res, status: status ?? 200, body: [...(res.body as unknown[]), ...failed] };
    }
    const res = this.handle(req);
    const page = res.body as { records?: unknown[]; done?: boolean; nextRecordsUrl?: string } | undefined;
    if (res.status !== 200 || !page || !Array.isArray(page.records)) return res;
    if (form === 'no-results') {
      const { records: _records, ...rest } = page;
      return { ...res, status: status ?? 200, body: rest };
    }
    if (form === 'early-end') {
      const { nextRecordsUrl: _next, ...rest } = page;
      return { ...res, status: status ?? 200, body: { ...rest, done: false } };
    }
    return res;
  }

  handle(req: SandboxRequest): SandboxResponse {
    if (req.path === '/services/oauth2/token' && req.method === 'POST') return this.token(req);
    const prefix = `/services/data/${this.apiVersion}`;
    if (!req.path.startsWith(`${prefix}/`)) return err(404, 'NOT_FOUND', 'The requested resource does not exist');
    this.apiCalls++;
    const limitInfo = { 'sforce-limit-info': `api-usage=${this.apiCalls}/100000` };
    const rest = req.path.slice(prefix.length);
    const withLimit = (res: SandboxResponse) => ({ ...res, headers: { ...res.headers, ...limitInfo } });
    if (rest === '/query' && req.method === 'GET') return withLimit(this.query(req, false));
    if (rest === '/queryAll' && req.method === 'GET') return withLimit(this.query(req, true));
    const cursor = /^\/query\/([A-Za-z0-9]+)-(\d+)$/.exec(rest);
    if (cursor && req.method === 'GET') return withLimit(this.more(cursor[1]!, Number(cursor[2])));
    if (rest === '/composite/sobjects' && req.method === 'DELETE') return withLimit(this.compositeDelete(req));
    const describe = /^\/sobjects\/([A-Za-z]+)\/describe\/?$/.exec(rest);
    if (describe && req.method === 'GET') return withLimit(this.describe(describe[1]!, req.baseUrl));
    const sobject = /^\/sobjects\/([A-Za-z]+)\/([A-Za-z0-9]+)$/.exec(rest);
    if (sobject) return withLimit(this.sobject(req, sobject[1]!, sobject[2]!));
    return err(404, 'NOT_FOUND', 'The requested resource does not exist');
  }

  private token(req: SandboxRequest): SandboxResponse {
    const form = new URLSearchParams(req.text);
    const grant = form.get('grant_type');
    if (grant === 'urn:ietf:params:oauth:grant-type:jwt-bearer') {
      const refused = this.checkAssertion(form.get('assertion') ?? '', this.audiences(req.baseUrl));
      if (refused) return json(400, { error: 'invalid_grant', error_description: refused });
    } else if (grant === 'client_credentials') {
      if (form.get('client_id') !== this.clientId || form.get('client_secret') !== this.clientSecret) {
        return json(400, { error: 'invalid_client', error_description: 'invalid client credentials' });
      }
    } else {
      return json(400, { error: 'unsupported_grant_type', error_description: 'grant type not supported' });
    }
    const token = `00DSANDBOX!${randomBytes(24).toString('base64url')}`;
    this.tokens.add(token);
    return json(200, {
      access_token: token,
      scope: 'api',
      instance_url: req.baseUrl,
      id: `${req.baseUrl}/id/00DSANDBOX/005SANDBOX`,
      token_type: 'Bearer',
      issued_at: String(Date.now()),
      signature: randomBytes(32).toString('base64'),
    });
  }

  /**
   * Salesforce's checks of a JWT bearer assertion: signed with the connected app's certificate, issued
   * by its consumer key for the pre-authorised user, meant for this login server, and short-lived
   * (Salesforce allows an expiry at most a few minutes ahead). Undefined when it is accepted.
   */
  /**
   * The audiences this org accepts: the login server of its kind (`aud` names the login URL, not the
   * instance the token is for), and its My Domain login URL where the org is set up so.
   */
  private audiences(ownUrl: string): string[] {
    const login = this.options.orgKind === 'sandbox' ? 'https://test.salesforce.com' : 'https://login.salesforce.com';
    return this.options.myDomainAudience ? [login, ownUrl] : [login];
  }

  private checkAssertion(assertion: string, audiences: readonly string[]): string | undefined {
    const read = readAssertion(assertion, this.publicKey);
    if ('error' in read) return 'invalid assertion';
    const { iss, sub, aud, exp } = read.claims;
    const now = Date.now() / 1000;
    if (iss !== this.clientId) return 'invalid client credentials';
    if (sub !== this.username) return 'user hasn\'t approved this consumer';
    if (typeof aud !== 'string' || !audiences.includes(aud)) return 'audience is invalid';
    if (typeof exp !== 'number' || exp < now || exp > now + 300) return 'expired or too long-lived assertion';
    return undefined;
  }

  private attributes(object: string, id: string) {
    return { type: object, url: `/services/data/${this.apiVersion}/sobjects/${object}/${id}` };
  }

  /**
   * `/query` leaves out archived activities; `/queryAll` also returns them and the Recycle Bin's rows
   * (with IsDeleted true), as Salesforce does.
   */
  private query(req: SandboxRequest, all: boolean): SandboxResponse {
    const q = req.query.get('q');
    if (!q) return err(400, 'MALFORMED_QUERY', 'A query string is required');
    let parsed;
    try {
      parsed = parseSoql(q);
    } catch (e) {
      if (e instanceof SoqlError) return err(400, e.errorCode, e.message);
      throw e;
    }
    const SCHEMA = this.store.schema;
    const schema = SCHEMA[parsed.object];
    if (!schema) {
      return err(400, 'INVALID_TYPE', `sObject type '${parsed.object}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.`);
    }
    for (const f of [...parsed.fields, parsed.where.field, ...(parsed.and ? [parsed.and.field] : [])]) {
      const [head, tail] = f.split('.');
      const ok = tail === undefined ? schema.includes(head!) : schema.includes(`${head}Id`) && (SCHEMA[head!] ?? []).includes(tail);
      if (!ok) {
        return err(400, 'INVALID_FIELD', `No such column '${f}' on entity '${parsed.object}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`);
      }
    }
    const wanted = new Set(parsed.where.values.map((v) => v.toLowerCase()));
    const live = [...this.store.objects.get(parsed.object)!.values()];
    const deleted = [...this.store.recycleBin.values()].filter((d) => d.object === parsed.object).map((d) => d.row);
    const rowsIn = all ? [...live, ...deleted] : live.filter((row) => row.IsArchived !== true);
    let matches = rowsIn.filter((row) => {
      const value = row[parsed.where.field];
      if (parsed.and && (row[parsed.and.field] === true) !== parsed.and.value) return false;
      return typeof value === 'string' && wanted.has(value.toLowerCase());
    });
    if (parsed.limit !== undefined) matches = matches.slice(0, parsed.limit);
    const rows = matches.map((row) => {
      const out: Record<string, unknown> = { attributes: this.attributes(parsed.object, row.Id) };
      for (const f of parsed.fields) {
        const [head, tail] = f.split('.');
        if (tail === undefined) {
          // Salesforce's checkbox fields are never null.
          out[head!] = row[head!] ?? (head === 'IsArchived' || head === 'IsDeleted' ? false : null);
        } else {
          const related = this.store.find(String(row[`${head}Id`] ?? ''));
          out[head!] = related ? { attributes: this.attributes(head!, related.row.Id), [tail]: related.row[tail] ?? null } : null;
        }
      }
      return out;
    });
    const header = /batchSize=(\d+)/i.exec(String(req.headers['sforce-query-options'] ?? ''));
    const requested = header ? Math.min(2000, Math.max(200, Number(header[1]))) : 2000;
    const batch = Math.min(requested, this.options.batchSize ?? 2000);
    const id = `01g${String(++this.cursorSeq).padStart(12, '0')}`;
    if (rows.length > batch) this.cursors.set(id, { rows, batch });
    return this.page(id, rows, 0, batch);
  }

  private page(cursor: string, rows: Array<Record<string, unknown>>, offset: number, batch: number): SandboxResponse {
    const end = offset + batch;
    const done = end >= rows.length;
    if (done) this.cursors.delete(cursor);
    return json(200, {
      totalSize: rows.length,
      done,
      ...(done ? {} : { nextRecordsUrl: `/services/data/${this.apiVersion}/query/${cursor}-${end}` }),
      records: rows.slice(offset, end),
    });
  }

  private more(cursor: string, offset: number): SandboxResponse {
    const c = this.cursors.get(cursor);
    if (!c) return err(400, 'INVALID_QUERY_LOCATOR', 'invalid query locator');
    return this.page(cursor, c.rows, offset, c.batch);
  }

  /**
   * Per-id results as Salesforce gives them. With `allOrNone=true` one failing id rolls back every
   * other (each answered ALL_OR_NONE_OPERATION_ROLLED_BACK); with false (the default) the others are
   * deleted and only the failing ones report their errors.
   */
  private compositeDelete(req: SandboxRequest): SandboxResponse {
    const ids = (req.query.get('ids') ?? '').split(',').filter(Boolean);
    if (!ids.length) return err(400, 'MISSING_ARGUMENT', 'ids parameter is required');
    if (ids.length > 200) return err(400, 'EXCEEDED_ID_LIMIT', 'record limit reached. cannot submit more than 200 records into this call');
    const allOrNone = req.query.get('allOrNone') === 'true';
    const failure = (id: string | null, statusCode: string, message: string) => ({ id, success: false, errors: [{ statusCode, message, fields: [] }] });
    const refusal = (id: string) => {
      if (!this.store.find(id)) {
        return this.store.recycleBin.has(id) ? failure(id, 'ENTITY_IS_DELETED', 'entity is deleted') : failure(null, 'INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id');
      }
      const blocker = this.store.deleteBlocker(id);
      return blocker ? failure(id, 'DELETE_FAILED', blocker) : undefined;
    };
    const refused = ids.map(refusal);
    if (allOrNone && refused.some(Boolean)) {
      return json(200, ids.map((id, i) => refused[i] ?? failure(id, 'ALL_OR_NONE_OPERATION_ROLLED_BACK', 'Record rolled back because not all records were valid and the request was using AllOrNone header')));
    }
    return json(
      200,
      ids.map((id, i) => {
        if (refused[i]) return refused[i];
        this.store.delete(id);
        return { id, success: true, errors: [] };
      }),
    );
  }

  /**
   * `GET /sobjects/<Object>/describe`: the object's fields (name, type, lookups' relationshipName) and
   * flags, the parts of Salesforce's DescribeSObjectResult a client reads; 404 NOT_FOUND for an object
   * the org does not have (Individual without Data Protection and Privacy).
   */
  private describe(object: string, ownUrl: string): SandboxResponse {
    const schema = this.store.schema[object];
    if (!schema) return err(404, 'NOT_FOUND', 'The requested resource does not exist');
    const base = `/services/data/${this.apiVersion}/sobjects/${object}`;
    return json(200, {
      name: object,
      label: object,
      keyPrefix: PREFIX[object] ?? null,
      custom: false,
      customSetting: false,
      createable: true,
      deletable: true,
      queryable: true,
      updateable: true,
      fields: schema.map((name) => {
        const type = fieldType(name);
        const target = name.slice(0, -2);
        return {
          name,
          label: name,
          type,
          length: type === 'id' || type === 'reference' ? 18 : type === 'string' || type === 'email' ? 80 : 0,
          defaultValue: null,
          nillable: name !== 'Id',
          updateable: name !== 'Id' && !name.startsWith('Is') && name !== 'CreatedDate' && name !== 'LastModifiedDate',
          relationshipName: type === 'reference' ? target : null,
          referenceTo: type === 'reference' ? [target.replace(/^Converted/, '')] : [],
        };
      }),
      childRelationships: [],
      urls: { sobject: base, describe: `${base}/describe`, rowTemplate: `${base}/{ID}`, uiEditTemplate: `${ownUrl}/{ID}/e`, uiDetailTemplate: `${ownUrl}/{ID}` },
    });
  }

  private sobject(req: SandboxRequest, object: string, id: string): SandboxResponse {
    const schema = this.store.schema[object];
    if (!schema) return err(404, 'NOT_FOUND', `The requested resource does not exist`);
    const hit = this.store.find(id);
    if (!hit || hit.object !== object) {
      if (this.store.recycleBin.has(id)) return err(404, 'ENTITY_IS_DELETED', 'entity is deleted');
      return err(404, 'NOT_FOUND', 'The requested resource does not exist');
    }
    if (req.method === 'GET') return json(200, { attributes: this.attributes(object, id), ...hit.row });
    if (req.method === 'DELETE') {
      const blocker = this.store.deleteBlocker(id);
      if (blocker) return err(400, 'DELETE_FAILED', blocker);
      this.store.delete(id);
      return json(204);
    }
    if (req.method === 'PATCH') {
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(req.text) as Record<string, unknown>;
      } catch {
        return err(400, 'JSON_PARSER_ERROR', 'The request body is not valid JSON');
      }
      for (const [field, value] of Object.entries(body)) {
        if (!schema.includes(field) || field === 'Id') return err(400, 'INVALID_FIELD', `No such column '${field}' on sobject of type ${object}`);
        if (/email/i.test(field) && typeof value === 'string' && !/^[^@\s]+@[^@\s]+$/.test(value)) {
          return err(400, 'INVALID_EMAIL_ADDRESS', `${field}: invalid email address`);
        }
        // LastName is required on Contact and Lead: clearing it is refused as Salesforce refuses it.
        if (field === 'LastName' && (object === 'Contact' || object === 'Lead') && (value === null || String(value).trim() === '')) {
          return dmlErr(400, 'REQUIRED_FIELD_MISSING', 'Required fields are missing: [LastName]', ['LastName']);
        }
      }
      if (object === 'Lead' && hit.row.IsConverted === true && !this.options.editConvertedLeads) {
        return dmlErr(400, 'CANNOT_UPDATE_CONVERTED_LEAD', 'cannot reference converted lead');
      }
      if (this.options.countryPicklists) {
        const refused = syncPicklists(object, hit.row, body);
        if (refused) return dmlErr(400, refused.errorCode, refused.message, refused.fields);
      }
      Object.assign(hit.row, body);
      return json(204);
    }
    return err(405, 'METHOD_NOT_ALLOWED', `HTTP Method '${req.method}' not allowed. Allowed are GET,PATCH,DELETE`);
  }
}
