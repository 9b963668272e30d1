/**
 * The Stripe connector's settings and the check that every masked field is one Stripe's update
 * endpoints accept, in the form the mask sends. Run when the configuration loads (`parseConfig`) and when
 * the connector is built, so a field Stripe would refuse (or one whose write makes Stripe act) is a
 * configuration error naming the field, not a 400 in the middle of an erasure.
 *
 * The tables are typed against the `stripe` SDK's update parameters (type-only import, nothing bundled):
 * a field the SDK does not know is a compile error; `test/contracts/stripe.test.ts` checks each entry's
 * kind against Stripe's OpenAPI spec.
 */
import type Stripe from 'stripe';
import type { ConfiguredErasurePolicy, SaasConnectorConfig } from '#commons/config';

/**
 * How a mask can write a field: `text` takes any string, so it can be nulled (sent as `""`), redacted or
 * hashed; `emptyable` is an object or list that Stripe clears when sent `""`: only `null` works.
 */
export type MaskKind = 'text' | 'emptyable';

type Fields<P> = Partial<Record<Extract<keyof P, string>, MaskKind>>;

const ADDRESS = { 'address.city': 'text', 'address.country': 'text', 'address.line1': 'text', 'address.line2': 'text', 'address.postal_code': 'text', 'address.state': 'text' } as const;
const SHIPPING = {
  'shipping.name': 'text', 'shipping.phone': 'text',
  'shipping.address.city': 'text', 'shipping.address.country': 'text', 'shipping.address.line1': 'text', 'shipping.address.line2': 'text',
  'shipping.address.postal_code': 'text', 'shipping.address.state': 'text',
} as const;

/** Per object: the fields a mask may write, with nested fields (`a.b`) under a top-level update parameter. */
export const MASKABLE = {
  customers: {
    ...({ name: 'text', phone: 'text', description: 'text', email: 'text', address: 'emptyable', shipping: 'emptyable', metadata: 'emptyable' } satisfies Fields<Stripe.CustomerUpdateParams>),
    ...ADDRESS,
    ...SHIPPING,
  },
  charges: { description: 'text', metadata: 'emptyable' } satisfies Fields<Stripe.ChargeUpdateParams>,
  payment_intents: { description: 'text', metadata: 'emptyable', shipping: 'emptyable' } satisfies Fields<Stripe.PaymentIntentUpdateParams>,
  invoices: { description: 'text', footer: 'text', metadata: 'emptyable' } satisfies Fields<Stripe.InvoiceUpdateParams>,
  invoiceitems: { description: 'text', metadata: 'emptyable' } satisfies Fields<Stripe.InvoiceItemUpdateParams>,
  subscriptions: { metadata: 'emptyable' } satisfies Fields<Stripe.SubscriptionUpdateParams>,
  payment_methods: {
    metadata: 'emptyable',
    'billing_details.name': 'text', 'billing_details.email': 'text', 'billing_details.phone': 'text', 'billing_details.address': 'emptyable',
  } satisfies Fields<Stripe.PaymentMethodUpdateParams> & Partial<Record<`billing_details.${Extract<keyof Stripe.PaymentMethodUpdateParams.BillingDetails, string>}`, MaskKind>>,
  sources: { name: 'text', metadata: 'emptyable', address_city: 'text', address_line1: 'text', address_line2: 'text', address_state: 'text', address_zip: 'text' } satisfies Fields<Stripe.CustomerUpdateSourceParams>,
  credit_notes: { memo: 'text' } satisfies Fields<Stripe.CreditNoteUpdateParams>, // metadata is a plain object here: not emptyable
  balance_transactions: { description: 'text', metadata: 'emptyable' } satisfies Fields<Stripe.CustomerUpdateBalanceTransactionParams>,
  tax_ids: {},
} as const satisfies Record<string, Record<string, MaskKind>>;

export type MaskableObject = keyof typeof MASKABLE;

/** Fields Stripe will not take however they are written, and why: named in the configuration error. */
const REFUSED: Array<{ object: MaskableObject | '*'; field: RegExp; why: string }> = [
  { object: '*', field: /^receipt_email$/, why: 'writing receipt_email makes Stripe email a receipt to the address written: it is never masked' },
  { object: 'customers', field: /^preferred_locales$/, why: "Stripe's customer update takes preferred_locales as a plain list that cannot be emptied (sending \"\" is a 400)" },
  { object: 'invoices', field: /^customer_/, why: 'invoice customer_* fields are copied from the customer when the invoice is finalized and cannot be updated' },
  { object: 'charges', field: /^billing_details(\.|$)/, why: 'a charge has no billing_details update parameter: they are fixed once the charge is made' },
  { object: 'tax_ids', field: /./, why: 'Stripe cannot update tax ids: configure delete or retain' },
];

/** Why masking this field of this object with `how` cannot work at Stripe, or undefined when it can. */
export function maskProblem(object: string, field: string, how: 'null' | 'redact' | 'hash'): string | undefined {
  const refused = REFUSED.find((r) => (r.object === '*' || r.object === object) && r.field.test(field));
  if (refused) return refused.why;
  const fields = (MASKABLE as Record<string, Record<string, MaskKind>>)[object];
  if (!fields) return `the connector does not update Stripe ${object}`;
  const kind = fields[field];
  if (!kind) return `not an update parameter of Stripe ${object} the connector can mask (maskable: ${Object.keys(fields).join(', ')})`;
  if (kind === 'emptyable' && how !== 'null') return `${field} is an object or list that Stripe only clears: mask it with "null"`;
  return undefined;
}

export interface StripeSettings {
  stripeVersion?: string;
  /** 1-100. */
  pageSize?: number;
  /** Also look the customer up with the search API (default true). */
  useSearch?: boolean;
  rateLimitHintMs?: number;
  timeoutMs?: number;
  /**
   * Fields masked on a customer whose policy is `retain` (kept as the lookup key of retained billing
   * records): name, phone, address, shipping, description, metadata... Never the email, which is the key.
   */
  maskRetainedCustomers?: Record<string, 'null' | 'redact' | 'hash'>;
  /**
   * PUBLIC PREVIEW, opt-in: erase customers whose policy is `delete` with Stripe privacy redaction jobs
   * instead of `DELETE /v1/customers/{id}`. Stripe redacts the personal data on the customer and on every
   * object tied to it (charges, invoices, payment methods...), which stay as anonymous records. The
   * endpoints exist only under a preview API version, which these requests send instead of
   * `stripeVersion`; Stripe may change them without notice.
   */
  previewRedactionJobs?: PreviewRedactionJobSettings;
}

export interface PreviewRedactionJobSettings {
  /** Must be true: the company accepts a public-preview API whose behaviour Stripe may change. */
  acceptPublicPreview: true;
  /** The preview `Stripe-Version` the redaction-job calls send (`YYYY-MM-DD.preview`). */
  previewApiVersion?: string;
  /** `error` (default): a job that cannot redact everything fails validation; `fix`: Stripe fixes what it can. */
  validationBehavior?: 'error' | 'fix';
  /** Wait between status reads (default 2 s). */
  pollMs?: number;
  /** Longest wait inside one attempt (default 60 s); then the state machine retries, and the job is found again. */
  maxWaitMs?: number;
}

/** A preview API version Stripe documents for redaction jobs (changelog, 2025-05-28.preview). */
export const DEFAULT_PREVIEW_API_VERSION = '2025-05-28.preview';

/** Every problem with a Stripe connector's settings and masks, each naming the field. */
export function stripeConfigProblems(config: Pick<SaasConnectorConfig, 'settings' | 'erasure' | 'objects'>): string[] {
  const problems: string[] = [];
  const settings = config.settings as StripeSettings & { redactionJobs?: unknown };
  const check = (where: string, object: string, fields: Record<string, 'null' | 'redact' | 'hash'>) => {
    for (const [field, how] of Object.entries(fields)) {
      const why = maskProblem(object, field, how);
      if (why) problems.push(`${where}.${field}: ${why}`);
    }
  };
  if (settings.maskRetainedCustomers) check('settings.maskRetainedCustomers', 'customers', settings.maskRetainedCustomers);
  const anonymizes = (policy: ConfiguredErasurePolicy | undefined, where: string, object: string) => {
    if (policy?.action === 'anonymize') check(where, object, policy.fields);
  };
  for (const [object, settingsOf] of Object.entries(config.objects)) anonymizes(settingsOf.erasure, `objects.${object}.erasure.fields`, object);
  if (config.erasure.action === 'anonymize') {
    // The connector-wide default applies to every object without its own policy.
    for (const object of Object.keys(MASKABLE)) if (!config.objects[object]?.erasure) anonymizes(config.erasure, `erasure.fields (default for ${object})`, object);
  }
  if (settings.redactionJobs !== undefined) {
    problems.push('settings.redactionJobs: renamed settings.previewRedactionJobs, with acceptPublicPreview: true (redaction jobs are a Stripe public preview)');
  }
  const preview = settings.previewRedactionJobs;
  if (preview !== undefined) {
    if (!preview || typeof preview !== 'object' || preview.acceptPublicPreview !== true) {
      problems.push('settings.previewRedactionJobs.acceptPublicPreview: must be true to use Stripe redaction jobs, a public-preview API');
    }
    if (preview?.previewApiVersion !== undefined && !/^\d{4}-\d{2}-\d{2}\.preview$/.test(String(preview.previewApiVersion))) {
      problems.push('settings.previewRedactionJobs.previewApiVersion: must be a preview API version, YYYY-MM-DD.preview');
    }
    if (preview?.validationBehavior !== undefined && !['error', 'fix'].includes(preview.validationBehavior)) {
      problems.push('settings.previewRedactionJobs.validationBehavior: error or fix');
    }
  }
  return problems;
}
