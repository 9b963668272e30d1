/**
 * Salesforce connector. The subject is found by email in Contact, Lead and CampaignMember; everything
 * else hangs off those ids: Cases and OpportunityContactRoles by ContactId, Tasks and Events by WhoId,
 * the Contact's Account and Individual (privacy preferences) by id.
 *
 * Erasure works children first (activities, cases, roles, campaign memberships, then the people), so no
 * record is left pointing at a deleted parent, and it never deletes an Account another contact still
 * uses: deleting an Account in Salesforce cascades to its contacts, opportunities and cases.
 */
import { createHash } from 'node:crypto';
import type { ErasurePolicy, SaasConnectorConfig } from '#commons/config';
import { collect, mapInOrder, VENDOR_CONCURRENCY } from '#connectors/concurrency';
import { ConnectorIncompleteAnswer, ConnectorMisconfigured } from '#connectors/errors';
import { chunks } from '#connectors/http';
import { groupByObject, retained, type Retention } from '#connectors/records';
import type {
  MarketingCapability,
  MarketingStatus,
  SuppressionItem,
  RestrictCapability,
  RestrictionItem,
  RestrictionStatus,
  Connector,
  ConnectorContext,
  ConnectorDeps,
  DataRecord,
  ErasureItem,
  ErasureOutcome,
  PolicyFor,
  Subject,
} from '#connectors/types';
import { SalesforceClient, type SalesforceAuth, type SObject } from './client.ts';
import { createSalesforceRectify } from './rectify.ts';
import { selectWhereEquals, selectWhereIn } from './soql.ts';
import { sameEmail } from '../email.ts';

export const SALESFORCE_OBJECTS = [
  'Contact',
  'Lead',
  'CampaignMember',
  'Case',
  'Account',
  'Task',
  'Event',
  'OpportunityContactRole',
  'Individual',
] as const;
export type SalesforceObject = (typeof SALESFORCE_OBJECTS)[number];

/**
 * Fields read per object; `settings.fields` may replace a list (custom fields of the org). Defaults the
 * org lacks are left out after a describe (`IndividualId` needs Data Protection and Privacy).
 */
export const DEFAULT_FIELDS: Record<SalesforceObject, string[]> = {
  Contact: ['Id', 'FirstName', 'LastName', 'Email', 'Phone', 'MobilePhone', 'Title', 'MailingCity', 'MailingCountry', 'AccountId', 'IndividualId', 'HasOptedOutOfEmail', 'CreatedDate', 'LastModifiedDate'],
  Lead: ['Id', 'FirstName', 'LastName', 'Email', 'Phone', 'Company', 'Status', 'Country', 'IsConverted', 'IndividualId', 'HasOptedOutOfEmail', 'CreatedDate'],
  CampaignMember: ['Id', 'CampaignId', 'ContactId', 'LeadId', 'Email', 'Status', 'HasResponded', 'CreatedDate'],
  Case: ['Id', 'CaseNumber', 'Subject', 'Description', 'Status', 'Origin', 'ContactId', 'CreatedDate', 'ClosedDate'],
  Account: ['Id', 'Name', 'Phone', 'Website', 'BillingCity', 'BillingCountry'],
  Task: ['Id', 'Subject', 'Description', 'Status', 'ActivityDate', 'WhoId', 'IsArchived'],
  Event: ['Id', 'Subject', 'Description', 'StartDateTime', 'EndDateTime', 'WhoId', 'IsArchived'],
  OpportunityContactRole: ['Id', 'OpportunityId', 'ContactId', 'Role', 'IsPrimary', 'Opportunity.Name'],
  Individual: ['Id', 'FirstName', 'LastName', 'HasOptedOutTracking', 'HasOptedOutProcessing', 'HasOptedOutSolicit', 'ShouldForget'],
};

/**
 * Erasure order: children before the records they point at, except that the Individual and an Account
 * only the subject uses go before the Contact and Lead. Those two are found only through the Contact
 * (or Lead), so an erasure cut off after deleting the Contact (a throttle, a timeout) would leave them
 * behind, unfindable by the rerun. Deleting such an Account also takes the subject's Contact with it.
 */
const ERASE_ORDER: SalesforceObject[] = ['Task', 'Event', 'Case', 'OpportunityContactRole', 'CampaignMember', 'Individual', 'Account', 'Contact', 'Lead'];
const EMAIL_OBJECTS: SalesforceObject[] = ['Contact', 'Lead', 'CampaignMember'];
/** Activities Salesforce archives after a year: read with queryAll. */
const ARCHIVABLE = new Set<SalesforceObject>(['Task', 'Event']);
/** Per-id delete results that mean "already gone", which a repeated erasure must accept. */
const GONE = new Set(['ENTITY_IS_DELETED', 'NOT_FOUND', 'INVALID_CROSS_REFERENCE_KEY']);
/** Per-id delete results worth another try: the record is still there, Salesforce could not act now. */
const TRY_AGAIN = new Set(['UNKNOWN_EXCEPTION', 'UNABLE_TO_LOCK_ROW', 'SERVER_UNAVAILABLE', 'REQUEST_RUNNING_TOO_LONG']);
/** Ids per IN list: keeps the query URL well under Salesforce's 16 KB limit. */
const IN_LIST = 100;
const DELETE_BATCH = 200;

export interface SalesforceSettings {
  apiVersion?: string;
  batchSize?: number;
  /** Wait (ms) suggested for REQUEST_LIMIT_EXCEEDED; default one minute. */
  limitHintMs?: number;
  timeoutMs?: number;
  fields?: Partial<Record<SalesforceObject, string[]>>;
  /**
   * The login server for the JWT bearer flow: the assertion's audience and where the token is asked
   * for. Default: the token from `baseUrl` (the org's My Domain), audience https://login.salesforce.com.
   */
  loginUrl?: string;
}

/**
 * The login the credentials' shape asks for: `username` and `private_key` mean the JWT bearer flow,
 * `client_secret` client credentials. Both need the connected app's `client_id`.
 */
export function authFrom(connectorId: string, creds: Record<string, string>, settings: SalesforceSettings): SalesforceAuth {
  const clientId = creds.client_id ?? creds.clientId;
  const clientSecret = creds.client_secret ?? creds.clientSecret;
  const username = creds.username;
  const privateKey = creds.private_key ?? creds.privateKey;
  if (clientId && username && privateKey) {
    return { kind: 'jwt', clientId, username, privateKey, audience: settings.loginUrl ?? 'https://login.salesforce.com' };
  }
  if (clientId && clientSecret) return { kind: 'client_credentials', clientId, clientSecret };
  throw new ConnectorMisconfigured(connectorId, 'credentials need client_id with either username and private_key (JWT bearer) or client_secret (client credentials)');
}

/** The row's fields without Salesforce's `attributes` bookkeeping, also in related records. */
function clean(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) {
    if (key === 'attributes') continue;
    out[key] = value && typeof value === 'object' && !Array.isArray(value) ? clean(value as Record<string, unknown>) : value;
  }
  return out;
}

/** The replacement for one field; email fields keep a valid shape because Salesforce validates them. */
export function maskValue(field: string, how: 'null' | 'redact' | 'hash', value: unknown): string | null {
  if (how === 'null') return null;
  const token = how === 'hash' ? createHash('sha256').update(String(value ?? '')).digest('hex').slice(0, 32) : 'REDACTED';
  return /email/i.test(field) ? `${token.toLowerCase()}@redacted.invalid` : token;
}

/** The fields to read per object the org has; an object the org lacks has no entry. */
type OrgFields = Map<SalesforceObject, string[]>;

/**
 * Describes every object the connector reads, once, and keeps the default fields the org has. A field
 * the company named in `settings.fields` that the org lacks is a configuration error (named in the
 * message); a missing default (IndividualId without Data Protection and Privacy) is left out quietly.
 */
async function describeOrg(connectorId: string, sf: SalesforceClient, settings: SalesforceSettings, ctx: ConnectorContext): Promise<OrgFields> {
  const described = await Promise.all(SALESFORCE_OBJECTS.map(async (object) => [object, await sf.describe(object, ctx)] as const));
  const out: OrgFields = new Map();
  for (const [object, has] of described) {
    if (!has) {
      // Contacts, Leads and CampaignMembers are in every org: their absence means a wrong URL or version.
      if (EMAIL_OBJECTS.includes(object)) throw new ConnectorMisconfigured(connectorId, `the org has no ${object} object: check baseUrl and apiVersion`);
      continue;
    }
    const exists = (field: string) => {
      const [head, tail] = field.split('.');
      return tail === undefined ? has.fields.has(head!) : has.relationships.has(head!);
    };
    const configured = settings.fields?.[object];
    const missing = (configured ?? []).filter((f) => !exists(f));
    if (missing.length) throw new ConnectorMisconfigured(connectorId, `settings.fields.${object} names ${missing.join(', ')}, which the org's ${object} does not have`);
    out.set(object, (configured ?? DEFAULT_FIELDS[object]).filter(exists));
  }
  return out;
}

export function createSalesforceConnector(config: SaasConnectorConfig, deps: ConnectorDeps): Connector {
  const settings = config.settings as SalesforceSettings;
  let client: Promise<SalesforceClient> | undefined;
  let orgFields: Promise<OrgFields> | undefined;

  function getClient(): Promise<SalesforceClient> {
    client ??= deps.credentials(config.credentials).then((creds) => {
      return new SalesforceClient({
        connectorId: config.id,
        baseUrl: config.baseUrl,
        tokenBaseUrl: settings.loginUrl,
        apiVersion: settings.apiVersion ?? 'v62.0',
        auth: authFrom(config.id, creds, settings),
        limitHintMs: settings.limitHintMs ?? 60_000,
        batchSize: settings.batchSize,
        timeoutMs: settings.timeoutMs,
      });
    });
    client.catch(() => {
      client = undefined;
    });
    return client;
  }

  /**
   * The fields to read per object, limited to what the org has: described once per connector instance
   * (a warm Lambda keeps it), since a query naming one missing field fails whole with INVALID_FIELD.
   * `IndividualId` and the `Individual` object exist only where Data Protection and Privacy is enabled.
   */
  function fieldsIn(sf: SalesforceClient, ctx: ConnectorContext): Promise<OrgFields> {
    orgFields ??= describeOrg(config.id, sf, settings, ctx);
    orgFields.catch(() => {
      orgFields = undefined;
    });
    return orgFields;
  }

  async function* rowsIn(sf: SalesforceClient, object: SalesforceObject, field: string, ids: readonly string[], ctx: ConnectorContext) {
    const fields = (await fieldsIn(sf, ctx)).get(object);
    if (!fields || !ids.length) return;
    // Activities older than a year are archived and only queryAll returns them; queryAll also returns
    // the Recycle Bin, hence IsDeleted = false (a deleted record is erased as far as the API goes).
    const all = ARCHIVABLE.has(object);
    for (const part of chunks([...new Set(ids)], IN_LIST)) {
      yield* sf.query(selectWhereIn(object, fields, field, part, all), object, ctx, all);
    }
  }

  /** Every record of the subject, object by object, each id once. */
  async function* find(subject: Subject, ctx: ConnectorContext): AsyncGenerator<DataRecord> {
    const sf = await getClient();
    const seen = new Set<string>();
    const record = (object: SalesforceObject, row: SObject): DataRecord | undefined => {
      if (seen.has(row.Id)) return undefined;
      seen.add(row.Id);
      return { object, id: row.Id, data: clean(row) };
    };
    const email = subject.normalizedEmail;
    const contactIds: string[] = [];
    const leadIds: string[] = [];
    const accountIds: string[] = [];
    const individualIds: string[] = [];

    // SOQL's `=` ignores case, so the normalised address finds mixed-case stored ones; the check on the
    // returned Email guards against any looser match (a vendor-side LIKE would export someone else).
    const fields = await fieldsIn(sf, ctx);
    // The email queries do not depend on each other, nor the related ones on each other: each group
    // runs side by side (the client bounds how many are in flight), and is yielded in the fixed order.
    const byEmail = await mapInOrder(EMAIL_OBJECTS, VENDOR_CONCURRENCY.salesforce, async (object) => {
      const wanted = fields.get(object);
      return wanted ? collect(sf.query(selectWhereEquals(object, wanted, 'Email', email), object, ctx)) : [];
    });
    for (const [i, object] of EMAIL_OBJECTS.entries()) {
      for (const row of byEmail[i]!) {
        if (!sameEmail(row.Email, email)) continue;
        const rec = record(object, row);
        if (!rec) continue;
        if (object === 'Contact') {
          contactIds.push(row.Id);
          if (typeof row.AccountId === 'string') accountIds.push(row.AccountId);
        }
        if (object === 'Lead') leadIds.push(row.Id);
        if (typeof row.IndividualId === 'string') individualIds.push(row.IndividualId);
        yield rec;
      }
    }

    const related: Array<[SalesforceObject, string, string[]]> = [
      ['Case', 'ContactId', contactIds],
      ['Task', 'WhoId', [...contactIds, ...leadIds]],
      ['Event', 'WhoId', [...contactIds, ...leadIds]],
      ['OpportunityContactRole', 'ContactId', contactIds],
      ['Account', 'Id', accountIds],
      ['Individual', 'Id', individualIds],
    ];
    const rows = await mapInOrder(related, VENDOR_CONCURRENCY.salesforce, ([object, field, ids]) => collect(rowsIn(sf, object, field, ids, ctx)));
    for (const [i, [object]] of related.entries()) {
      for (const row of rows[i]!) {
        const rec = record(object, row);
        if (rec) yield rec;
      }
    }
  }

  /**
   * Salesforce refuses to delete a Contact that still has Cases (DELETE_FAILED). Cases deleted go first
   * (ERASE_ORDER), but kept or masked ones would leave the Contact undeletable halfway through an
   * erasure, so that configuration is refused before anything changes.
   */
  function checkPolicies(policyFor: PolicyFor): void {
    const cases = policyFor('Case').action;
    if (policyFor('Contact').action === 'delete' && cases !== 'delete') {
      throw new ConnectorMisconfigured(
        config.id,
        `Salesforce cannot delete a Contact that still has Cases, and Case is configured to ${cases}: delete Cases too, or anonymize or retain the Contact`,
      );
    }
  }

  async function eraseObject(
    sf: SalesforceClient,
    object: SalesforceObject,
    records: DataRecord[],
    policy: ErasurePolicy,
    ctx: ConnectorContext,
    /** The subject's Contacts this erasure deletes (an Account only they use may go). */
    subjectContactsGoing: ReadonlySet<string>,
    /** Filled with the ids this call deleted (for Account: what the cascade took with it). */
    deletedIds: Set<string> = new Set(),
  ): Promise<ErasureItem[]> {
    if (policy.action === 'retain') {
      return [retained(object, records.length, policy)];
    }
    if (policy.action === 'anonymize') {
      let count = 0;
      let converted = 0;
      for (const rec of records) {
        const patch: Record<string, unknown> = {};
        for (const [field, how] of Object.entries(policy.fields)) patch[field] = maskValue(field, how, rec.data[field]);
        const result = await sf.update(object, rec.id, patch, ctx);
        if (result === 'updated') count++;
        if (result === 'converted_lead') converted++;
      }
      if (!converted) return [{ object, action: count ? 'anonymized' : 'not_found', count }];
      // Reported as kept, with the reason, rather than failing the erasure or calling it masked.
      return count ? [{ object, action: 'anonymized', count }, retained('Lead', converted, CONVERTED_LEADS)] : [retained('Lead', converted, CONVERTED_LEADS)];
    }
    let ids = records.map((r) => r.id);
    let shared = 0;
    if (object === 'Account') {
      // Runs before the subject's Contacts go: an account any other contact uses (or one of the
      // subject's that is kept) stays, since deleting an account deletes its contacts.
      const inUse = new Set<string>();
      for await (const row of rowsIn(sf, 'Contact', 'AccountId', ids, ctx)) {
        if (!subjectContactsGoing.has(String(row.Id))) inUse.add(String(row.AccountId));
      }
      shared = ids.filter((id) => inUse.has(id)).length;
      ids = ids.filter((id) => !inUse.has(id));
      if (shared && !ids.length) {
        return [retained('Account', shared, SHARED_ACCOUNTS)];
      }
    }
    let count = 0;
    let refused = 0;
    for (const part of chunks(ids, DELETE_BATCH)) {
      const results = await sf.deleteMany(part, ctx);
      for (const [i, result] of results.entries()) {
        if (result.success || result.errors.some((e) => GONE.has(e.statusCode))) {
          count++;
          if (part[i]) deletedIds.add(part[i]);
          continue;
        }
        // Salesforce refuses to delete an Account that still has Cases (the subject's went first, so
        // these are other people's or the company's), activated contracts or others' opportunities.
        if (object === 'Account' && result.errors.some((e) => e.statusCode === 'DELETE_FAILED')) {
          refused++;
          continue;
        }
        // The ids this run did delete are reported before failing: a later run no longer finds them.
        if (count) await ctx.erased?.({ object, action: 'deleted', count });
        const codes = [...new Set(result.errors.map((e) => e.statusCode))];
        const message = `deleting a ${object} failed: ${codes.join(', ') || 'no reason given'}`;
        if (!codes.length || codes.some((c) => TRY_AGAIN.has(c))) throw new ConnectorIncompleteAnswer(config.id, message);
        throw new ConnectorMisconfigured(config.id, message);
      }
    }
    const items: ErasureItem[] = count || (!shared && !refused) ? [{ object, action: 'deleted', count }] : [];
    if (shared) items.push(retained('Account', shared, SHARED_ACCOUNTS));
    if (refused) items.push(retained('Account', refused, ACCOUNTS_IN_USE));
    return items;
  }

  /**
   * The subject's records that carry a marketing preference, with the field that says "no marketing":
   * `HasOptedOutOfEmail` on Contacts and Leads, `HasOptedOutSolicit` ("don't solicit") on the Individual
   * where the org has Data Protection and Privacy. A converted Lead is not marketed to (Salesforce leaves
   * it out of campaigns, and refuses changes to it): its Contact carries the preference.
   */
  async function marketingRecords(subject: Subject, ctx: ConnectorContext): Promise<Array<{ object: string; id: string; field: string; optedOut: boolean }>> {
    const out: Array<{ object: string; id: string; field: string; optedOut: boolean }> = [];
    for await (const rec of find(subject, ctx)) {
      const field = MARKETING_FIELDS[rec.object];
      if (!field || (rec.object === 'Lead' && rec.data.IsConverted === true)) continue;
      out.push({ object: rec.object, id: rec.id, field, optedOut: rec.data[field] === true });
    }
    return out;
  }

  const marketing: MarketingCapability = {
    async suppress(subject: Subject, ctx: ConnectorContext): Promise<SuppressionItem[]> {
      const records = await marketingRecords(subject, ctx);
      if (!records.length) return [];
      const sf = await getClient();
      const counts = new Map<string, number>();
      for (const r of records) {
        // Already opted out stays as it is: no write, and the time Salesforce keeps is the first one.
        const result = r.optedOut ? 'updated' : await sf.update(r.object, r.id, { [r.field]: true }, ctx);
        if (result === 'updated') counts.set(r.object, (counts.get(r.object) ?? 0) + 1);
      }
      return [...counts].map(([object, suppressed]) => ({ object, suppressed }));
    },
    async status(subject: Subject, ctx: ConnectorContext): Promise<MarketingStatus[]> {
      const byObject = new Map<string, MarketingStatus>();
      for (const r of await marketingRecords(subject, ctx)) {
        const s = byObject.get(r.object) ?? { object: r.object, optedOut: 0, allowed: 0 };
        if (r.optedOut) s.optedOut++;
        else s.allowed++;
        byObject.set(r.object, s);
      }
      return [...byObject.values()];
    },
  };

  /**
   * Where the subject's processing can be marked restricted (GDPR Art. 18): `HasOptedOutProcessing` on
   * their Individual, which exists only where the org has Data Protection and Privacy. Contacts and
   * Leads carry no such field: one with no Individual (or every one, in an org without it) is counted
   * `unmarkable`, and staff restrict it by hand. Converted Leads are left out: their Contact stands for them.
   */
  async function restrictionRecords(subject: Subject, ctx: ConnectorContext) {
    const sf = await getClient();
    const orgHasMark = (await fieldsIn(sf, ctx)).get('Individual')?.includes(RESTRICTION_FIELD) ?? false;
    const individuals: Array<{ id: string; restricted: boolean }> = [];
    const unmarkable = new Map<string, number>();
    for await (const rec of find(subject, ctx)) {
      if (rec.object === 'Individual' && orgHasMark) individuals.push({ id: rec.id, restricted: rec.data[RESTRICTION_FIELD] === true });
      else if ((rec.object === 'Contact' || (rec.object === 'Lead' && rec.data.IsConverted !== true)) && (!orgHasMark || typeof rec.data.IndividualId !== 'string')) {
        unmarkable.set(rec.object, (unmarkable.get(rec.object) ?? 0) + 1);
      }
    }
    return { sf, individuals, unmarkable };
  }

  async function markIndividuals(subject: Subject, ctx: ConnectorContext, restricted: boolean): Promise<RestrictionItem[]> {
    const { sf, individuals } = await restrictionRecords(subject, ctx);
    let records = 0;
    for (const i of individuals) {
      // Already as asked stays as it is: no write.
      const result = i.restricted === restricted ? 'updated' : await sf.update('Individual', i.id, { [RESTRICTION_FIELD]: restricted }, ctx);
      if (result === 'updated') records++;
    }
    return individuals.length ? [{ object: 'Individual', records }] : [];
  }

  const restrict: RestrictCapability = {
    set: (subject, ctx) => markIndividuals(subject, ctx, true),
    lift: (subject, ctx) => markIndividuals(subject, ctx, false),
    async status(subject: Subject, ctx: ConnectorContext): Promise<RestrictionStatus[]> {
      const { individuals, unmarkable } = await restrictionRecords(subject, ctx);
      const out: RestrictionStatus[] = [];
      if (individuals.length) {
        const restricted = individuals.filter((i) => i.restricted).length;
        out.push({ object: 'Individual', restricted, unrestricted: individuals.length - restricted });
      }
      for (const [object, n] of unmarkable) out.push({ object, restricted: 0, unrestricted: 0, unmarkable: n });
      return out;
    },
  };

  return {
    id: config.id,
    config,
    access: find,
    marketing,
    rectify: createSalesforceRectify({ connectorId: config.id, client: getClient }),
    restrict,
    async erase(subject: Subject, policyFor: PolicyFor, ctx: ConnectorContext): Promise<ErasureOutcome> {
      checkPolicies(policyFor);
      const byObject = await groupByObject<SalesforceObject>(find(subject, ctx));
      if (byObject.size === 0) {
        const items: ErasureItem[] = EMAIL_OBJECTS.map((object) => ({ object, action: 'not_found', count: 0 }));
        for (const item of items) await ctx.erased?.(item);
        return { connectorId: config.id, items };
      }
      const sf = await getClient();
      const items: ErasureItem[] = [];
      const deletedAccounts = new Set<string>();
      const contactsGoing = new Set(policyFor('Contact').action === 'delete' ? (byObject.get('Contact') ?? []).map((r) => r.id) : []);
      for (const object of ERASE_ORDER) {
        let records = byObject.get(object);
        if (object === 'Contact' && records?.length) {
          // Contacts on an Account this run deleted went with it (Salesforce cascades): they are
          // reported here, once, so a run cut off before the Contact step still accounts for them.
          const cascaded = records.filter((r) => deletedAccounts.has(String(r.data.AccountId)));
          if (cascaded.length) {
            const item: ErasureItem = { object: 'Contact', action: 'deleted', count: cascaded.length };
            items.push(item);
            await ctx.erased?.(item);
            records = records.filter((r) => !cascaded.includes(r));
          }
        }
        if (!records?.length) continue;
        const objectItems = await eraseObject(sf, object, records, policyFor(object), ctx, contactsGoing, object === 'Account' ? deletedAccounts : undefined);
        for (const item of objectItems) {
          items.push(item);
          await ctx.erased?.(item);
        }
      }
      return { connectorId: config.id, items };
    },
  };
}

/** The Individual's "restrict processing" flag (Data Protection and Privacy). */
const RESTRICTION_FIELD = 'HasOptedOutProcessing';

/** Where each object says "no marketing to this person". */
const MARKETING_FIELDS: Readonly<Record<string, string>> = { Contact: 'HasOptedOutOfEmail', Lead: 'HasOptedOutOfEmail', Individual: 'HasOptedOutSolicit' };

/** Converted Leads Salesforce would not let the connector mask: kept, and why, so staff can act. */
const CONVERTED_LEADS: Retention = {
  legalBasis:
    'Not erased: Salesforce refuses changes to a converted Lead (CANNOT_UPDATE_CONVERTED_LEAD) unless the integration user has the “View and Edit Converted Leads” permission; grant it, or delete Leads instead, and erase again',
  retentionPeriod: 'Until the erasure is run again with that permission',
  reason: 'erasure.why.converted_lead',
};

/** Accounts Salesforce refused to delete (DELETE_FAILED) because other records still need them. */
const ACCOUNTS_IN_USE: Retention = {
  legalBasis:
    'Salesforce refuses to delete an Account that still has Cases, activated contracts or opportunities of other users (DELETE_FAILED); the account is kept as a company record, and the subject’s own Contact, Cases and activities on it were erased',
  retentionPeriod: 'As long as those records need the account',
  reason: 'erasure.why.account_in_use',
};

/** Accounts still used by other contacts are kept; the subject's link to them went with the Contact. */
const SHARED_ACCOUNTS: Retention = {
  legalBasis: 'The account is a company record shared with other contacts; only the subject’s link to it was erased',
  retentionPeriod: 'As long as the business relationship with the company lasts',
  reason: 'erasure.why.shared_account',
};
