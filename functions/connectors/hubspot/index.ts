/**
 * HubSpot connector. The contact is found by the CRM search (email EQ, or the address among the
 * contact's `hs_additional_emails`), its companies, deals, tickets and engagements through the v4
 * associations, and its email subscription statuses through the communication-preferences API.
 *
 * Erasure of the contact uses GDPR delete, which is permanent but asynchronous: HubSpot purges the
 * contact, the engagements only it was on and its subscription statuses within 30 days, and blocklists
 * its addresses (a plain DELETE only archives, restorable for 90 days). GDPR delete leaves an engagement
 * that is also on a company, deal or ticket on that record's timeline, so those are archived explicitly
 * first. Companies, deals and tickets are shared records: one is deleted only when no other contact is
 * associated with it, and so is an engagement.
 */
import { createHash } from 'node:crypto';
import type { ErasurePolicy, SaasConnectorConfig } from '#commons/config';
import { mapInOrder, VENDOR_CONCURRENCY } from '#connectors/concurrency';
import { ConnectorMisconfigured } from '#connectors/errors';
import { groupByObject, retained, withOnly, type Retention } from '#connectors/records';
import { byRecord, cleanAddress, cleanAddressFrom, textOrNull, type AddressPart } from '#connectors/corrections';
import type {
  Correction,
  FieldValue,
  PostalAddress,
  RectifiableField,
  RectificationItem,
  RectifyCapability,
  MarketingCapability,
  MarketingStatus,
  SuppressionItem,
  Connector,
  ConnectorContext,
  ConnectorDeps,
  DataRecord,
  ErasureCompletion,
  ErasureItem,
  ErasureOutcome,
  PolicyFor,
  Subject,
} from '#connectors/types';
import { HubSpotClient, type HubSpotObject } from './client.ts';
import { sameEmail } from '../email.ts';

export const ENGAGEMENTS = ['notes', 'emails', 'calls', 'meetings', 'tasks'] as const;
export const SHARED = ['companies', 'deals', 'tickets'] as const;
export const HUBSPOT_OBJECTS = ['contacts', ...SHARED, ...ENGAGEMENTS, 'subscription_preferences'] as const;
export type HubSpotObjectName = (typeof HUBSPOT_OBJECTS)[number];
type Associated = (typeof SHARED)[number] | (typeof ENGAGEMENTS)[number];

export const DEFAULT_PROPERTIES: Record<Exclude<HubSpotObjectName, 'subscription_preferences'>, string[]> = {
  contacts: ['email', 'firstname', 'lastname', 'phone', 'company', 'jobtitle', 'city', 'country', 'lifecyclestage', 'hs_language'],
  companies: ['name', 'domain', 'city', 'country'],
  deals: ['dealname', 'amount', 'dealstage', 'closedate'],
  tickets: ['subject', 'content', 'hs_pipeline_stage', 'createdate'],
  notes: ['hs_note_body', 'hs_timestamp'],
  emails: ['hs_email_subject', 'hs_email_text', 'hs_email_direction', 'hs_timestamp'],
  calls: ['hs_call_title', 'hs_call_body', 'hs_call_duration', 'hs_timestamp'],
  meetings: ['hs_meeting_title', 'hs_meeting_body', 'hs_meeting_start_time', 'hs_meeting_end_time'],
  tasks: ['hs_task_subject', 'hs_task_body', 'hs_task_status', 'hs_timestamp'],
};

/**
 * HubSpot's documented limits: "it can take up to 30 days to complete a permanent removal" after a GDPR
 * delete (knowledge.hubspot.com/privacy-and-consent/how-do-i-perform-a-gdpr-delete-in-hubspot); archived
 * records "can be restored within 90 days" (the CRM objects API's archive operations).
 */
export const GDPR_DELETE_COMPLETION: ErasureCompletion = { vendor: 'HubSpot', withinDays: 30 };
export const ARCHIVE_COMPLETION: ErasureCompletion = { vendor: 'HubSpot', withinDays: 90 };

/**
 * Types archived with batch archive (100 a call) rather than one DELETE each: those whose batch archive
 * operation is among the vendored HubSpot specs the contract tests check calls against
 * (test/contracts/hubspot/refresh.ts, ARCHIVED_BY_CONNECTOR). Companies, deals and tickets join once their
 * specs are refreshed with it; until then they are deleted one by one, side by side.
 */
const BATCH_ARCHIVED = new Set<string>(ENGAGEMENTS);

/** The CRM records an engagement can also sit on, where GDPR delete of the contact leaves it. */
const TIMELINES = SHARED;

export interface HubSpotSettings {
  /** Page size for search (max 200) and associations (max 500). */
  pageSize?: number;
  timeoutMs?: number;
  policyHintsMs?: Record<string, number>;
  properties?: Partial<Record<HubSpotObjectName, string[]>>;
}

interface AssociationRow {
  toObjectId: number | string;
}

interface PreferenceStatus {
  recipient: string;
  subscriptionStatuses: Array<Record<string, unknown>>;
}

/** `hs_additional_emails` holds the contact's other addresses, separated by semicolons. */
function hasAdditionalEmail(value: unknown, normalized: string): boolean {
  return typeof value === 'string' && value.split(';').some((e) => sameEmail(e, normalized));
}

/** The contact properties each rectifiable field lives in (HubSpot's default contact properties). */
export const RECTIFY_PROPERTIES: Record<RectifiableField, string[]> = {
  name: ['firstname', 'lastname'],
  email: ['email'],
  phone: ['phone'],
  address: ['address', 'city', 'zip', 'state', 'country'],
};

/** The contact property of each address part; HubSpot has one street property, so line2 has none. */
const ADDRESS_PROPERTY: Partial<Record<AddressPart, string>> = { line1: 'address', postalCode: 'zip', city: 'city', region: 'state', country: 'country' };

/** A contact's value of one rectifiable field, in the product's shape. */
function contactValue(field: RectifiableField, p: Record<string, unknown>): FieldValue['value'] {
  if (field === 'name') return textOrNull([p.firstname, p.lastname].filter((v) => typeof v === 'string' && v.trim()).join(' '));
  if (field === 'address') {
    return cleanAddressFrom((part) => (ADDRESS_PROPERTY[part] ? p[ADDRESS_PROPERTY[part]] : undefined));
  }
  return textOrNull(p[field]);
}

/**
 * The PATCH properties of one contact's corrections. A name is split at its first space into first and
 * last name (HubSpot's two properties); an address is written whole, empty parts cleared with ''
 * (HubSpot's way to clear a property). HubSpot's contact has one street line: line2 joins line1.
 */
export function correctionProperties(corrections: readonly Correction[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of corrections) {
    if (c.field === 'address') {
      const a: PostalAddress = cleanAddress(typeof c.value === 'string' ? {} : c.value);
      Object.assign(out, { address: [a.line1, a.line2].filter(Boolean).join(', '), city: a.city ?? '', zip: a.postalCode ?? '', state: a.region ?? '', country: a.country ?? '' });
    } else if (c.field === 'name') {
      const [first, ...rest] = String(c.value).trim().split(/\s+/);
      Object.assign(out, { firstname: first ?? '', lastname: rest.join(' ') });
    } else {
      out[c.field] = String(c.value).trim();
    }
  }
  return out;
}

function maskProperties(policy: Extract<ErasurePolicy, { action: 'anonymize' }>, data: Record<string, unknown>): Record<string, string> {
  const props = (data.properties ?? {}) as Record<string, unknown>;
  const out: Record<string, string> = {};
  for (const [field, how] of Object.entries(policy.fields)) {
    const token = how === 'hash' ? createHash('sha256').update(String(props[field] ?? '')).digest('hex').slice(0, 32) : 'REDACTED';
    // HubSpot clears a property with an empty string and validates email properties.
    out[field] = how === 'null' ? '' : /email/i.test(field) ? `${token.toLowerCase()}@redacted.invalid` : token;
  }
  return out;
}

export function createHubSpotConnector(config: SaasConnectorConfig, deps: ConnectorDeps): Connector {
  const settings = config.settings as HubSpotSettings;
  const props = { ...DEFAULT_PROPERTIES, ...settings.properties } as Record<string, string[]>;
  let client: Promise<HubSpotClient> | undefined;

  function getClient(): Promise<HubSpotClient> {
    client ??= deps.credentials(config.credentials).then((creds) => {
      const token = creds.access_token ?? creds.accessToken ?? creds.token;
      if (!token) throw new ConnectorMisconfigured(config.id, 'credentials need access_token (private app token)');
      return new HubSpotClient({ connectorId: config.id, baseUrl: config.baseUrl, token, timeoutMs: settings.timeoutMs, policyHintsMs: settings.policyHintsMs });
    });
    client.catch(() => {
      client = undefined;
    });
    return client;
  }

  async function associatedIds(hs: HubSpotClient, fromType: string, id: string, toType: string, ctx: ConnectorContext): Promise<string[]> {
    const limit = String(Math.min(500, settings.pageSize ?? 500));
    const ids: string[] = [];
    const path = `/crm/v4/objects/${fromType}/${encodeURIComponent(id)}/associations/${toType}`;
    for await (const row of hs.pages<AssociationRow>(path, { limit }, `associations ${fromType}->${toType}`, ctx)) ids.push(String(row.toObjectId));
    return [...new Set(ids)];
  }

  /**
   * Contacts whose primary address is the subject's, or that hold it among their additional addresses
   * (a contact merged from two, or one whose address changed): two filter groups, which HubSpot ORs.
   */
  async function contacts(hs: HubSpotClient, subject: Subject, ctx: ConnectorContext, extra: readonly string[] = []): Promise<HubSpotObject[]> {
    const email = subject.normalizedEmail;
    const body = {
      filterGroups: [
        { filters: [{ propertyName: 'email', operator: 'EQ', value: email }] },
        { filters: [{ propertyName: 'hs_additional_emails', operator: 'CONTAINS_TOKEN', value: email }] },
      ],
      properties: [...new Set([...(props.contacts ?? []), 'email', 'hs_additional_emails', ...extra])],
      limit: Math.min(200, settings.pageSize ?? 100),
    };
    const out = new Map<string, HubSpotObject>();
    for await (const c of hs.search('contacts', body, ctx)) {
      // CONTAINS_TOKEN matches words, not whole addresses: only an exact address is the subject's.
      if (sameEmail(c.properties.email, email) || hasAdditionalEmail(c.properties.hs_additional_emails, email)) out.set(c.id, c);
    }
    return [...out.values()];
  }

  /** The subject's email subscription statuses, when HubSpot has any for the address. */
  async function preferences(hs: HubSpotClient, subject: Subject, ctx: ConnectorContext): Promise<PreferenceStatus | undefined> {
    const prefs = await hs.http.json<PreferenceStatus>({
      url: hs.url(`/communication-preferences/v3/status/email/${encodeURIComponent(subject.normalizedEmail)}`),
      label: 'GET communication-preferences status',
      signal: ctx.signal,
    });
    return prefs?.subscriptionStatuses?.length && sameEmail(prefs.recipient, subject.normalizedEmail) ? prefs : undefined;
  }

  /**
   * After the contact search, everything else is independent: each contact's associations to each type,
   * and the subscription statuses, all at once (the client bounds how many are in flight). The records
   * are then read in batches per type and yielded contact by contact, type by type, as one after the
   * other would have: a record found through two contacts, or twice, is read and yielded once.
   */
  async function* find(subject: Subject, ctx: ConnectorContext): AsyncGenerator<DataRecord> {
    const hs = await getClient();
    const found = await contacts(hs, subject, ctx);
    for (const c of found) yield { object: 'contacts', id: c.id, data: { ...c } };
    if (!found.length) return;
    const pairs = found.flatMap((c) => ([...SHARED, ...ENGAGEMENTS] as Associated[]).map((type) => ({ contact: c.id, type })));
    const [associated, prefs] = await Promise.all([
      mapInOrder(pairs, VENDOR_CONCURRENCY.hubspot, ({ contact, type }) => associatedIds(hs, 'contacts', contact, type, ctx)),
      preferences(hs, subject, ctx),
    ]);
    const seen = new Set<string>();
    const fresh = pairs.map((pair, i) => associated[i]!.filter((id) => !seen.has(`${pair.type}:${id}`) && seen.add(`${pair.type}:${id}`)));
    const read = await mapInOrder(pairs, VENDOR_CONCURRENCY.hubspot, ({ type }, i) => hs.batchRead(type, fresh[i]!, props[type] ?? [], ctx));
    for (const [i, { type }] of pairs.entries()) {
      for (const obj of read[i]!) yield { object: type, id: obj.id, data: { ...obj } };
    }
    if (prefs) yield { object: 'subscription_preferences', id: `email-subscriptions:${found[0]!.id}`, data: { ...prefs } };
  }

  /**
   * Which of these records are associated with contacts other than the subject's (v4 batch read, up to
   * 1000 ids a call). Such a record is someone else's too: GDPR delete keeps it, and deleting or masking
   * it ourselves would take it from them.
   */
  async function sharedWithOthers(hs: HubSpotClient, type: string, ids: readonly string[], contactIds: Set<string>, ctx: ConnectorContext): Promise<Set<string>> {
    const shared = new Set<string>();
    for (const [id, to] of await hs.batchAssociations(type, 'contacts', ids, ctx)) {
      if (to.some((t) => !contactIds.has(String(t.toObjectId)))) shared.add(id);
    }
    return shared;
  }

  /** Policies that GDPR delete cannot honour: it always takes engagements and preferences with the contact. */
  function checkPolicies(objects: Iterable<HubSpotObjectName>, policyFor: PolicyFor): void {
    const contactDeleted = policyFor('contacts').action === 'delete';
    for (const object of objects) {
      const action = policyFor(object).action;
      const tied = (ENGAGEMENTS as readonly string[]).includes(object) || object === 'subscription_preferences';
      if (tied && contactDeleted && action !== 'delete') {
        throw new ConnectorMisconfigured(config.id, `GDPR delete of the contact also removes ${object}; their policy must be delete too`);
      }
      if (object === 'subscription_preferences' && !contactDeleted && action !== 'retain') {
        throw new ConnectorMisconfigured(config.id, 'subscription preferences go only with the contact: retain them or delete the contact');
      }
    }
  }

  /** One policy applied record by record; shared objects still used by other contacts are kept. */
  async function eraseEach(hs: HubSpotClient, object: Associated | 'contacts', records: DataRecord[], policy: ErasurePolicy, contactIds: Set<string>, ctx: ConnectorContext): Promise<ErasureItem[]> {
    if (policy.action === 'retain') {
      return [retained(object, records.length, policy)];
    }
    const others = object === 'contacts' ? new Set<string>() : await sharedWithOthers(hs, object, records.map((r) => r.id), contactIds, ctx);
    const own = records.filter((r) => !others.has(r.id));
    const shared = records.length - own.length;
    let changed = 0;
    if (policy.action === 'delete' && BATCH_ARCHIVED.has(object)) {
      // Batch archive, 100 a call. HubSpot answers 204 whether or not an id still exists, so a record
      // gone since it was read a moment ago counts as archived: it is gone either way.
      await hs.batchArchive(object, own.map((r) => r.id), ctx);
      changed = own.length;
    } else {
      // One call each, side by side within the client's bound, which keeps "already gone" (404) per
      // record. HubSpot's batch update (100 a call) would save calls; the local sandbox does not imitate
      // it yet, so it is not used until it can be tested.
      const url = (rec: DataRecord) => hs.url(`/crm/v3/objects/${object}/${encodeURIComponent(rec.id)}`);
      const answers = await mapInOrder(own, VENDOR_CONCURRENCY.hubspot, (rec) =>
        policy.action === 'delete'
          ? hs.http.request({ method: 'DELETE', url: url(rec), label: `DELETE ${object}`, accept: [404], signal: ctx.signal })
          : hs.http.request({ method: 'PATCH', url: url(rec), label: `PATCH ${object}`, json: { properties: maskProperties(policy, rec.data) }, accept: [404], signal: ctx.signal }),
      );
      changed = answers.filter((res) => res.status !== 404).length;
    }
    const items: ErasureItem[] = [];
    // A DELETE archives: HubSpot keeps the record restorable for 90 days before it is gone for good.
    if (changed || !shared) {
      items.push(policy.action === 'delete' ? { object, action: 'deleted', count: changed, ...(changed ? { completion: ARCHIVE_COMPLETION } : {}) } : { object, action: 'anonymized', count: changed });
    }
    if (shared) items.push(retained(object, shared, SHARED_RECORDS));
    return items;
  }

  /**
   * Email subscription types (communication preferences v3): the opt-out unsubscribes the address from
   * every type it is subscribed to; the types it is already out of are left alone (HubSpot answers 400
   * to unsubscribing twice). An address HubSpot has no statuses for has nothing to suppress here: the
   * suppression list keeps a later import from subscribing it.
   */
  const marketing: MarketingCapability = {
    async suppress(subject: Subject, ctx: ConnectorContext): Promise<SuppressionItem[]> {
      const hs = await getClient();
      const prefs = await preferences(hs, subject, ctx);
      if (!prefs) return [];
      for (const status of prefs.subscriptionStatuses) {
        if (status.status === 'NOT_SUBSCRIBED') continue;
        // A 400 is HubSpot's "already unsubscribed" when the address was unsubscribed since the read
        // (by the subject's own link, say). Any other refusal leaves the type subscribed, and the
        // read-back the workflow runs next reports it to staff.
        await hs.http.request({
          method: 'POST',
          url: hs.url('/communication-preferences/v3/unsubscribe'),
          label: 'POST communication-preferences unsubscribe',
          json: { emailAddress: subject.normalizedEmail, subscriptionId: String(status.id) },
          accept: [400],
          signal: ctx.signal,
        });
      }
      return [{ object: 'subscription_preferences', suppressed: prefs.subscriptionStatuses.length }];
    },
    async status(subject: Subject, ctx: ConnectorContext): Promise<MarketingStatus[]> {
      const prefs = await preferences(await getClient(), subject, ctx);
      if (!prefs) return [];
      const optedOut = prefs.subscriptionStatuses.filter((s) => s.status === 'NOT_SUBSCRIBED').length;
      return [{ object: 'subscription_preferences', optedOut, allowed: prefs.subscriptionStatuses.length - optedOut }];
    },
  };

  /**
   * The contact holds the fields a subject may correct; engagements and shared records (companies,
   * deals) are not the subject's own fields and are left alone.
   */
  const rectify: RectifyCapability = {
    async current(subject: Subject, fields: readonly RectifiableField[], ctx: ConnectorContext): Promise<FieldValue[]> {
      const found = await contacts(await getClient(), subject, ctx, fields.flatMap((f) => RECTIFY_PROPERTIES[f]));
      return found.flatMap((c) =>
        fields.map((field): FieldValue => ({ object: 'contacts', recordId: c.id, field, systemField: RECTIFY_PROPERTIES[field].join(', '), value: contactValue(field, c.properties) })),
      );
    },
    async apply(subject: Subject, corrections: readonly Correction[], ctx: ConnectorContext): Promise<RectificationItem[]> {
      const hs = await getClient();
      // Only the subject's own contacts are written, whatever ids the corrections name.
      const own = new Set((await contacts(hs, subject, ctx)).map((c) => c.id));
      const items: RectificationItem[] = [];
      for (const [recordId, list] of byRecord(corrections.filter((c) => c.object === 'contacts'))) {
        let written = false;
        if (own.has(recordId)) {
          const res = await hs.http.request({
            method: 'PATCH',
            url: hs.url(`/crm/v3/objects/contacts/${encodeURIComponent(recordId)}`),
            label: 'PATCH contacts',
            json: { properties: correctionProperties(list) },
            accept: [404],
            signal: ctx.signal,
          });
          written = res.status !== 404;
        }
        for (const c of list) items.push({ object: c.object, recordId, field: c.field, status: written ? 'corrected' : 'not_found' });
      }
      for (const c of corrections) if (c.object !== 'contacts') items.push({ object: c.object, recordId: c.recordId, field: c.field, status: 'not_found' });
      return items;
    },
  };

  return {
    id: config.id,
    config,
    access: find,
    marketing,
    rectify,
    async erase(subject: Subject, policyFor: PolicyFor, ctx: ConnectorContext): Promise<ErasureOutcome> {
      // Only masking reads a record's data; deleting, archiving and retaining need its id.
      const byObject = await groupByObject<HubSpotObjectName>(find(subject, ctx), (rec) => (policyFor(rec.object).action === 'anonymize' ? rec : withOnly(rec, [])));
      if (!byObject.has('contacts')) {
        const item: ErasureItem = { object: 'contacts', action: 'not_found', count: 0 };
        await ctx.erased?.(item);
        return { connectorId: config.id, items: [item] };
      }
      checkPolicies(byObject.keys(), policyFor);
      const hs = await getClient();
      const contactIds = new Set((byObject.get('contacts') ?? []).map((r) => r.id));
      const contactPolicy = policyFor('contacts');
      const items: ErasureItem[] = [];
      /** An object's items, kept and reported as its work is done. */
      const done = async (objectItems: ErasureItem[]): Promise<void> => {
        items.push(...objectItems);
        for (const item of objectItems) await ctx.erased?.(item);
      };
      // Shared objects first: their "other contacts" check must run while the subject's associations exist.
      const eraseShared = async (): Promise<void> => {
        for (const object of SHARED) {
          const records = byObject.get(object);
          if (records?.length) await done(await eraseEach(hs, object, records, policyFor(object), contactIds, ctx));
        }
      };
      if (contactPolicy.action !== 'delete') {
        await eraseShared();
        for (const object of ENGAGEMENTS) {
          const records = byObject.get(object);
          if (records?.length) await done(await eraseEach(hs, object, records, policyFor(object), contactIds, ctx));
        }
        const prefs = byObject.get('subscription_preferences');
        const prefsPolicy = policyFor('subscription_preferences');
        if (prefs?.length && prefsPolicy.action === 'retain') {
          await done([retained('subscription_preferences', prefs.length, prefsPolicy)]);
        }
        await done(await eraseEach(hs, 'contacts', byObject.get('contacts') ?? [], contactPolicy, contactIds, ctx));
        return { connectorId: config.id, items };
      }
      // What GDPR delete will not remove, found now, before any association is gone: engagements other
      // contacts are on (kept, reported as such), and those also on a company, deal or ticket, which
      // GDPR delete only unlinks from the contact (they stay on that record's timeline): archived here.
      const kept = new Map<string, Set<string>>();
      const onTimelines = new Map<string, string[]>();
      for (const object of ENGAGEMENTS) {
        const records = byObject.get(object);
        if (!records?.length) continue;
        const ids = records.map((r) => r.id);
        const shared = await sharedWithOthers(hs, object, ids, contactIds, ctx);
        kept.set(object, shared);
        const own = ids.filter((id) => !shared.has(id));
        const onRecords = new Set<string>();
        for (const timeline of TIMELINES) {
          if (!own.length) break;
          for (const [id, to] of await hs.batchAssociations(object, timeline, own, ctx)) if (to.length) onRecords.add(id);
        }
        if (onRecords.size) onTimelines.set(object, [...onRecords]);
      }
      await eraseShared();
      // Reported as each is archived, so a run that stops before GDPR delete keeps what it did.
      for (const [object, ids] of onTimelines) {
        await hs.batchArchive(object, ids, ctx);
        await done([{ object, action: 'deleted', count: ids.length, completion: ARCHIVE_COMPLETION }]);
      }
      // GDPR delete by record id: a contact found by an additional address is deleted too, and HubSpot
      // blocklists every address the contact had. 404: already gone.
      for (const id of contactIds) {
        await hs.http.request({
          method: 'POST',
          url: hs.url('/crm/v3/objects/contacts/gdpr-delete'),
          label: 'POST contacts/gdpr-delete',
          json: { objectId: id },
          accept: [404],
          signal: ctx.signal,
        });
      }
      // Submitted, not done: HubSpot purges within 30 days, and the report says so. ConfirmErasure still reads the contact back, and a later run checks again.
      const gone: ErasureItem[] = [{ object: 'contacts', action: 'deleted', count: contactIds.size, completion: GDPR_DELETE_COMPLETION }];
      for (const object of [...ENGAGEMENTS, 'subscription_preferences'] as const) {
        const records = byObject.get(object);
        if (!records?.length) continue;
        const shared = kept.get(object)?.size ?? 0;
        const archived = onTimelines.get(object)?.length ?? 0;
        const removed = records.length - shared - archived;
        if (removed > 0) gone.push({ object, action: 'deleted', count: removed, completion: GDPR_DELETE_COMPLETION });
        if (shared) gone.push(retained(object, shared, SHARED_RECORDS));
      }
      await done(gone);
      return { connectorId: config.id, items };
    },
  };
}

/** Records other contacts are also associated with: kept, only the subject's association goes. */
const SHARED_RECORDS: Retention = {
  legalBasis: 'Shared record associated with other contacts as well; only the subject’s contact and its association to the record were removed',
  retentionPeriod: 'As long as the record is in use',
  reason: 'erasure.why.shared_record',
};
