/**
 * HubSpot sandbox: CRM v3 objects (search, batch read, batch archive, get, patch, archive), v4
 * associations with `after` paging, GDPR delete, and the communication-preferences status API. Errors
 * carry HubSpot's `{"status":"error","category",...}` body; throttling is 429 with `errorType:
 * RATE_LIMIT` and the policy that was hit. Email search is case-insensitive, as HubSpot stores addresses
 * lower-cased. Answers follow our HubSpot contract (test/contracts/hubspot/hubspot.contract.json, checked
 * by test/contracts/hubspot.test.ts): batch errors carry every field HubSpot's do, association ids are
 * strings, absent values are left out.
 *
 * GDPR delete behaves as HubSpot documents it: the contact and its subscription statuses go, and so do
 * the engagements only it was on; an engagement also on another contact, a company, a deal or a ticket
 * is only unlinked and stays on that record's timeline. An address HubSpot does not know is blocklisted
 * (204). The purge itself completes later at HubSpot (up to 30 days); the API no longer shows the contact.
 */
import { randomUUID } from 'node:crypto';
import type { DemoPerson } from '../demo/people.ts';
import { bearer, json, parseJson, type AuthVerdict, type SandboxRequest, type SandboxResponse, type VendorSandbox } from './server.ts';
import type { PartialForm, ThrottleFault } from './faults.ts';

const TYPES = ['contacts', 'companies', 'deals', 'tickets', 'notes', 'emails', 'calls', 'meetings', 'tasks'] as const;
type ObjectType = (typeof TYPES)[number];
const ENGAGEMENTS: ObjectType[] = ['notes', 'emails', 'calls', 'meetings', 'tasks'];
/** Records an engagement can sit on besides contacts: GDPR delete of the contact leaves it there. */
const TIMELINES: ObjectType[] = ['companies', 'deals', 'tickets'];
/** HubSpot-defined association type ids (contact -> type). */
const TYPE_IDS: Record<string, number> = { companies: 279, deals: 4, tickets: 15, notes: 202, emails: 198, calls: 194, meetings: 200, tasks: 204, contacts: 1 };

interface HsObject {
  id: string;
  properties: Record<string, string | null>;
  createdAt: string;
  updatedAt: string;
  archived: boolean;
}

const hsError = (status: number, category: string, message: string, extra: Record<string, unknown> = {}, headers?: Record<string, string>) =>
  json(status, { status: 'error', message, correlationId: randomUUID(), category, ...extra }, headers);

/** One item of a batch answer's `errors`: every field HubSpot always sends (the contract's `BatchError`). */
const batchError = (category: string, message: string, context: Record<string, string[]>) => ({ status: 'error', category, message, context, errors: [], links: {} });

/** An association target as the v4 API gives it (ids are strings in HubSpot's spec; no label: none sent). */
const target = (id: string, toType: string) => ({ toObjectId: id, associationTypes: [{ category: 'HUBSPOT_DEFINED', typeId: TYPE_IDS[toType] ?? 1 }] });

export class HubSpotStore {
  readonly objects = new Map<ObjectType, Map<string, HsObject>>(TYPES.map((t) => [t, new Map()]));
  /** `${type}:${id}` -> toType -> ids, kept symmetric. */
  readonly associations = new Map<string, Map<string, Set<string>>>();
  /** lower-cased email -> subscription statuses. */
  readonly preferences = new Map<string, Array<Record<string, unknown>>>();
  /** Addresses GDPR delete blocklisted (lower-cased): HubSpot refuses to add them back through the UI or imports. */
  readonly blocklist = new Set<string>();
  /** Records archived (DELETE, batch archive): HubSpot keeps them restorable for 90 days. */
  readonly recycleBin: Array<{ type: ObjectType; id: string }> = [];
  /** Contacts GDPR delete took, whose purge HubSpot completes within 30 days. */
  readonly purges: Array<{ contactId: string; requestedAt: string }> = [];
  private seq = 100_000;
  private clock = Date.UTC(2025, 0, 1);

  create(type: ObjectType, properties: Record<string, string | null>): HsObject {
    const now = new Date((this.clock += 60_000)).toISOString();
    const obj: HsObject = { id: String(++this.seq), properties: { ...properties, hs_object_id: null }, createdAt: now, updatedAt: now, archived: false };
    obj.properties.hs_object_id = obj.id;
    this.objects.get(type)!.set(obj.id, obj);
    return obj;
  }

  associate(fromType: string, fromId: string, toType: string, toId: string): void {
    const link = (a: string, id: string, b: string, other: string) => {
      const key = `${a}:${id}`;
      const byType = this.associations.get(key) ?? new Map<string, Set<string>>();
      const set = byType.get(b) ?? new Set<string>();
      set.add(other);
      byType.set(b, set);
      this.associations.set(key, byType);
    };
    link(fromType, fromId, toType, toId);
    link(toType, toId, fromType, fromId);
  }

  associated(type: string, id: string, toType: string): string[] {
    return [...(this.associations.get(`${type}:${id}`)?.get(toType) ?? [])];
  }

  remove(type: ObjectType, id: string): void {
    this.objects.get(type)!.delete(id);
    const links = this.associations.get(`${type}:${id}`);
    for (const [toType, ids] of links ?? []) for (const other of ids) this.associations.get(`${toType}:${other}`)?.get(type)?.delete(id);
    this.associations.delete(`${type}:${id}`);
  }

  contactByEmail(email: string): HsObject | undefined {
    const e = email.toLowerCase();
    for (const c of this.objects.get('contacts')!.values()) if ((c.properties.email ?? '').toLowerCase() === e) return c;
    return undefined;
  }

  /** Moves a record to the recycle bin: gone from the API, restorable at HubSpot for 90 days. */
  archive(type: ObjectType, id: string): void {
    if (!this.objects.get(type)!.has(id)) return;
    this.remove(type, id);
    this.recycleBin.push({ type, id });
  }

  /** Objects per type associated with the person's contact, the contact itself and preferences (for tests). */
  countFor(email: string): Record<string, number> {
    const counts: Record<string, number> = {};
    const c = this.contactByEmail(email);
    if (c) {
      counts.contacts = 1;
      for (const t of TYPES) {
        if (t === 'contacts') continue;
        const n = this.associated('contacts', c.id, t).filter((id) => this.objects.get(t)!.has(id)).length;
        if (n) counts[t] = n;
      }
    }
    if (this.preferences.get(email.toLowerCase())?.length) counts.subscription_preferences = 1;
    return counts;
  }
}

function subscriptions(subscribed: boolean): Array<Record<string, unknown>> {
  return [
    { id: '1001', name: 'Product newsletter', description: 'Monthly product news', status: subscribed ? 'SUBSCRIBED' : 'NOT_SUBSCRIBED', sourceOfStatus: 'SUBSCRIPTION_STATUS', legalBasis: 'CONSENT_WITH_NOTICE', legalBasisExplanation: 'Signed up on the website' },
    { id: '1002', name: 'Webinar invitations', description: 'Invitations to live sessions', status: 'SUBSCRIBED', sourceOfStatus: 'SUBSCRIPTION_STATUS', legalBasis: 'LEGITIMATE_INTEREST_CLIENT', legalBasisExplanation: 'Existing customer' },
  ];
}

/**
 * Alice: contact, 120 notes, 2 emails, a call, a meeting, 2 tasks (one also on her company's timeline),
 * a deal, a ticket, her company (which one crowd contact shares) and subscription preferences. Bob: contact, 3 notes, a deal, preferences.
 * The crowd: a contact with 2 notes in companies of ten; every 1000th crowd person 150 notes.
 */
/** Contact properties the sandbox's portal defines (HubSpot's default contact properties it uses). */
const CONTACT_PROPERTIES = new Set(['email', 'firstname', 'lastname', 'phone', 'company', 'jobtitle', 'address', 'city', 'zip', 'state', 'country', 'lifecyclestage', 'hs_language', 'hs_additional_emails']);

export function seedHubSpot(store: HubSpotStore, people: DemoPerson[]): void {
  let company: HsObject | undefined;
  let aliceCompany: HsObject | undefined;
  let sharedMeeting: HsObject | undefined;
  for (const p of people) {
    const [first, ...rest] = p.name.split(' ');
    const isAlice = p.email === 'alice@example.com';
    const isBob = p.email === 'bob@example.com';
    const contact = store.create('contacts', {
      email: p.email, firstname: first ?? null, lastname: rest.join(' '), phone: p.phone, company: null, jobtitle: 'Customer',
      address: `Storgata ${p.index + 1}`, zip: '0155', state: null, city: 'Oslo', country: p.country, lifecyclestage: 'customer', hs_language: p.language,
    });
    const note = (n: number) => {
      for (let i = 0; i < n; i++) {
        const obj = store.create('notes', { hs_note_body: `Call notes ${i + 1}: asked about recording retention.`, hs_timestamp: new Date(Date.UTC(2025, 1, 1) + i * 3_600_000).toISOString() });
        store.associate('contacts', contact.id, 'notes', obj.id);
      }
    };
    if (isAlice) {
      aliceCompany = store.create('companies', { name: 'Andersen Consulting', domain: 'andersen.example.com', city: 'Oslo', country: p.country });
      store.associate('contacts', contact.id, 'companies', aliceCompany.id);
      note(120);
      const link = (type: ObjectType, properties: Record<string, string | null>) => store.associate('contacts', contact.id, type, store.create(type, properties).id);
      link('emails', { hs_email_subject: 'Your renewal', hs_email_text: 'Hi Alice, your plan renews next week.', hs_email_direction: 'EMAIL', hs_timestamp: '2025-03-01T10:00:00Z' });
      link('emails', { hs_email_subject: 'Re: Your renewal', hs_email_text: 'Thanks, please keep the plan.', hs_email_direction: 'INCOMING_EMAIL', hs_timestamp: '2025-03-02T10:00:00Z' });
      link('calls', { hs_call_title: 'Renewal call', hs_call_body: 'Agreed on the business plan.', hs_call_duration: '540000', hs_timestamp: '2025-03-03T10:00:00Z' });
      sharedMeeting = store.create('meetings', { hs_meeting_title: 'Quarterly review', hs_meeting_body: 'Usage review.', hs_meeting_start_time: '2025-04-01T09:00:00Z', hs_meeting_end_time: '2025-04-01T09:30:00Z' });
      store.associate('contacts', contact.id, 'meetings', sharedMeeting.id);
      // Logged on her company's timeline as well: GDPR delete of her contact leaves it there (HubSpot
      // keeps an activity that is on another record), so the connector must archive it itself.
      const invoiceTask = store.create('tasks', { hs_task_subject: 'Send invoice copy', hs_task_body: 'Requested by Alice.', hs_task_status: 'COMPLETED', hs_timestamp: '2025-03-04T10:00:00Z' });
      store.associate('contacts', contact.id, 'tasks', invoiceTask.id);
      store.associate('companies', aliceCompany.id, 'tasks', invoiceTask.id);
      link('tasks', { hs_task_subject: 'Check seat count', hs_task_body: null, hs_task_status: 'NOT_STARTED', hs_timestamp: '2025-05-04T10:00:00Z' });
      link('deals', { dealname: 'Andersen Consulting - Business', amount: '4800', dealstage: 'closedwon', closedate: '2025-01-20T00:00:00Z' });
      link('tickets', { subject: 'Recording missing', content: 'The recording of my call on 3 March is missing.', hs_pipeline_stage: '4', createdate: '2025-03-05T10:00:00Z' });
      store.preferences.set(p.email, subscriptions(true));
      continue;
    }
    if (isBob) {
      note(3);
      store.associate('contacts', contact.id, 'deals', store.create('deals', { dealname: 'Bob Berg - Starter', amount: '120', dealstage: 'closedwon', closedate: '2025-02-01T00:00:00Z' }).id);
      store.preferences.set(p.email, subscriptions(false));
      continue;
    }
    if (p.index === 8 && aliceCompany) {
      // A colleague of alice's: her company is shared, so erasing alice must not delete it; so is her
      // quarterly review meeting, which GDPR delete therefore keeps.
      store.associate('contacts', contact.id, 'companies', aliceCompany.id);
      if (sharedMeeting) store.associate('contacts', contact.id, 'meetings', sharedMeeting.id);
    } else {
      if (!company || p.index % 10 === 0) company = store.create('companies', { name: `Company ${p.index}`, domain: `c${p.index}.example.net`, city: 'Bergen', country: p.country });
      store.associate('contacts', contact.id, 'companies', company.id);
    }
    note(p.index % 1000 === 10 ? 150 : 2);
    if (p.index >= 100_000) store.preferences.set(p.email.toLowerCase(), subscriptions(true));
  }
}

export interface HubSpotSandboxOptions {
  token?: string;
}

export class HubSpotSandbox implements VendorSandbox {
  readonly name = 'hubspot' as const;
  readonly store = new HubSpotStore();
  readonly token: string;
  private expiredOnce = false;

  constructor(people: DemoPerson[], options: HubSpotSandboxOptions = {}) {
    this.token = options.token ?? 'pat-eu1-00000000-sandbox-dsar-local';
    seedHubSpot(this.store, people);
  }

  isPublic(): boolean {
    return false;
  }

  authenticate(req: SandboxRequest): AuthVerdict {
    const token = bearer(req);
    if (!token) return 'missing';
    if (token !== this.token) return 'invalid';
    if (this.expiredOnce) {
      this.expiredOnce = false;
      return 'expired';
    }
    return 'ok';
  }

  unauthorized(verdict: Exclude<AuthVerdict, 'ok'>): SandboxResponse {
    if (verdict === 'expired') return hsError(401, 'EXPIRED_AUTHENTICATION', 'The OAuth token used to make this call expired.');
    return hsError(401, 'INVALID_AUTHENTICATION', 'Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview');
  }

  throttled(fault: Omit<ThrottleFault, 'count'>): SandboxResponse {
    const policyName = fault.form ?? 'TEN_SECONDLY_ROLLING';
    const headers: Record<string, string> = { 'x-hubspot-ratelimit-max': '190', 'x-hubspot-ratelimit-remaining': '0', 'x-hubspot-ratelimit-interval-milliseconds': '10000' };
    if (fault.retryAfterMs !== undefined) headers['retry-after'] = String(Math.ceil(fault.retryAfterMs / 1000));
    return json(429, { status: 'error', message: `You have reached your ${policyName.toLowerCase()} limit.`, errorType: 'RATE_LIMIT', correlationId: randomUUID(), policyName, groupName: 'sandbox' }, headers);
  }

  failure(status: number): SandboxResponse {
    if (status >= 500) return hsError(status, 'INTERNAL_ERROR', 'internal error');
    return hsError(status, 'VALIDATION_ERROR', 'Injected failure');
  }

  expireTokens(): void {
    this.expiredOnce = true;
  }

  /**
   * Partial forms of a batch read or a list/search page: `errors` turns the second half of the results
   * into one 207 error the way HubSpot reports a batch item it could not read (`status`, `category`,
   * `message`, `context.ids`); `no-results` is a 207 whose body has no `results`; `early-end` drops the
   * last result and the `paging` of a search while keeping `total`, and on other lists announces a next
   * page without its `after`.
   */
  partial(form: PartialForm, req: SandboxRequest, status?: number): SandboxResponse {
    const res = this.handle(req);
    const body = res.body as { results?: Array<{ id?: string; from?: { id: string } }>; paging?: unknown; errors?: unknown[]; numErrors?: number } | undefined;
    if (res.status >= 300 || !body || !Array.isArray(body.results)) return res;
    const { results, paging: _paging, ...rest } = body;
    if (form === 'no-results') return json(status ?? 207, { ...rest, numErrors: 0, errors: [] });
    if (form === 'early-end') {
      // A search has a total to betray the missing result; an association page has none, so there the
      // early end is a next page announced without its cursor.
      if ('total' in rest) return json(status ?? res.status, { ...rest, results: results.slice(0, -1) });
      return json(status ?? res.status, { ...rest, results, paging: { next: { link: `${req.baseUrl}${req.path}` } } });
    }
    const cut = Math.floor(results.length / 2);
    const failed = results.slice(cut).map((r) => String(r.id ?? r.from?.id));
    if (!failed.length) return res;
    const error = batchError('INTERNAL_ERROR', 'Could not read some objects; try again.', { ids: failed });
    return json(status ?? 207, { ...rest, results: results.slice(0, cut), numErrors: (body.numErrors ?? 0) + 1, errors: [...(body.errors ?? []), error] });
  }

  handle(req: SandboxRequest): SandboxResponse {
    const p = req.path;
    let m: RegExpExecArray | null;
    if (req.method === 'POST' && p === '/crm/v3/objects/contacts/gdpr-delete') return this.gdprDelete(req);
    if (req.method === 'POST' && (m = /^\/crm\/v3\/objects\/(\w+)\/search$/.exec(p))) return this.search(req, m[1]!);
    if (req.method === 'POST' && (m = /^\/crm\/v3\/objects\/(\w+)\/batch\/read$/.exec(p))) return this.batchRead(req, m[1]!);
    if (req.method === 'POST' && (m = /^\/crm\/v3\/objects\/(\w+)\/batch\/archive$/.exec(p))) return this.batchArchive(req, m[1]!);
    if (req.method === 'GET' && (m = /^\/crm\/v4\/objects\/(\w+)\/([^/]+)\/associations\/(\w+)$/.exec(p))) return this.associations(req, m[1]!, m[2]!, m[3]!);
    if (req.method === 'POST' && (m = /^\/crm\/v4\/associations\/(\w+)\/(\w+)\/batch\/read$/.exec(p))) return this.batchAssociations(req, m[1]!, m[2]!);
    if ((m = /^\/crm\/v3\/objects\/(\w+)\/([^/]+)$/.exec(p))) return this.object(req, m[1]!, m[2]!);
    if (req.method === 'GET' && (m = /^\/communication-preferences\/v3\/status\/email\/(.+)$/.exec(p))) {
      const email = m[1]!;
      return json(200, { recipient: email, subscriptionStatuses: this.store.preferences.get(email.toLowerCase()) ?? [] });
    }
    if (req.method === 'POST' && p === '/communication-preferences/v3/unsubscribe') return this.unsubscribe(req);
    return hsError(404, 'OBJECT_NOT_FOUND', 'resource not found');
  }

  private type(name: string): ObjectType | undefined {
    return (TYPES as readonly string[]).includes(name) ? (name as ObjectType) : undefined;
  }

  private view(obj: HsObject, properties?: unknown): Record<string, unknown> {
    const wanted = Array.isArray(properties) && properties.length ? (properties as string[]) : Object.keys(obj.properties);
    // HubSpot's spec types every property value as a string: a property without a value is left out.
    const props: Record<string, string> = {};
    for (const k of wanted) {
      const v = obj.properties[k];
      if (v !== null && v !== undefined) props[k] = v;
    }
    return { id: obj.id, properties: props, createdAt: obj.createdAt, updatedAt: obj.updatedAt, archived: obj.archived };
  }

  /**
   * Contacts search with up to 6 filter groups, ORed, each of filters ANDed: `email EQ` and
   * `hs_additional_emails CONTAINS_TOKEN` (a token of the semicolon-separated list) are supported.
   */
  private search(req: SandboxRequest, typeName: string): SandboxResponse {
    const type = this.type(typeName);
    if (type !== 'contacts') return hsError(400, 'VALIDATION_ERROR', 'This sandbox searches contacts only');
    type Filter = { propertyName?: string; operator?: string; value?: string };
    const body = parseJson(req) as { filterGroups?: Array<{ filters?: Filter[] }>; properties?: string[]; limit?: number; after?: string } | undefined;
    const groups = body?.filterGroups ?? [];
    if (!groups.length || groups.length > 6) return hsError(400, 'VALIDATION_ERROR', 'filterGroups: between 1 and 6 groups');
    const supported = (f: Filter) =>
      typeof f.value === 'string' && ((f.propertyName === 'email' && f.operator === 'EQ') || (f.propertyName === 'hs_additional_emails' && f.operator === 'CONTAINS_TOKEN'));
    if (groups.some((g) => !g.filters?.length || !g.filters.every(supported))) {
      return hsError(400, 'VALIDATION_ERROR', 'This sandbox supports the filters email EQ value and hs_additional_emails CONTAINS_TOKEN value');
    }
    const limit = body?.limit ?? 10;
    if (!Number.isInteger(limit) || limit < 1 || limit > 200) return hsError(400, 'VALIDATION_ERROR', 'limit must be between 1 and 200');
    const matches = (c: HsObject, f: Filter) => {
      const value = f.value!.toLowerCase();
      if (f.propertyName === 'email') return (c.properties.email ?? '').toLowerCase() === value;
      return (c.properties.hs_additional_emails ?? '').toLowerCase().split(';').map((e) => e.trim()).includes(value);
    };
    const all = [...this.store.objects.get('contacts')!.values()].filter((c) => groups.some((g) => g.filters!.every((f) => matches(c, f))));
    const offset = Number(body?.after ?? 0);
    const results = all.slice(offset, offset + limit).map((c) => this.view(c, body?.properties ?? ['email', 'firstname', 'lastname']));
    const more = offset + limit < all.length;
    return json(200, { total: all.length, results, ...(more ? { paging: { next: { after: String(offset + limit) } } } : {}) });
  }

  /** Archive by id, 100 at most; 204 whether or not each id still exists, as HubSpot answers. */
  private batchArchive(req: SandboxRequest, typeName: string): SandboxResponse {
    const type = this.type(typeName);
    if (!type) return hsError(400, 'VALIDATION_ERROR', `Unknown object type ${typeName}`);
    const inputs = (parseJson(req) as { inputs?: Array<{ id?: string }> } | undefined)?.inputs;
    if (!Array.isArray(inputs) || inputs.some((i) => typeof i?.id !== 'string')) return hsError(400, 'VALIDATION_ERROR', 'inputs: a list of {id}');
    if (inputs.length > 100) return hsError(400, 'VALIDATION_ERROR', 'Batch input cannot exceed 100 items');
    for (const { id } of inputs) this.store.archive(type, id!);
    return json(204);
  }

  private batchRead(req: SandboxRequest, typeName: string): SandboxResponse {
    const type = this.type(typeName);
    if (!type) return hsError(400, 'VALIDATION_ERROR', `Unknown object type ${typeName}`);
    const body = parseJson(req) as { inputs?: Array<{ id?: string }>; properties?: string[] } | undefined;
    const inputs = body?.inputs ?? [];
    if (inputs.length > 100) return hsError(400, 'VALIDATION_ERROR', 'Batch input cannot exceed 100 items');
    const found: HsObject[] = [];
    const missingIds: string[] = [];
    for (const { id } of inputs) {
      const obj = this.store.objects.get(type)!.get(String(id));
      if (obj) found.push(obj);
      else missingIds.push(String(id));
    }
    const now = new Date().toISOString();
    const result = { status: 'COMPLETE', results: found.map((o) => this.view(o, body?.properties)), startedAt: now, completedAt: now };
    if (!missingIds.length) return json(200, result);
    return json(207, { ...result, numErrors: 1, errors: [batchError('OBJECT_NOT_FOUND', 'Could not get some objects, they may be deleted or not exist.', { ids: missingIds })] });
  }

  /** v4 batch read of associations: `{inputs:[{id}]}` -> one result per id that has any, 207 when some have none. */
  private batchAssociations(req: SandboxRequest, fromName: string, toName: string): SandboxResponse {
    if (!this.type(fromName) || !this.type(toName)) return hsError(400, 'VALIDATION_ERROR', 'Unknown object type');
    const inputs = (parseJson(req) as { inputs?: Array<{ id?: string }> } | undefined)?.inputs ?? [];
    if (inputs.length > 1000) return hsError(400, 'VALIDATION_ERROR', 'Batch input cannot exceed 1000 items');
    const results: unknown[] = [];
    const missing: string[] = [];
    for (const { id } of inputs) {
      const to = this.store.associated(fromName, String(id), toName);
      if (!to.length) {
        missing.push(String(id));
        continue;
      }
      results.push({ from: { id: String(id) }, to: to.map((t) => target(t, toName)) });
    }
    const now = new Date().toISOString();
    const body = { status: 'COMPLETE', results, startedAt: now, completedAt: now };
    if (!missing.length) return json(200, body);
    return json(207, { ...body, numErrors: missing.length, errors: missing.map((id) => batchError('OBJECT_NOT_FOUND', `No ${toName} is associated with ${fromName} ${id}.`, { fromObjectId: [id] })) });
  }

  private associations(req: SandboxRequest, fromName: string, id: string, toName: string): SandboxResponse {
    if (!this.type(fromName) || !this.type(toName)) return hsError(400, 'VALIDATION_ERROR', 'Unknown object type');
    const limit = Number(req.query.get('limit') ?? 500);
    if (!Number.isInteger(limit) || limit < 1 || limit > 500) return hsError(400, 'VALIDATION_ERROR', 'limit must be between 1 and 500');
    const all = this.store.associated(fromName, id, toName);
    const offset = Number(req.query.get('after') ?? 0);
    const results = all.slice(offset, offset + limit).map((to) => target(to, toName));
    const more = offset + limit < all.length;
    return json(200, { results, ...(more ? { paging: { next: { after: String(offset + limit), link: `${req.baseUrl}${req.path}?after=${offset + limit}` } } } : {}) });
  }

  private object(req: SandboxRequest, typeName: string, id: string): SandboxResponse {
    const type = this.type(typeName);
    if (!type) return hsError(400, 'VALIDATION_ERROR', `Unknown object type ${typeName}`);
    const obj = this.store.objects.get(type)!.get(id);
    if (req.method === 'DELETE') {
      this.store.archive(type, id);
      return json(204);
    }
    if (!obj) return hsError(404, 'OBJECT_NOT_FOUND', 'resource not found');
    if (req.method === 'GET') return json(200, this.view(obj));
    if (req.method === 'PATCH') {
      const body = parseJson(req) as { properties?: Record<string, string | null> } | undefined;
      if (!body?.properties) return hsError(400, 'VALIDATION_ERROR', 'properties are required');
      // HubSpot refuses a property the object type does not define (PROPERTY_DOESNT_EXIST), changing nothing.
      const unknown = type === 'contacts' ? Object.keys(body.properties).find((k) => !CONTACT_PROPERTIES.has(k)) : undefined;
      if (unknown) return hsError(400, 'VALIDATION_ERROR', `Property values were not valid: Property "${unknown}" does not exist`);
      Object.assign(obj.properties, body.properties);
      obj.updatedAt = new Date().toISOString();
      return json(200, this.view(obj));
    }
    return hsError(405, 'VALIDATION_ERROR', 'method not allowed');
  }

  /**
   * Communication preferences v3 "unsubscribe a contact": `{emailAddress, subscriptionId}` answers the
   * new status. As HubSpot documents, an address already unsubscribed from that type is a 400, and an
   * unsubscribed address cannot be subscribed again through this API (v3's subscribe refuses it).
   */
  private unsubscribe(req: SandboxRequest): SandboxResponse {
    const body = parseJson(req) as { emailAddress?: string; subscriptionId?: string } | undefined;
    if (!body?.emailAddress || !body.subscriptionId) return hsError(400, 'VALIDATION_ERROR', 'emailAddress and subscriptionId are required');
    const statuses = this.store.preferences.get(body.emailAddress.toLowerCase());
    const status = statuses?.find((s) => String(s.id) === String(body.subscriptionId));
    if (!status) return hsError(404, 'OBJECT_NOT_FOUND', `no subscription ${body.subscriptionId} for this email address`);
    if (status.status === 'NOT_SUBSCRIBED') return hsError(400, 'VALIDATION_ERROR', `${body.emailAddress} is already unsubscribed from subscription ${body.subscriptionId}`);
    status.status = 'NOT_SUBSCRIBED';
    status.sourceOfStatus = 'SUBSCRIPTION_STATUS';
    return json(200, { ...status });
  }

  private gdprDelete(req: SandboxRequest): SandboxResponse {
    const body = parseJson(req) as { objectId?: string; idProperty?: string } | undefined;
    if (!body?.objectId) return hsError(400, 'VALIDATION_ERROR', 'objectId is required');
    const byEmail = body.idProperty === 'email';
    const contact = byEmail ? this.store.contactByEmail(body.objectId) : this.store.objects.get('contacts')!.get(body.objectId);
    if (!contact) {
      // HubSpot: "If email address is not found, the email address will be added to a blocklist".
      if (byEmail) {
        this.store.blocklist.add(body.objectId.toLowerCase());
        return json(204);
      }
      return hsError(404, 'OBJECT_NOT_FOUND', 'resource not found');
    }
    // Permanent: the contact, its subscription statuses, and the engagements only it was on. One that is
    // also on another contact, a company, a deal or a ticket only loses its link to this contact.
    for (const type of ENGAGEMENTS) {
      for (const id of this.store.associated('contacts', contact.id, type)) {
        const elsewhere = this.store.associated(type, id, 'contacts').length > 1 || TIMELINES.some((t) => this.store.associated(type, id, t).length > 0);
        if (!elsewhere) this.store.remove(type, id);
      }
    }
    for (const address of [contact.properties.email, ...(contact.properties.hs_additional_emails ?? '').split(';')]) {
      const e = (address ?? '').trim().toLowerCase();
      if (!e) continue;
      this.store.preferences.delete(e);
      this.store.blocklist.add(e);
    }
    this.store.remove('contacts', contact.id);
    this.store.purges.push({ contactId: contact.id, requestedAt: new Date().toISOString() });
    return json(204);
  }
}
