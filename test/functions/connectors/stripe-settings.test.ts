import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '#commons/config';
import { maskProblem } from '#connectors/stripe/settings';
import { exampleConfigJson } from '../../support/in-memory-context.ts';

/** The example configuration with its Stripe connector changed by `change`. */
function withStripe(change: (stripe: Record<string, any>) => void): unknown {
  const raw = exampleConfigJson() as { connectors: Array<Record<string, any>> };
  change(raw.connectors.find((c) => c.kind === 'stripe')!);
  return raw;
}

describe('Stripe settings when the configuration loads', () => {
  it('accept the example configuration’s mask', () => {
    expect(() => parseConfig(exampleConfigJson())).not.toThrow();
  });

  it('refuse masking preferred_locales, which Stripe cannot empty, naming the field', () => {
    const raw = withStripe((s) => (s.settings.maskRetainedCustomers.preferred_locales = 'null'));
    expect(() => parseConfig(raw)).toThrow(ConfigError);
    expect(() => parseConfig(raw)).toThrow(/connectors\.stripe\.settings\.maskRetainedCustomers\.preferred_locales: .*cannot be emptied/);
  });

  it('refuse anonymizing fields Stripe cannot update or whose write sends mail, naming each', () => {
    const raw = withStripe((s) => {
      s.objects.invoices.erasure = { action: 'anonymize', fields: { customer_email: 'hash' } };
      s.objects.charges.erasure = { action: 'anonymize', fields: { 'billing_details.name': 'redact', receipt_email: 'hash' } };
    });
    const message = (() => {
      try {
        parseConfig(raw);
        return '';
      } catch (err) {
        return (err as Error).message;
      }
    })();
    expect(message).toMatch(/connectors\.stripe\.objects\.invoices\.erasure\.fields\.customer_email: invoice customer_\* fields/);
    expect(message).toMatch(/connectors\.stripe\.objects\.charges\.erasure\.fields\.billing_details\.name: a charge has no billing_details/);
    expect(message).toMatch(/connectors\.stripe\.objects\.charges\.erasure\.fields\.receipt_email: writing receipt_email makes Stripe email a receipt/);
  });

  it('refuse a connector-wide anonymize default that reaches a field an object cannot take', () => {
    const raw = withStripe((s) => {
      s.erasure = { action: 'anonymize', fields: { receipt_email: 'hash' } };
    });
    expect(() => parseConfig(raw)).toThrow(/connectors\.stripe\.erasure\.fields \(default for invoiceitems\)\.receipt_email: writing receipt_email/);
  });

  it('require the explicit opt-in for redaction jobs, a Stripe public preview, and a preview API version', () => {
    expect(() => parseConfig(withStripe((s) => (s.settings.previewRedactionJobs = { pollMs: 10 })))).toThrow(/previewRedactionJobs\.acceptPublicPreview: must be true/);
    expect(() => parseConfig(withStripe((s) => (s.settings.previewRedactionJobs = { acceptPublicPreview: true, previewApiVersion: '2024-06-20' })))).toThrow(/previewApiVersion: must be a preview API version/);
    expect(() => parseConfig(withStripe((s) => (s.settings.redactionJobs = {})))).toThrow(/settings\.redactionJobs: renamed settings\.previewRedactionJobs/);
    expect(() => parseConfig(withStripe((s) => (s.settings.previewRedactionJobs = { acceptPublicPreview: true, previewApiVersion: '2025-05-28.preview' })))).not.toThrow();
  });
});

describe('maskProblem', () => {
  it('lets text fields be nulled, redacted or hashed, and objects only nulled', () => {
    expect(maskProblem('customers', 'name', 'hash')).toBeUndefined();
    expect(maskProblem('customers', 'address.line1', 'redact')).toBeUndefined();
    expect(maskProblem('customers', 'metadata', 'null')).toBeUndefined();
    expect(maskProblem('customers', 'metadata', 'redact')).toMatch(/mask it with "null"/);
    expect(maskProblem('customers', 'nickname', 'null')).toMatch(/not an update parameter of Stripe customers/);
  });
});
