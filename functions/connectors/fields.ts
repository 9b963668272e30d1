/**
 * The connectors' default field dictionaries: how the access report names each vendor object and field
 * for a person ("Payments", "Amount") and which bookkeeping fields it leaves out (vendor ids, `livemode`).
 * The configuration's `objects.<object>.label` and `objects.<object>.fields` override these entry by
 * entry (functions/domain/package/dictionary.ts merges them). Only the readable report uses them: data.json
 * and the CSVs keep every field under its own name.
 */
import type { ConnectorConfig, FieldEntry } from '#commons/config';
import type { LocalText } from '#commons/local-text';
import { googleAnalyticsFields } from './google-analytics/fields.ts';
import { hubspotFields } from './hubspot/fields.ts';
import { salesforceFields } from './salesforce/fields.ts';
import { stripeFields } from './stripe/fields.ts';

export interface ObjectDictionary {
  label?: LocalText;
  fields?: Record<string, FieldEntry>;
}

export interface ConnectorDictionary {
  /** Entries that hold for every object of the connector (`Id`, `CreatedDate`). */
  fields?: Record<string, FieldEntry>;
  objects?: Record<string, ObjectDictionary>;
}

const BY_KIND: Partial<Record<ConnectorConfig['kind'], ConnectorDictionary>> = {
  stripe: stripeFields,
  hubspot: hubspotFields,
  salesforce: salesforceFields,
  'google-analytics': googleAnalyticsFields,
};

export function defaultFields(kind: ConnectorConfig['kind']): ConnectorDictionary {
  return BY_KIND[kind] ?? {};
}
