/**
 * Salesforce's rectify capability: the subject's Contacts and unconverted Leads (found by Email, as
 * access finds them), their name, email, phone and address read and corrected with `PATCH
 * /sobjects/{type}/{id}`. A converted Lead is left out: Salesforce refuses changes to it
 * (CANNOT_UPDATE_CONVERTED_LEAD) and its Contact carries the data.
 */
import { ConnectorMisconfigured } from '#connectors/errors';
import { addressFrom, addressParts, checkCorrections, movedTo, textOf, type AddressPart } from '#connectors/corrections';
import { sameEmail } from '#connectors/email';
import type { ConnectorContext, Correction, FieldValue, PostalAddress, RectifiableField, RectificationItem, RectifyCapability, Subject } from '#connectors/types';
import type { SalesforceClient, SObject } from './client.ts';
import { selectWhereEquals } from './soql.ts';

type PersonObject = 'Contact' | 'Lead';
const PERSON_OBJECTS: readonly PersonObject[] = ['Contact', 'Lead'];

/**
 * The address fields of each object. Street is one text area: line 1, a line break, line 2. Where the
 * org has State and Country/Territory Picklists (the default for new orgs), `CountryCode` and
 * `StateCode` exist beside the text fields, which then hold the picklist's integration value (the full
 * name by default): Salesforce refuses a text country that is not one (FIELD_INTEGRITY_EXCEPTION).
 */
const ADDRESS_FIELDS: Record<PersonObject, { street: string; postalCode: string; city: string; region: string; regionCode: string; country: string; countryCode: string }> = {
  Contact: { street: 'MailingStreet', postalCode: 'MailingPostalCode', city: 'MailingCity', region: 'MailingState', regionCode: 'MailingStateCode', country: 'MailingCountry', countryCode: 'MailingCountryCode' },
  Lead: { street: 'Street', postalCode: 'PostalCode', city: 'City', region: 'State', regionCode: 'StateCode', country: 'Country', countryCode: 'CountryCode' },
};

/** Every field the capability may read on an object (those the org lacks are left out after a describe). */
function wantedFields(object: PersonObject): string[] {
  return ['Id', 'Email', 'FirstName', 'LastName', 'Phone', 'MobilePhone', ...Object.values(ADDRESS_FIELDS[object]), ...(object === 'Lead' ? ['IsConverted'] : [])];
}

/** The field the country is read from: the ISO code where the org has country picklists, else the text. */
function countryField(object: PersonObject, fields: ReadonlySet<string>): string {
  const a = ADDRESS_FIELDS[object];
  return fields.has(a.countryCode) ? a.countryCode : a.country;
}

/** The system's own name of each field, as staff see it beside the value. */
function systemFieldOf(object: PersonObject, field: RectifiableField, fields: ReadonlySet<string>): string {
  if (field === 'name') return 'FirstName, LastName';
  if (field === 'email') return 'Email';
  if (field === 'phone') return 'Phone';
  const a = ADDRESS_FIELDS[object];
  return [a.street, a.postalCode, a.city, a.region, countryField(object, fields)].filter((f) => fields.has(f)).join(', ');
}

function nameOf(row: SObject): string | null {
  const name = [textOf(row.FirstName), textOf(row.LastName)].filter(Boolean).join(' ');
  return name || null;
}

function addressOf(object: PersonObject, row: SObject, fields: ReadonlySet<string>): PostalAddress | null {
  const a = ADDRESS_FIELDS[object];
  const [line1, ...rest] = (textOf(row[a.street]) ?? '').split(/\r?\n/);
  const parts: Record<AddressPart, unknown> = { line1, line2: rest.join(', '), postalCode: row[a.postalCode], city: row[a.city], region: row[a.region], country: row[countryField(object, fields)] };
  return addressFrom((part) => parts[part]);
}

/** Where a family name's lower-case particles (van der, de, von) begin before `end`: they belong to it. */
function particlesFrom(words: readonly string[], end: number, floor: number): number {
  let i = end;
  while (i > floor && /^\p{Ll}/u.test(words[i - 1]!)) i--;
  return i;
}

/**
 * A full name as Salesforce's two fields. Which words are the first name is not knowable from the text
 * alone, so the record's own split is kept where the new name still starts with its first name or ends
 * with its last name (a middle name added between them joins the first name, lower-case particles such
 * as "van der" the last name). Otherwise the last word, with the particles before it, is the last name.
 * One word is a last name only (LastName is required, FirstName is not).
 */
export function splitName(name: string, row: Record<string, unknown>): { FirstName: string | null; LastName: string } {
  const words = name.trim().split(/\s+/);
  const first = textOf(row.FirstName)?.trim().split(/\s+/) ?? [];
  const last = textOf(row.LastName)?.trim().split(/\s+/) ?? [];
  const same = (a: readonly string[], at: number) => a.length > 0 && a.every((w, i) => words[at + i] === w);
  const keepsFirst = first.length < words.length && same(first, 0);
  const keepsLast = last.length < words.length && same(last, words.length - last.length);
  let cut: number;
  if (keepsFirst && keepsLast && first.length + last.length <= words.length) cut = particlesFrom(words, words.length - last.length, first.length);
  else if (keepsFirst) cut = first.length;
  else if (keepsLast) cut = words.length - last.length;
  else cut = particlesFrom(words, words.length - 1, 1);
  const firstName = words.slice(0, Math.max(cut, words.length > 1 ? 1 : 0)).join(' ');
  return { FirstName: firstName || null, LastName: words.slice(Math.max(cut, words.length > 1 ? 1 : 0)).join(' ') };
}

/**
 * The PATCH body of one correction, from the record as it was read. A phone correction writes Phone,
 * and MobilePhone too where that held the same number (or was the only number): the inaccurate number
 * must not stay in the second field. An address is replaced whole: parts the correction leaves out are
 * cleared (null), so no line of the old address stays beside the new one.
 */
function patchFor(object: PersonObject, c: Correction, row: SObject, fields: ReadonlySet<string>): Record<string, unknown> {
  const value = c.value;
  switch (c.field) {
    case 'name':
      return splitName(value as string, row);
    case 'email':
      return { Email: (value as string).trim() };
    case 'phone': {
      const phone = (value as string).trim();
      const mobile = textOf(row.MobilePhone);
      const alsoMobile = fields.has('MobilePhone') && mobile !== null && (mobile === textOf(row.Phone) || textOf(row.Phone) === null);
      return alsoMobile ? { Phone: phone, MobilePhone: phone } : { Phone: phone };
    }
    case 'address':
      return addressPatch(object, value as PostalAddress, fields);
    default:
      return unmapped(c.field);
  }
}

/** A field added to RECTIFIABLE_FIELDS without a Salesforce mapping fails to compile here. */
function unmapped(field: never): never {
  throw new Error(`no Salesforce mapping for the rectifiable field ${String(field)}`);
}

/**
 * An address correction as fields. With country picklists a two-letter country goes to `CountryCode`
 * (Salesforce then sets the text to its integration value; writing both could disagree, which it
 * refuses), any other country text to `Country` as an integration value; the region goes to the State
 * text, which Salesforce matches against the states it knows for that country (it has states for about
 * ten countries by default, and refuses a region elsewhere: staff leave the region out there).
 */
function addressPatch(object: PersonObject, value: PostalAddress, fields: ReadonlySet<string>): Record<string, unknown> {
  const parts = addressParts(value);
  const a = ADDRESS_FIELDS[object];
  const street = [parts.line1, parts.line2].filter(Boolean).join('\n');
  const patch: Record<string, unknown> = { [a.street]: street || null, [a.postalCode]: parts.postalCode ?? null, [a.city]: parts.city ?? null, [a.region]: parts.region ?? null };
  if (fields.has(a.countryCode)) {
    if (parts.region === undefined && fields.has(a.regionCode)) patch[a.regionCode] = null;
    if (parts.country === undefined) patch[a.countryCode] = null;
    else if (/^[A-Za-z]{2}$/.test(parts.country)) patch[a.countryCode] = parts.country.toUpperCase();
    else patch[a.country] = parts.country;
  } else {
    patch[a.country] = parts.country ?? null;
  }
  return Object.fromEntries(Object.entries(patch).filter(([f]) => fields.has(f)));
}

export interface SalesforceRectifyDeps {
  connectorId: string;
  client(): Promise<SalesforceClient>;
}

export function createSalesforceRectify(deps: SalesforceRectifyDeps): RectifyCapability {
  let orgFields: Promise<Map<PersonObject, Set<string>>> | undefined;

  /** The fields of Contact and Lead the org has, of those the capability reads: described once per instance. */
  function fieldsIn(sf: SalesforceClient, ctx: ConnectorContext): Promise<Map<PersonObject, Set<string>>> {
    orgFields ??= Promise.all(
      PERSON_OBJECTS.map(async (object) => {
        const described = await sf.describe(object, ctx);
        if (!described) throw new ConnectorMisconfigured(deps.connectorId, `the org has no ${object} object: check baseUrl and apiVersion`);
        return [object, new Set(wantedFields(object).filter((f) => described.fields.has(f)))] as const;
      }),
    ).then((entries) => new Map(entries));
    orgFields.catch(() => {
      orgFields = undefined;
    });
    return orgFields;
  }

  /** The subject's Contacts and unconverted Leads, with the fields read for rectification. */
  async function people(subject: Subject, ctx: ConnectorContext): Promise<{ sf: SalesforceClient; fields: Map<PersonObject, Set<string>>; rows: Array<{ object: PersonObject; row: SObject }> }> {
    const sf = await deps.client();
    const fields = await fieldsIn(sf, ctx);
    const rows: Array<{ object: PersonObject; row: SObject }> = [];
    for (const object of PERSON_OBJECTS) {
      for await (const row of sf.query(selectWhereEquals(object, [...fields.get(object)!], 'Email', subject.normalizedEmail), object, ctx)) {
        // The check access applies to a returned Email (SOQL's `=` ignores case; anything looser is refused).
        if (!sameEmail(row.Email, subject.normalizedEmail)) continue;
        if (object === 'Lead' && row.IsConverted === true) continue;
        rows.push({ object, row });
      }
    }
    return { sf, fields, rows };
  }

  return {
    async current(subject, asked, ctx) {
      const { fields, rows } = await people(subject, ctx);
      const out: FieldValue[] = [];
      for (const { object, row } of rows) {
        const has = fields.get(object)!;
        const entry = (field: RectifiableField, systemField: string, value: FieldValue['value']) => out.push({ object, recordId: row.Id, field, systemField, value });
        for (const field of asked) {
          switch (field) {
            case 'name':
              entry(field, systemFieldOf(object, field, has), nameOf(row));
              break;
            case 'email':
              entry(field, 'Email', textOf(row.Email));
              break;
            case 'phone':
              entry(field, 'Phone', textOf(row.Phone));
              // The second number is shown where the record has one: staff see both before choosing.
              if (textOf(row.MobilePhone) !== null) entry(field, 'MobilePhone', textOf(row.MobilePhone));
              break;
            case 'address':
              entry(field, systemFieldOf(object, field, has), addressOf(object, row, has));
              break;
            default:
              unmapped(field);
          }
        }
      }
      return out;
    },

    async apply(subject, corrections, ctx) {
      checkCorrections(deps.connectorId, corrections, () => true);
      const { sf, fields, rows } = await people(subject, ctx);
      const key = (object: string, id: string) => `${object}\u0000${id}`;
      const mine = new Map(rows.map((r) => [key(r.object, r.row.Id), r]));
      // A record an earlier run of this batch already moved to the corrected address is found there.
      const wanted = new Set(corrections.map((c) => key(c.object, c.recordId)));
      for (const moved of movedTo(corrections, (c) => mine.has(key(c.object, c.recordId)))) {
        for (const r of (await people(moved, ctx)).rows) if (wanted.has(key(r.object, r.row.Id))) mine.set(key(r.object, r.row.Id), r);
      }
      const out: RectificationItem[] = [];
      for (const c of corrections) {
        const found = mine.get(key(c.object, c.recordId));
        let status: RectificationItem['status'] = 'not_found';
        if (found) {
          const result = await sf.update(found.object, found.row.Id, patchFor(found.object, c, found.row, fields.get(found.object)!), ctx);
          // A Lead converted since the lookup no longer takes changes: its Contact holds the person now.
          status = result === 'updated' ? 'corrected' : 'not_found';
        }
        out.push({ object: c.object, recordId: c.recordId, field: c.field, status });
      }
      return out;
    },
  };
}
