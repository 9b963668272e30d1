/**
 * State and Country/Territory Picklists in the Salesforce sandbox (the `countryPicklists` option), as
 * Salesforce's field-syncing logic describes them: Contact and Lead get `CountryCode` and `StateCode`
 * beside the text fields, which then hold the integration value (the full name by default). Writing a
 * code sets the text to its name; writing a text sets the code, and a text that is no country's name is
 * refused with FIELD_INTEGRITY_EXCEPTION; a code and a text that disagree are refused; clearing the
 * country clears the state. States exist for a few countries only (here the United States), as in a new
 * org, where a state for any other country is refused.
 * https://help.salesforce.com/s/articleView?id=xcloud.admin_state_country_picklists_field_syncing.htm&type=5
 * https://help.salesforce.com/s/articleView?id=xcloud.admin_state_country_picklists_integ_values.htm&type=5
 */

/** The address field names' prefix per object: `MailingCountry` on Contact, `Country` on Lead. */
export const PICKLIST_PREFIXES: Readonly<Record<string, string>> = { Contact: 'Mailing', Lead: '' };

const names = new Intl.DisplayNames(['en'], { type: 'region' });
const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
/** ISO 3166-1 alpha-2 code -> English name, for every code the runtime's ICU knows as a region. */
const COUNTRIES = new Map<string, string>();
for (const a of LETTERS) {
  for (const b of LETTERS) {
    const code = `${a}${b}`;
    const name = names.of(code);
    if (name && name !== code && name !== 'Unknown Region') COUNTRIES.set(code, name);
  }
}
const CODE_BY_NAME = new Map([...COUNTRIES].map(([code, name]) => [name, code]));

/** The states configured per country (code -> name); a new org has them for about ten countries. */
const STATES: Readonly<Record<string, Readonly<Record<string, string>>>> = { US: { CA: 'California', NY: 'New York', TX: 'Texas' } };

export function countryName(code: string): string | undefined {
  return COUNTRIES.get(code);
}

/** The schema with the code fields added to Contact and Lead. */
export function withPicklistFields(schema: Record<string, string[]>): Record<string, string[]> {
  const out = { ...schema };
  for (const [object, prefix] of Object.entries(PICKLIST_PREFIXES)) {
    if (out[object]) out[object] = [...out[object], `${prefix}CountryCode`, `${prefix}StateCode`];
  }
  return out;
}

/** A seeded row as a picklist org holds it: the ISO code in the code field, its name in the text. */
export function toPicklistRow(object: string, row: Record<string, unknown>): void {
  const prefix = PICKLIST_PREFIXES[object];
  if (prefix === undefined) return;
  const country = row[`${prefix}Country`];
  if (typeof country === 'string' && COUNTRIES.has(country)) {
    row[`${prefix}CountryCode`] = country;
    row[`${prefix}Country`] = COUNTRIES.get(country);
  }
}

export interface PicklistRefusal {
  errorCode: 'FIELD_INTEGRITY_EXCEPTION';
  message: string;
  fields: string[];
}

/**
 * Checks a PATCH body's address fields and completes it as Salesforce syncs them (code from text, text
 * from code, state cleared with the country). Answers the refusal, or undefined when the body is good.
 */
export function syncPicklists(object: string, row: Record<string, unknown>, body: Record<string, unknown>): PicklistRefusal | undefined {
  const prefix = PICKLIST_PREFIXES[object];
  if (prefix === undefined) return undefined;
  const [codeField, textField, stateCodeField, stateField] = ['CountryCode', 'Country', 'StateCode', 'State'].map((f) => `${prefix}${f}`) as [string, string, string, string];
  const refuse = (message: string, field: string): PicklistRefusal => ({ errorCode: 'FIELD_INTEGRITY_EXCEPTION', message, fields: [field] });
  let code = row[codeField] as string | null | undefined;
  if (codeField in body || textField in body) {
    const given = codeField in body ? body[codeField] : body[textField];
    if (given === null || given === undefined) {
      code = null;
      Object.assign(body, { [codeField]: null, [textField]: null, [stateCodeField]: null, [stateField]: body[stateField] ?? null });
    } else if (codeField in body) {
      const name = COUNTRIES.get(String(given));
      if (!name) return refuse(`The ${codeField} field contains ${String(given)}, which isn't an available country/territory.`, codeField);
      if (textField in body && body[textField] !== null && body[textField] !== name) return refuse(`The country/territory code and integration value don't match.: ${textField}`, textField);
      code = String(given);
      body[textField] = name;
    } else {
      const found = CODE_BY_NAME.get(String(given));
      if (!found) return refuse(`There's a problem with this country, even though it may appear correct. Please select a country/territory from the list of valid countries.: ${textField}`, textField);
      code = found;
      body[codeField] = found;
    }
  }
  if (stateField in body && body[stateField] !== null) {
    const states = STATES[String(code ?? '')] ?? {};
    const stateCode = Object.entries(states).find(([, name]) => name === body[stateField])?.[0];
    if (!stateCode) return refuse(`There's a problem with this state, even though it may appear correct. Please select a state from the list of valid states.: ${stateField}`, stateField);
    body[stateCodeField] = stateCode;
  } else if (stateField in body) {
    body[stateCodeField] = null;
  }
  return undefined;
}
