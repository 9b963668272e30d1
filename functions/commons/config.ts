/**
 * The one typed configuration of an installation (DESIGN section 5).
 *
 * It is a JSON file validated with zod when a function starts. On AWS the file is bundled next to each
 * function (`DSAR_CONFIG_FILE=/var/task/dsar.config.json`); the embedded runtime points the same
 * variable at `config/example.config.json` or at the user's own file. `DSAR_CONFIG` (inline JSON) wins
 * when set, which tests use to change one setting.
 */
import { readFileSync } from 'node:fs';
import * as z from 'zod/mini';
import '#commons/zod';
import { stripeConfigProblems } from '#connectors/stripe/settings';
import { datasetSchema, objectSettingsOf } from '#connectors/sql/dataset';
import { resolve } from 'node:path';

/**
 * `marketing_opt_out`: objection to direct marketing and withdrawal of marketing consent (GDPR Art.
 * 21(2)-(3), Art. 7(3)) and the CCPA opt-out of sale or sharing (§1798.120, 11 CCR §7026). It acts
 * (suppresses marketing in every system) instead of answering with data.
 *
 * `rectification`: the right to have inaccurate data corrected (GDPR Art. 16; CCPA §1798.106, 11 CCR
 * §7023). It acts too: staff choose the corrections from the values each system holds, the connectors
 * write them and read them back (docs/rectification.md).
 *
 * `restriction`: restriction of processing (GDPR Art. 18): the subject's data is marked restricted in
 * every system until staff lift it, after telling the subject (Art. 18(3)).
 */
export const REQUEST_TYPES = ['access', 'erasure', 'portability', 'marketing_opt_out', 'rectification', 'restriction'] as const;
export type RequestType = (typeof REQUEST_TYPES)[number];

export const JURISDICTIONS = ['GDPR', 'UK_GDPR', 'CCPA', 'VCDPA', 'CPA', 'LGPD', 'PIPEDA'] as const;
export type Jurisdiction = (typeof JURISDICTIONS)[number];

import { ORIGINS, type Origin } from './origins.ts';
import { localText, localTextSchema } from './local-text.ts';

export { ORIGINS, type Origin };

const erasurePolicySchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('delete') }),
  z.object({
    action: z.literal('anonymize'),
    /** field name -> how to anonymize it */
    fields: z.record(z.string(), z.enum(['null', 'redact', 'hash'])),
  }),
  z.object({
    action: z.literal('retain'),
    /** Why the records are kept and for how long, as the erasure report tells the subject (one string or one per language). */
    legalBasis: localTextSchema,
    retentionPeriod: localTextSchema,
  }),
]);
/** An erasure policy as configured: a `retain` policy's reasons may be given per language. */
export type ConfiguredErasurePolicy = z.infer<typeof erasurePolicySchema>;
/**
 * An erasure policy as connectors apply it: a `retain` policy's reasons in English, as the erasure's
 * record keeps them for staff; the subject's report reads them in the subject's language from the
 * configuration (`retainedReasonIn`).
 */
export type ErasurePolicy =
  | Exclude<ConfiguredErasurePolicy, { action: 'retain' }>
  | { action: 'retain'; legalBasis: string; retentionPeriod: string };

/** A configured policy as connectors apply it (see ErasurePolicy). */
export function appliedPolicy(policy: ConfiguredErasurePolicy): ErasurePolicy {
  return policy.action === 'retain'
    ? { action: 'retain', legalBasis: localText(policy.legalBasis, 'en'), retentionPeriod: localText(policy.retentionPeriod, 'en') }
    : policy;
}

/** How the access report shows values: dates from Unix seconds or ISO strings, money in minor units. */
export const FIELD_FORMATS = ['text', 'date', 'datetime', 'unix-date', 'unix-datetime', 'minor-units'] as const;
export type FieldFormat = (typeof FIELD_FORMATS)[number];

/**
 * One entry of the field dictionary: how the access report names a field (a dotted path) and whether it
 * shows it. Connectors give defaults (functions/connectors/fields.ts); configuration overrides them.
 * A hidden field stays in data.json and the CSVs; only the readable report leaves it out.
 */
const fieldEntrySchema = z.object({
  label: z.optional(localTextSchema),
  hidden: z.optional(z.boolean()),
  format: z.optional(z.enum(FIELD_FORMATS)),
  /** The field that names a record in the report's list (its `<summary>`). */
  title: z.optional(z.boolean()),
});
export type FieldEntry = z.infer<typeof fieldEntrySchema>;

const objectSettingsSchema = z.object({
  /** Personal-data category the object falls under, shown in the access report. */
  category: z.string().check(z.minLength(1)),
  /** The object's name as the subject reads it ("Payments"); the connector's default, else the object name. */
  label: z.optional(localTextSchema),
  /** Field dictionary overrides, by dotted path (`billing_details.address.city`). */
  fields: z.optional(z.record(z.string(), fieldEntrySchema)),
  origin: z._default(z.enum(ORIGINS), 'provided'),
  /** Per-field origin where it differs from the object's. */
  fieldOrigins: z._default(z.record(z.string(), z.enum(ORIGINS)), {}),
  erasure: z.optional(erasurePolicySchema),
});
export type ObjectSettings = z.infer<typeof objectSettingsSchema>;

/**
 * What GDPR Art. 15(1) and 15(2) require about the processing in one system: the access report states it
 * for each system where data was found, so the subject reads the purposes, recipients and retention
 * that apply to their data, not the whole privacy notice.
 */
const art15Schema = z.object({
  /** Art. 15(1)(a). */
  purposes: z.array(localTextSchema).check(z.minLength(1)),
  /** Art. 6 (and 9) bases, one per purpose or group of purposes. */
  legalBases: z.array(localTextSchema).check(z.minLength(1)),
  /** Art. 15(1)(b); the categories of the objects found when absent. */
  categories: z.optional(z.array(localTextSchema)),
  /**
   * Art. 15(1)(c): the `privacyNotice.recipients` who receive this system's data, by name, or by name
   * with what they receive it for (`{"name": "Stripe", "purpose": {"en": "processes your payments"}}`);
   * the notice's purpose of the recipient applies when none is given.
   */
  recipients: z._default(z.array(z.union([z.string(), z.object({ name: z.string(), purpose: localTextSchema })])), []),
  /** Art. 15(1)(d): the period, or the criteria that set it. */
  retention: localTextSchema,
  /** Art. 15(1)(g): where the data comes from. */
  source: localTextSchema,
  /** Art. 15(2): transfers to third countries, each with its safeguard. */
  transfers: z._default(
    z.array(z.object({ recipient: z.string(), country: z.string().check(z.length(2)), safeguards: localTextSchema })),
    [],
  ),
  /** Art. 15(1)(h): what the inferred or derived fields of this system are used for (profiling). */
  profiling: z.optional(localTextSchema),
  /** Art. 15(1)(h): automated decisions this system makes; the organisation's statement applies when absent. */
  automatedDecisions: z.optional(localTextSchema),
});
export type Art15Facts = z.infer<typeof art15Schema>;

/** The name of a system's recipient entry, given as a name or as `{name, purpose}`. */
export function recipientName(entry: Art15Facts['recipients'][number]): string {
  return typeof entry === 'string' ? entry : entry.name;
}

const connectorBase = {
  id: z.string().check(z.regex(/^[a-z][a-z0-9-]{1,40}$/, 'connector ids are lower-case slugs')),
  /**
   * Name of the system as the subject reads it (report, mails, status page): one string, or one per
   * language (`{"en": "Stripe (payments)", "nb": "Stripe (betalinger)"}`); staff read the English one.
   */
  displayName: localTextSchema,
  enabled: z._default(z.boolean(), true),
  /** Default erasure policy for objects without their own. */
  erasure: z._default(erasurePolicySchema, { action: 'delete' }),
  objects: z._default(z.record(z.string(), objectSettingsSchema), {}),
  /** The Art. 15 facts of this system (see art15Schema); the privacy notice's general text when absent. */
  art15: z.optional(art15Schema),
};

/** An attribute (DynamoDB) or a dotted path into a JSON document (S3), as named in a `rectify` map. */
const rectifyTarget = z.string().check(z.minLength(1));

/**
 * Where an own store keeps each field a subject may have corrected (GDPR Art. 16): the attribute (or, in
 * a JSON document, the dotted path) per field. The address is one attribute holding a map with the
 * parts' names (`line1`, `line2`, `postalCode`, `city`, `region`, `country`), or one attribute per part.
 * A field left out is one the store does not hold: it is neither shown nor corrected there.
 */
const rectifyTargetsSchema = z.strictObject({
  name: z.optional(rectifyTarget),
  email: z.optional(rectifyTarget),
  phone: z.optional(rectifyTarget),
  address: z.optional(
    z.union([
      rectifyTarget,
      z
        .strictObject({
          line1: z.optional(rectifyTarget),
          line2: z.optional(rectifyTarget),
          postalCode: z.optional(rectifyTarget),
          city: z.optional(rectifyTarget),
          region: z.optional(rectifyTarget),
          country: z.optional(rectifyTarget),
        })
        .check(z.refine((parts) => Object.values(parts).some(Boolean), 'name the attribute of at least one part of the address')),
    ]),
  ),
});
export type RectifyTargets = z.infer<typeof rectifyTargetsSchema>;

/** The attributes a `rectify` map writes, each once. */
function rectifyAttributes(targets: RectifyTargets): string[] {
  const { address, ...single } = targets;
  const parts = typeof address === 'object' ? Object.values(address) : [address];
  return [...new Set([...Object.values(single), ...parts].filter((a): a is string => Boolean(a)))];
}

const dynamodbConnectorSchema = z.object({
  ...connectorBase,
  kind: z.literal('dynamodb'),
  tableName: z.string().check(z.minLength(3)),
  /** Object name used in the export for the records of this table. */
  objectName: z.string().check(z.minLength(1)),
  /**
   * How the subject's items are found: a query on an index whose partition key holds the normalised
   * email (never a scan: the table may hold millions of other people).
   */
  lookup: z.object({
    indexName: z.optional(z.string()),
    partitionKey: z.string().check(z.minLength(1)),
  }),
  /** The table's own key attributes, needed to delete an item. */
  keyAttributes: z.array(z.string()).check(z.minLength(1), z.maxLength(2)),
  /**
   * The table's marketing flag, where the company markets to the people in it: a marketing opt-out sets
   * `attribute` to `optedOutValue` (and `optedOutAtAttribute`, when named, to the time), and reads it back.
   */
  marketing: z.optional(z.object({
    attribute: z.string().check(z.minLength(1)),
    optedOutValue: z.union([z.boolean(), z.string()]),
    optedOutAtAttribute: z.optional(z.string().check(z.minLength(1))),
  })),
  /**
   * The table's restriction mark (GDPR Art. 18), where the company's processes honour one: a restriction
   * sets `attribute` to `restrictedValue` and `restrictedAtAttribute` to the time; lifting removes both.
   */
  restriction: z.optional(z.object({
    attribute: z.string().check(z.minLength(1)),
    restrictedValue: z._default(z.union([z.boolean(), z.string()]), true),
    restrictedAtAttribute: z._default(z.string().check(z.minLength(1)), 'restrictedAt'),
  })),
  /**
   * The attributes of the fields a rectification may correct (see rectifyTargetsSchema). None of them
   * may be a key attribute: DynamoDB cannot change a key in place, so an email that is the table's key
   * cannot be corrected by an update (it would take a new item under a new key); leave it out here.
   */
  rectify: z.optional(rectifyTargetsSchema),
}).check(
  z.refine(
    (c) => !c.rectify || !rectifyAttributes(c.rectify).some((a) => c.keyAttributes.includes(a) || (!c.lookup.indexName && a === c.lookup.partitionKey)),
    {
      path: ['rectify'],
      message: 'names a key attribute of the table: DynamoDB cannot change a key in place (the correction would need a new item under a new key), so leave that field out of rectify and correct it by hand',
    },
  ),
);

const s3ConnectorSchema = z.object({
  ...connectorBase,
  kind: z.literal('s3'),
  bucket: z.string().check(z.minLength(3)),
  /** Prefix with `{subjectKey}`: the per-user folder of JSON-lines objects. */
  prefixTemplate: z.string().check(z.includes('{subjectKey}')),
  /**
   * Which identifier names the user's folder: the normalised email, or an attribute of the subject's
   * item in another connector (for example the account id held by the account store).
   */
  subjectKey: z.union([
    z.object({ from: z.literal('email') }),
    z.object({ from: z.literal('connector'), connectorId: z.string(), attribute: z.string() }),
  ]),
  objectName: z.string().check(z.minLength(1)),
});

const saasConnectorSchema = z.object({
  ...connectorBase,
  kind: z.enum(['salesforce', 'stripe', 'hubspot', 'google-analytics']),
  /** Base URL of the vendor API; the embedded runtime points it at the local sandbox. */
  baseUrl: z.url(),
  /** Secrets Manager secret name on AWS; a key of the local credentials file in the embedded runtime. */
  credentials: z.string().check(z.minLength(1)),
  settings: z._default(z.record(z.string(), z.unknown()), {}),
});

/** What the relational connectors share, whichever engine and however they reach it. */
const sqlConnectorBase = {
  ...connectorBase,
  /**
   * Secrets Manager secret (a key of the local credentials file in the embedded runtime) holding `url`,
   * or `host`, `port`, `database`, `user`, `password`; and `maskingKey` when a field is masked by keyed
   * hash. Left out when `dataApi` is given (its secret is the one read then).
   */
  credentials: z.optional(z.string().check(z.minLength(1))),
  /**
   * Reach an Aurora cluster through the RDS Data API instead of a connection (no VPC needed): the
   * cluster's ARN, the Secrets Manager secret ARN the Data API signs in with (which may also hold
   * `maskingKey`), and the database.
   */
  dataApi: z.optional(
    z.strictObject({
      resourceArn: z.string().check(z.regex(/^arn:aws[a-z-]*:rds:[a-z0-9-]+:\d{12}:cluster:[A-Za-z][A-Za-z0-9-]*$/, 'an Aurora cluster ARN (arn:aws:rds:<region>:<account>:cluster:<name>)')),
      secretArn: z.string().check(z.regex(/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$/, 'a Secrets Manager secret ARN')),
      database: z.string().check(z.minLength(1)),
    }),
  ),
  /** The dataset, inline; a path in the file (`config/datasets/product.json`) is read in by parseConfig. */
  dataset: datasetSchema,
  /** How many keys one statement carries, and how many rows one transaction changes. */
  batchSize: z._default(z.int().check(z.minimum(1), z.maximum(10_000)), 500),
};

const postgresConnectorSchema = z.object({ ...sqlConnectorBase, kind: z.literal('postgres') });
/** MySQL or MariaDB (through `mysql2`), or Aurora MySQL through the Data API. */
const mysqlConnectorSchema = z.object({ ...sqlConnectorBase, kind: z.literal('mysql') });

export const connectorSchema = z.discriminatedUnion('kind', [
  dynamodbConnectorSchema,
  s3ConnectorSchema,
  saasConnectorSchema,
  postgresConnectorSchema,
  mysqlConnectorSchema,
]);
export type ConnectorConfig = z.infer<typeof connectorSchema>;
export type DynamoDbConnectorConfig = z.infer<typeof dynamodbConnectorSchema>;
export type S3ConnectorConfig = z.infer<typeof s3ConnectorSchema>;
export type SaasConnectorConfig = z.infer<typeof saasConnectorSchema>;
export type PostgresConnectorConfig = z.infer<typeof postgresConnectorSchema>;
export type MysqlConnectorConfig = z.infer<typeof mysqlConnectorSchema>;
/** A relational connector, of either engine. */
export type SqlConnectorConfig = PostgresConnectorConfig | MysqlConnectorConfig;
export const isSqlConnector = (c: ConnectorConfig): c is SqlConnectorConfig => c.kind === 'postgres' || c.kind === 'mysql';

const recipientSchema = z.object({
  /** The recipient's key: systems name it in `art15.recipients` and `transfers`; staff read it. */
  name: z.string(),
  /** The recipient as the subject reads it, one string or one per language; `name` when absent. */
  label: z.optional(localTextSchema),
  role: z.string(),
  /** What the recipient receives the data for, as the subject reads it (one string or one per language). */
  purpose: localTextSchema,
  country: z.optional(z.string()),
  thirdCountry: z._default(z.boolean(), false),
  /**
   * Where this recipient is told about an erasure, a restriction or its lifting (GDPR Art. 19,
   * ../domain/art19/recipients.ts). Connectors tell their own systems through the change itself; others
   * with an address here get an email naming the request, the rest become a task for staff.
   */
  notifyEmail: z.optional(z.email()),
});

/**
 * A third party to whom the company sells or shares personal information (CCPA: "sale", "sharing" for
 * cross-context behavioural advertising). After a marketing opt-out each is told to stop and to pass the
 * request on (11 CCR §7026(f)(2)-(3)); the subject's confirmation names them (docs/marketing-opt-out.md).
 */
const thirdPartySchema = z.object({
  id: z.string().check(z.regex(/^[a-z][a-z0-9-]{1,40}$/, 'third-party ids are lower-case slugs')),
  /** The third party as the subject reads it, one string or one per language. */
  name: localTextSchema,
  /** What the company sells or shares with it, as the subject reads it (one string or one per language). */
  what: z.optional(localTextSchema),
  contact: z.prefault(z.object({
      /** Where the opt-out is mailed; without one, staff get a follow-up task to tell the third party. */
      email: z.optional(z.email()),
      /** The language of that mail (a catalogue locale, e.g. `nb`); English by default. */
      locale: z.optional(z.string().check(z.maxLength(20))),
    }), {}),
});
export type ThirdPartyConfig = z.infer<typeof thirdPartySchema>;

/** A fixed-window limit: at most `limit` events per key in each window of `windowSeconds`. */
const rateWindowSchema = z.object({
  limit: z.number().check(z.int(), z.minimum(1), z.maximum(1_000_000)),
  windowSeconds: z.number().check(z.int(), z.minimum(1), z.maximum(7 * 86_400)),
});
export type RateWindow = z.infer<typeof rateWindowSchema>;

/**
 * A resale partner whose end users' data the company processes on the partner's behalf (GDPR Art. 28:
 * the partner is the controller). A request from one of them is forwarded to the partner, not answered.
 */
const partnerSchema = z.object({
  id: z.string().check(z.regex(/^[a-z][a-z0-9-]{1,40}$/, 'partner ids are lower-case slugs')),
  /** The partner's name as the subject reads it: "your request is for <name> to answer". */
  name: z.string().check(z.minLength(1), z.maxLength(200)),
  contact: z.object({
    /** Where forwarded requests go (the partner's privacy contact under the data processing agreement). */
    email: z.email(),
    /** How the subject reaches the partner: a privacy page, a phone number, a postal address. */
    url: z.optional(z.url()),
    phone: z.optional(z.string().check(z.maxLength(60))),
    address: z.optional(z.string().check(z.maxLength(300))),
    /** The language the forwarded request is written in (a catalogue locale, e.g. `nb`); English by default. */
    locale: z.optional(z.string().check(z.maxLength(20))),
  }),
  /** How the partner's end users are recognised; at least one way. */
  recognise: z
    .object({
      /** The domains of the end users' addresses (exact, or any subdomain of one), lower case. */
      emailDomains: z.optional(z.array(z.string().check(z.regex(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/, 'a domain such as customer.example')))),
      /** An attribute of the subject's record in one connector (the own account store): `name` equal to `value`. */
      accountAttribute: z.optional(
        z.object({
          connectorId: z._default(z.string(), 'accounts'),
          name: z.string().check(z.minLength(1)),
          value: z.string().check(z.minLength(1)),
        }),
      ),
    })
    .check(z.refine((r) => Boolean(r.emailDomains?.length || r.accountAttribute), 'give emailDomains or accountAttribute')),
});
export type PartnerConfig = z.infer<typeof partnerSchema>;

/**
 * The most an agent's signed permission may ever be: it travels base64 inside the JSON intake body, and
 * a Lambda invocation's payload is at most 6 MB (API Gateway's 10 MB does not bind first).
 */
export const PERMISSION_CEILING_BYTES = 4 * 1024 * 1024;

/** The intake route's body limit: the usual JSON fields (`fieldsBytes`) plus the largest permission as base64. */
export function intakeMaxBodyBytes(fieldsBytes = 64 * 1024): number {
  return fieldsBytes + Math.ceil(PERMISSION_CEILING_BYTES / 3) * 4;
}

/** Days from a follow-up task's creation to its due date (`tasks.dueDays`), with the kind's default. */
const taskDueDays = (days: number) => z._default(z.number().check(z.int(), z.minimum(0), z.maximum(90)), days);

export const configSchema = z.object({
  organisation: z.object({
    name: z.string().check(z.minLength(1)),
    /** Postal address as the subject reads it (one string or one per language). */
    address: localTextSchema,
    country: z.string().check(z.length(2)),
    timezone: z.string().check(z.minLength(1)),
    dpo: z.object({ name: z.string(), email: z.email() }),
    privacyNoticeUrl: z.url(),
  }),
  supervisoryAuthority: z.object({
    /** Name and address as the subject reads them (one string or one per language). */
    name: localTextSchema,
    address: localTextSchema,
    url: z.url(),
  }),
  /** The facts an access report must state (GDPR Art. 15(1)(a)-(h) and 15(2)). */
  privacyNotice: z.object({
    purposes: z.array(localTextSchema).check(z.minLength(1)),
    categories: z.array(localTextSchema).check(z.minLength(1)),
    recipients: z.array(recipientSchema),
    retention: z.array(localTextSchema).check(z.minLength(1)),
    sources: z.array(localTextSchema).check(z.minLength(1)),
    transfers: localTextSchema,
    /**
     * Art. 15(1)(h), organisation-wide: whether decisions based solely on automated processing (Art. 22)
     * are made, and if so the logic, significance and consequences. A connector's `art15.automatedDecisions`
     * adds to it for that system.
     */
    automatedDecisions: localTextSchema,
    rights: localTextSchema,
  }),
  jurisdictions: z.object({
    default: z.enum(JURISDICTIONS),
    defaultCountry: z.string().check(z.length(2)),
    /** Whether the public form asks the subject for a jurisdiction. */
    askSubject: z._default(z.boolean(), false),
  }),
  review: z.prefault(z.object({
      access: z._default(z.enum(['auto', 'staff']), 'staff'),
      // Erasure cannot be undone: staff review unless configured otherwise.
      erasure: z._default(z.enum(['auto', 'staff']), 'staff'),
      portability: z._default(z.enum(['auto', 'staff']), 'staff'),
      // Stopping marketing only ever narrows what the company does, and CCPA §7026 and Art. 21(3) want it
      // done at once: no staff review unless configured.
      marketing_opt_out: z._default(z.enum(['auto', 'staff']), 'auto'),
      // Whether an Art. 18(1) ground applies is for staff to weigh, and a restriction limits what the
      // company may do with the data until it is lifted: staff review unless configured otherwise.
      restriction: z._default(z.enum(['auto', 'staff']), 'staff'),
      // Staff choose every correction from the values the systems hold (and may refuse one, §7023(f)):
      // without that choice there is nothing to write, so a rectification is always reviewed.
      rectification: z._default(z.literal('staff', { error: 'review.rectification can only be "staff": staff choose the corrections' }), 'staff'),
      /** Per-jurisdiction exceptions, e.g. `{"CCPA": {"access": "auto"}}`. */
      byJurisdiction: z._default(
        z.partialRecord(
          z.enum(JURISDICTIONS),
          z.partialRecord(z.enum(REQUEST_TYPES), z.enum(['auto', 'staff'])),
        ),
        {},
      ),
    }), {}),
  /**
   * Who lets a package go to the subject once it is assembled: `staff` (the workflow waits after
   * Assemble; staff look at it, may withhold records with a reason, and release it) or `automatic` (it
   * goes out at once). Staff by default for both types with a package: Art. 15(4) for access and
   * Art. 20(4) for portability both say the copy must not adversely affect the rights and freedoms of
   * others, and both packages are read from the same CRM systems (emails, notes, tasks) that hold third
   * parties' data and staff's remarks. Erasure has no package, so nothing to release.
   */
  release: z.prefault(z.object({
      access: z._default(z.enum(['automatic', 'staff']), 'staff'),
      portability: z._default(z.enum(['automatic', 'staff']), 'staff'),
    }), {}),
  verification: z.prefault(z.object({
      codeTtlMinutes: z._default(z.number().check(z.int(), z.minimum(1), z.maximum(120)), 15),
      maxAttempts: z._default(z.number().check(z.int(), z.minimum(1), z.maximum(20)), 5),
      /** A request left unverified this long is closed and the subject told. */
      unverifiedTimeoutSeconds: z._default(z.number().check(z.int(), z.minimum(1)), 7 * 24 * 3600),
      /**
       * Whether a marketing opt-out asks for the mailed code (`code`) or acts on the given address at once
       * (`none`, the default; docs/marketing-opt-out.md, "Verification"). An opt-out only narrows what the
       * company does and reads nothing out, GDPR Art. 12(2) and 7(3) ask that it be as easy as giving
       * consent, and 11 CCR §7026(d) forbids asking more than the address: a CCPA opt-out never asks for
       * the code, whatever this says.
       */
      marketing_opt_out: z._default(z.enum(['code', 'none']), 'none'),
    }), {}),
  /**
   * Limits that stop floods from anonymous callers (docs/security.md, "Rate limits and mail volume").
   * Fixed windows counted in the request table. The defaults are far above a normal day of use and far
   * below what a script sends.
   */
  rateLimits: z.prefault(z.object({
      /** Calls per client IP (hashed before it is stored) to each public endpoint an anonymous caller can spray. */
      perClientIp: z.prefault(z.object({
          intake: z.prefault(rateWindowSchema, { limit: 30, windowSeconds: 3600 }),
          verify: z.prefault(rateWindowSchema, { limit: 60, windowSeconds: 3600 }),
          resend: z.prefault(rateWindowSchema, { limit: 20, windowSeconds: 3600 }),
        }), {}),
      /**
       * Mails an anonymous caller can cause (acknowledgement, verification code, duplicate notice, the
       * notice that an unverified request was closed) per recipient address, across all requests. Mails
       * that follow a verified request or a staff action are never limited.
       */
      mailsPerRecipient: z.prefault(rateWindowSchema, { limit: 6, windowSeconds: 86_400 }),
      /** Duplicate notices per recipient address: repeated duplicate filings collapse into this many. */
      duplicateNoticesPerRecipient: z.prefault(rateWindowSchema, { limit: 1, windowSeconds: 86_400 }),
    }), {}),
  workflow: z.prefault(z.object({
      /** How long staff may take over a review or a failed-connector decision. */
      staffTaskTimeoutSeconds: z._default(z.number().check(z.int(), z.minimum(1)), 60 * 24 * 3600),
    }), {}),
  delivery: z.prefault(z.object({
      /** How long the emailed download link works; the package is deleted after. */
      linkTtlDays: z._default(z.number().check(z.int(), z.minimum(1), z.maximum(30)), 7),
      /** Lifetime of the presigned S3 URL that the download endpoint redirects to. */
      presignedUrlSeconds: z._default(z.number().check(z.int(), z.minimum(30), z.maximum(3600)), 300),
    }), {}),
  deadlines: z.prefault(z.object({
      /**
       * Whether staff may stop the clock on an EU GDPR request while waiting for information asked of the
       * subject. Only EDPB guidance (01/2022 §159) supports it, so an installation opts in; the UK Act
       * allows it always and the other laws never.
       */
      gdprClockStop: z._default(z.boolean(), false),
    }), {}),
  escalation: z.prefault(z.object({
      /** Days before the due date at which staff are chased; each fires once per request and due date. */
      thresholdDays: z._default(z.array(z.number().check(z.int(), z.minimum(1), z.maximum(60))).check(z.minLength(1)), [7, 3, 1]),
      /** Days before an acknowledgement date (CCPA: 10 business days) at which a missing one is chased. */
      acknowledgementLeadDays: z._default(z.number().check(z.int(), z.minimum(0), z.maximum(10)), 2),
      /** Whether overdue requests are also reported to the DPO. */
      overdueToDpo: z._default(z.boolean(), true),
    }), {}),
  /**
   * Follow-up tasks under a request (functions/domain/todos): days from a task's creation to its due
   * date, per kind. Art. 19 asks recipients to be told "without undue delay": a week by default.
   */
  tasks: z.prefault(z.object({
      dueDays: z.prefault(z.object({
        'art19-recipient': taskDueDays(7),
        'partial-answer': taskDueDays(14),
        'withheld-review': taskDueDays(7),
        /** A third party without a contact address that staff must tell about an opt-out (11 CCR §7026(f)). */
        'optout-third-party': taskDueDays(7),
      }), {}),
    }), {}),
  email: z.object({
    from: z.email(),
    staff: z.array(z.email()).check(z.minLength(1)),
    /** Public URL of the request page and API, used in links in emails. */
    publicBaseUrl: z.url(),
    consoleBaseUrl: z.url(),
  }),
  console: z.prefault(z.object({
      /**
       * Whether staff with the viewer role only see a subject's address and name masked (`a•••@example.com`,
       * initials) in the queue, the request and its history; approvers always see them in full.
       */
      maskSubjectForViewers: z._default(z.boolean(), false),
    }), {}),
  /** Requests filed by an authorised agent (CCPA 11 CCR 7063; GDPR representation): docs/security.md, "Authorised agents". */
  agents: z.prefault(z.object({
      /**
       * Whether staff may accept the agent's power of attorney in place of the subject's own verification
       * (a staff action, audited). Off: the subject always verifies by their own address.
       */
      acceptPowerOfAttorney: z._default(z.boolean(), false),
      /**
       * Largest signed permission an agent may upload. It travels base64 inside the JSON intake body, and a
       * Lambda invocation takes at most 6 MB, so 4 MiB (5.6 MB as base64) is the ceiling.
       */
      permissionMaxBytes: z._default(z.number().check(z.int(), z.minimum(10_240), z.maximum(PERMISSION_CEILING_BYTES)), 3 * 1024 * 1024),
    }), {}),
  records: z.prefault(z.object({
      /** How long a closed request keeps the subject's email and name before they are hashed. */
      subjectRetentionMonths: z._default(z.number().check(z.int(), z.minimum(1), z.maximum(120)), 24),
    }), {}),
  connectors: z.array(connectorSchema).check(z.minLength(1)),
  /** The marketing opt-out beyond the connected systems (docs/marketing-opt-out.md, "Third parties"). */
  marketing: z.prefault(z.object({
      thirdParties: z._default(z.array(thirdPartySchema), []),
    }), {}),
  /** Resale partners for whose end users the company is a processor (see docs/processor-mode.md). */
  partners: z._default(z.array(partnerSchema), []),
});

export type DsarConfig = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export interface ParseOptions {
  /** Where dataset paths are resolved from; the working directory by default (the repository, for `npm start` and `cdk synth`). */
  baseDir?: string;
}

/** Validates a configuration object; the message lists every problem with its path. */
export function parseConfig(input: unknown, options: ParseOptions = {}): DsarConfig {
  const result = configSchema.safeParse(withDatasetFiles(input, options.baseDir ?? process.cwd()));
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new ConfigError(`invalid DSAR configuration:\n  ${problems.join('\n  ')}`);
  }
  const ids = result.data.connectors.map((c) => c.id);
  const dup = ids.find((id, i) => ids.indexOf(id) !== i);
  if (dup) throw new ConfigError(`invalid DSAR configuration: connector id "${dup}" is used twice`);
  const thirdPartyIds = result.data.marketing.thirdParties.map((t) => t.id);
  const dupThirdParty = thirdPartyIds.find((id, i) => thirdPartyIds.indexOf(id) !== i);
  if (dupThirdParty) throw new ConfigError(`invalid DSAR configuration: marketing third-party id "${dupThirdParty}" is used twice`);
  const partnerProblems = partnerConfigProblems(result.data);
  if (partnerProblems.length) throw new ConfigError(`invalid DSAR configuration:\n  ${partnerProblems.join('\n  ')}`);
  // Vendor rules a schema cannot say: fields the vendor would refuse to update, preview opt-ins.
  const vendor = result.data.connectors.flatMap((c) => (c.kind === 'stripe' ? stripeConfigProblems(c).map((p) => `connectors.${c.id}.${p}`) : []));
  if (vendor.length) throw new ConfigError(`invalid DSAR configuration:\n  ${vendor.join('\n  ')}`);
  // A relational connector reaches its database one way: a connection's secret, or the Data API.
  const reach = result.data.connectors
    .filter(isSqlConnector)
    .filter((c) => !c.credentials === !c.dataApi)
    .map((c) => `connectors.${c.id}: give either credentials (a connection's secret) or dataApi (an Aurora cluster), ${c.dataApi ? 'not both' : 'one of them'}`);
  if (reach.length) throw new ConfigError(`invalid DSAR configuration:\n  ${reach.join('\n  ')}`);
  // A relational connector's objects are its dataset's tables, with the category, origins and erasure
  // the dataset declares (one home for them); an `objects` entry in the configuration still wins.
  // Erasure has its one home in the dataset (which masks, which order): an `objects` entry may rename the
  // category, never change what erasure does, or the connector and the read-back would disagree. (A parsed
  // configuration, bundled or written for the functions, carries the dataset's own policy: that passes.)
  const twice = result.data.connectors.flatMap((c) => {
    if (!isSqlConnector(c)) return [];
    const fromDataset = objectSettingsOf(c.dataset);
    return Object.entries(c.objects)
      .filter(([table, o]) => o.erasure && JSON.stringify(o.erasure) !== JSON.stringify(fromDataset[table]?.erasure))
      .map(([table]) => `connectors.${c.id}.objects.${table}.erasure: declare erasure in the dataset`);
  });
  if (twice.length) throw new ConfigError(`invalid DSAR configuration:\n  ${twice.join('\n  ')}`);
  // A system's recipients and transfers name the privacy notice's recipients: one home for who they are.
  const known = new Set(result.data.privacyNotice.recipients.map((r) => r.name));
  const unknown = result.data.connectors.flatMap((c) => [
    ...(c.art15?.recipients ?? []).map(recipientName).filter((name) => !known.has(name)).map((name) => `connectors.${c.id}.art15.recipients: "${name}" is not in privacyNotice.recipients`),
    ...(c.art15?.transfers ?? []).filter((t) => !known.has(t.recipient)).map((t) => `connectors.${c.id}.art15.transfers: "${t.recipient}" is not in privacyNotice.recipients`),
  ]);
  if (unknown.length) throw new ConfigError(`invalid DSAR configuration:\n  ${unknown.join('\n  ')}`);
  // An entry that gives only what the report shows (a label, field labels, the category) keeps the
  // dataset's origins: leaving them out must not make the table's derived fields portable.
  const rawConnectors = ((input as { connectors?: unknown } | null)?.connectors ?? []) as Array<{ objects?: Record<string, object> } | null>;
  result.data.connectors.forEach((c, i) => {
    if (!isSqlConnector(c)) return;
    const fromDataset = objectSettingsOf(c.dataset);
    const given = rawConnectors[i]?.objects ?? {};
    const merged = Object.entries(c.objects).map(([table, o]) => {
      const dataset = fromDataset[table];
      const raw = given[table] ?? {};
      return [
        table,
        {
          ...o,
          ...(dataset && !('origin' in raw) ? { origin: dataset.origin } : {}),
          ...(dataset && !('fieldOrigins' in raw) ? { fieldOrigins: dataset.fieldOrigins } : {}),
          erasure: dataset?.erasure,
        },
      ];
    });
    c.objects = { ...fromDataset, ...Object.fromEntries(merged) };
  });
  return result.data;
}

/** The input with each relational connector's `dataset` path replaced by the file's JSON. */
function withDatasetFiles(input: unknown, baseDir: string): unknown {
  const connectors = (input as { connectors?: unknown } | null)?.connectors;
  if (!Array.isArray(connectors)) return input;
  return {
    ...(input as object),
    connectors: connectors.map((c: unknown) => {
      const path = (c as { dataset?: unknown } | null)?.dataset;
      if (typeof path !== 'string') return c;
      const file = resolve(baseDir, path);
      try {
        return { ...(c as object), dataset: JSON.parse(readFileSync(file, 'utf8')) as unknown };
      } catch (err) {
        throw new ConfigError(`cannot read the dataset of connector "${(c as { id?: unknown }).id}" from ${file}: ${(err as Error).message}`);
      }
    }),
  };
}

let cached: { source: string; config: DsarConfig } | undefined;

/** Reads the configuration named by the environment, once per source. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): DsarConfig {
  const inline = env.DSAR_CONFIG;
  const file = env.DSAR_CONFIG_FILE;
  // On AWS the stack sets DSAR_PUBLIC_BASE_URL to its distribution's address (known only at deploy), so
  // the first deployment already mails working links; it replaces email.publicBaseUrl and consoleBaseUrl.
  const publicBase = env.DSAR_PUBLIC_BASE_URL?.replace(/\/$/, '');
  const base = inline ? `inline:${inline}` : file ? `file:${file}` : '';
  if (!base) throw new ConfigError('set DSAR_CONFIG_FILE (path) or DSAR_CONFIG (JSON) to the configuration');
  const source = publicBase ? `${base}|public:${publicBase}` : base;
  if (cached?.source === source) return cached.config;
  let raw: unknown;
  try {
    raw = JSON.parse(inline ?? readFileSync(file!, 'utf8'));
  } catch (err) {
    throw new ConfigError(`cannot read the DSAR configuration from ${inline ? 'DSAR_CONFIG' : file}: ${(err as Error).message}`);
  }
  const config = parseConfig(publicBase ? withPublicBase(raw, publicBase) : raw);
  cached = { source, config };
  return config;
}

/** The raw configuration with its links pointed at `base` (validated with the rest by parseConfig). */
function withPublicBase(raw: unknown, base: string): unknown {
  if (!raw || typeof raw !== 'object') return raw;
  const email = (raw as { email?: unknown }).email;
  return { ...raw, email: { ...(email && typeof email === 'object' ? email : {}), publicBaseUrl: base, consoleBaseUrl: `${base}/console` } };
}

/** Whether a request of this type under this law goes to staff or is approved automatically. */
export function reviewMode(config: DsarConfig, type: RequestType, jurisdiction: Jurisdiction): 'auto' | 'staff' {
  // Staff choose the corrections at review: a per-law "auto" would leave nothing to write.
  if (type === 'rectification') return 'staff';
  return config.review.byJurisdiction[jurisdiction]?.[type] ?? config.review[type];
}

/** Whether a request's package waits for staff to release it (only access and portability have one). */
export function releaseMode(config: DsarConfig, type: RequestType): 'automatic' | 'staff' {
  return type === 'access' || type === 'portability' ? config.release[type] : 'automatic';
}

/**
 * A connector's name in `language` (an ISO 639 code: the subject's for what they read, English for
 * staff, logs and the audit trail); the connector's id when the configuration no longer has it.
 */
export function connectorName(config: Pick<DsarConfig, 'connectors'>, connectorId: string, language = 'en'): string {
  const connector = config.connectors.find((c) => c.id === connectorId);
  return connector ? localText(connector.displayName, language) : connectorId;
}

/** A recipient of the privacy notice as the subject reads it in `language`: its label, else its name. */
export function recipientLabel(config: Pick<DsarConfig, 'privacyNotice'>, name: string, language: string): string {
  const label = config.privacyNotice.recipients.find((r) => r.name === name)?.label;
  return label ? localText(label, language) : name;
}

/**
 * A system's name as stored on a request (in English: reports and notes keep what staff read) in
 * `language`; a name no configured connector has any more stays as stored.
 */
export function storedNameIn(config: Pick<DsarConfig, 'connectors'>, name: string, language: string): string {
  const connector = config.connectors.find((c) => localText(c.displayName, 'en') === name);
  return connector ? localText(connector.displayName, language) : name;
}

/**
 * The reasons for keeping records as the subject reads them in `language`, when the record's English
 * reasons are those its connector's configured `retain` policy for `object` gives; undefined otherwise
 * (a reason the connector itself gave, or a policy changed since).
 */
export function retainedReasonIn(
  config: Pick<DsarConfig, 'connectors'>,
  connectorId: string,
  object: string,
  item: { legalBasis?: string; retentionPeriod?: string },
  language: string,
): { legalBasis: string; retentionPeriod: string } | undefined {
  const connector = config.connectors.find((c) => c.id === connectorId);
  const policy = connector ? (connector.objects[object]?.erasure ?? connector.erasure) : undefined;
  if (policy?.action !== 'retain') return undefined;
  if (localText(policy.legalBasis, 'en') !== item.legalBasis || localText(policy.retentionPeriod, 'en') !== item.retentionPeriod) return undefined;
  return { legalBasis: localText(policy.legalBasis, language), retentionPeriod: localText(policy.retentionPeriod, language) };
}

export function enabledConnectors(config: DsarConfig): ConnectorConfig[] {
  return config.connectors.filter((c) => c.enabled);
}

/** Partner rules a schema cannot say: unique ids, and an attribute read from a connector that exists. */
function partnerConfigProblems(config: DsarConfig): string[] {
  const problems: string[] = [];
  const ids = config.partners.map((p) => p.id);
  for (const [i, p] of config.partners.entries()) {
    if (ids.indexOf(p.id) !== i) problems.push(`partners.${i}.id: partner id "${p.id}" is used twice`);
    const attr = p.recognise.accountAttribute;
    if (attr && !config.connectors.some((c) => c.id === attr.connectorId)) {
      problems.push(`partners.${i}.recognise.accountAttribute.connectorId: no connector "${attr.connectorId}"`);
    }
  }
  return problems;
}
