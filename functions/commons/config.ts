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
 */
export const REQUEST_TYPES = ['access', 'erasure', 'portability', 'marketing_opt_out'] as const;
export type RequestType = (typeof REQUEST_TYPES)[number];

export const JURISDICTIONS = ['GDPR', 'UK_GDPR', 'CCPA', 'VCDPA', 'CPA', 'LGPD', 'PIPEDA'] as const;
export type Jurisdiction = (typeof JURISDICTIONS)[number];

import { ORIGINS, type Origin } from './origins.ts';

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
    legalBasis: z.string().check(z.minLength(1)),
    retentionPeriod: z.string().check(z.minLength(1)),
  }),
]);
export type ErasurePolicy = z.infer<typeof erasurePolicySchema>;

const objectSettingsSchema = z.object({
  /** Personal-data category the object falls under, shown in the access report. */
  category: z.string().check(z.minLength(1)),
  origin: z._default(z.enum(ORIGINS), 'provided'),
  /** Per-field origin where it differs from the object's. */
  fieldOrigins: z._default(z.record(z.string(), z.enum(ORIGINS)), {}),
  erasure: z.optional(erasurePolicySchema),
});
export type ObjectSettings = z.infer<typeof objectSettingsSchema>;

const connectorBase = {
  id: z.string().check(z.regex(/^[a-z][a-z0-9-]{1,40}$/, 'connector ids are lower-case slugs')),
  /** Name of the system as the subject should read it in the report. */
  displayName: z.string().check(z.minLength(1)),
  enabled: z._default(z.boolean(), true),
  /** Default erasure policy for objects without their own. */
  erasure: z._default(erasurePolicySchema, { action: 'delete' }),
  objects: z._default(z.record(z.string(), objectSettingsSchema), {}),
};

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
});

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

const postgresConnectorSchema = z.object({
  ...connectorBase,
  kind: z.literal('postgres'),
  /**
   * Secrets Manager secret (a key of the local credentials file in the embedded runtime) holding `url`,
   * or `host`, `port`, `database`, `user`, `password`; and `maskingKey` when a field is masked by keyed hash.
   */
  credentials: z.string().check(z.minLength(1)),
  /** The dataset, inline; a path in the file (`config/datasets/product.json`) is read in by parseConfig. */
  dataset: datasetSchema,
  /** How many keys one statement carries, and how many rows one transaction changes. */
  batchSize: z._default(z.int().check(z.minimum(1), z.maximum(10_000)), 500),
});

export const connectorSchema = z.discriminatedUnion('kind', [
  dynamodbConnectorSchema,
  s3ConnectorSchema,
  saasConnectorSchema,
  postgresConnectorSchema,
]);
export type ConnectorConfig = z.infer<typeof connectorSchema>;
export type DynamoDbConnectorConfig = z.infer<typeof dynamodbConnectorSchema>;
export type S3ConnectorConfig = z.infer<typeof s3ConnectorSchema>;
export type SaasConnectorConfig = z.infer<typeof saasConnectorSchema>;
export type PostgresConnectorConfig = z.infer<typeof postgresConnectorSchema>;

const recipientSchema = z.object({
  name: z.string(),
  role: z.string(),
  purpose: z.string(),
  country: z.optional(z.string()),
  thirdCountry: z._default(z.boolean(), false),
  /**
   * Where this recipient is told about an erasure (GDPR Art. 19). Connectors tell their own systems
   * through the erasure itself; others with an address here get an email naming the request.
   */
  notifyEmail: z.optional(z.email()),
});

/** A fixed-window limit: at most `limit` events per key in each window of `windowSeconds`. */
const rateWindowSchema = z.object({
  limit: z.number().check(z.int(), z.minimum(1), z.maximum(1_000_000)),
  windowSeconds: z.number().check(z.int(), z.minimum(1), z.maximum(7 * 86_400)),
});
export type RateWindow = z.infer<typeof rateWindowSchema>;

export const configSchema = z.object({
  organisation: z.object({
    name: z.string().check(z.minLength(1)),
    address: z.string().check(z.minLength(1)),
    country: z.string().check(z.length(2)),
    timezone: z.string().check(z.minLength(1)),
    dpo: z.object({ name: z.string(), email: z.email() }),
    privacyNoticeUrl: z.url(),
  }),
  supervisoryAuthority: z.object({
    name: z.string(),
    address: z.string(),
    url: z.url(),
  }),
  /** The facts an access report must state (GDPR Art. 15(1)(a)-(h) and 15(2)). */
  privacyNotice: z.object({
    purposes: z.array(z.string()).check(z.minLength(1)),
    categories: z.array(z.string()).check(z.minLength(1)),
    recipients: z.array(recipientSchema),
    retention: z.array(z.string()).check(z.minLength(1)),
    sources: z.array(z.string()).check(z.minLength(1)),
    transfers: z.string(),
    automatedDecisions: z.string(),
    rights: z.string(),
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
      /** Per-jurisdiction exceptions, e.g. `{"CCPA": {"access": "auto"}}`. */
      byJurisdiction: z._default(
        z.partialRecord(
          z.enum(JURISDICTIONS),
          z.partialRecord(z.enum(REQUEST_TYPES), z.enum(['auto', 'staff'])),
        ),
        {},
      ),
    }), {}),
  verification: z.prefault(z.object({
      codeTtlMinutes: z._default(z.number().check(z.int(), z.minimum(1), z.maximum(120)), 15),
      maxAttempts: z._default(z.number().check(z.int(), z.minimum(1), z.maximum(20)), 5),
      /** A request left unverified this long is closed and the subject told. */
      unverifiedTimeoutSeconds: z._default(z.number().check(z.int(), z.minimum(1)), 7 * 24 * 3600),
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
  records: z.prefault(z.object({
      /** How long a closed request keeps the subject's email and name before they are hashed. */
      subjectRetentionMonths: z._default(z.number().check(z.int(), z.minimum(1), z.maximum(120)), 24),
    }), {}),
  connectors: z.array(connectorSchema).check(z.minLength(1)),
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
  // Vendor rules a schema cannot say: fields the vendor would refuse to update, preview opt-ins.
  const vendor = result.data.connectors.flatMap((c) => (c.kind === 'stripe' ? stripeConfigProblems(c).map((p) => `connectors.${c.id}.${p}`) : []));
  if (vendor.length) throw new ConfigError(`invalid DSAR configuration:\n  ${vendor.join('\n  ')}`);
  // A relational connector's objects are its dataset's tables, with the category, origins and erasure
  // the dataset declares (one home for them); an `objects` entry in the configuration still wins.
  // Erasure has its one home in the dataset (which masks, which order): an `objects` entry may rename the
  // category, never change what erasure does, or the connector and the read-back would disagree. (A parsed
  // configuration, bundled or written for the functions, carries the dataset's own policy: that passes.)
  const twice = result.data.connectors.flatMap((c) => {
    if (c.kind !== 'postgres') return [];
    const fromDataset = objectSettingsOf(c.dataset);
    return Object.entries(c.objects)
      .filter(([table, o]) => o.erasure && JSON.stringify(o.erasure) !== JSON.stringify(fromDataset[table]?.erasure))
      .map(([table]) => `connectors.${c.id}.objects.${table}.erasure: declare erasure in the dataset`);
  });
  if (twice.length) throw new ConfigError(`invalid DSAR configuration:\n  ${twice.join('\n  ')}`);
  for (const c of result.data.connectors) {
    if (c.kind !== 'postgres') continue;
    const fromDataset = objectSettingsOf(c.dataset);
    c.objects = { ...fromDataset, ...Object.fromEntries(Object.entries(c.objects).map(([table, o]) => [table, { ...o, erasure: fromDataset[table]?.erasure }])) };
  }
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
  return config.review.byJurisdiction[jurisdiction]?.[type] ?? config.review[type];
}

export function enabledConnectors(config: DsarConfig): ConnectorConfig[] {
  return config.connectors.filter((c) => c.enabled);
}
