/**
 * Salesforce's rectify capability against the sandbox: alice's Contact (her converted Lead is left out,
 * Salesforce refuses changes to it), an unconverted Lead, corrections read back, a record deleted
 * between the lookup and the PATCH, and nobody else's record written.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectorMisconfigured } from '#connectors/errors';
import { createSaasConnector } from '#connectors/saas';
import { RECTIFIABLE_FIELDS, type Correction } from '#connectors/types';
import { splitName } from '../../../functions/connectors/salesforce/rectify.ts';
import { startSandboxes, type Sandboxes } from '../../../infra/local/sandboxes/index.ts';
import { countRequests, ctx, depsFor, saasConfig, subjectOf, watchRequests } from './support.ts';

let sb: Sandboxes;
beforeAll(async () => {
  sb = await startSandboxes({ crowd: 12 });
});
afterAll(() => sb.close());

const salesforce = () => createSaasConnector(saasConfig('salesforce', sb.urls.salesforce), depsFor(sb));
const rows = (object: 'Contact' | 'Lead') => [...sb.stores.salesforce.objects.get(object)!.values()];
const rowOf = (object: 'Contact' | 'Lead', email: string) => rows(object).find((r) => String(r.Email).toLowerCase() === email)!;
const correct = (object: string, recordId: string, field: Correction['field'], value: Correction['value']): Correction => ({ object, recordId, field, value });

/** A fresh person in the org, so each test changes its own records. */
function person(email: string, extra: Record<string, unknown> = {}) {
  return sb.stores.salesforce.insert('Contact', { FirstName: 'Eva', LastName: 'Lie', Email: email, Phone: '+47 22000000', MobilePhone: '+47 22000000', MailingStreet: 'Gamle vei 2', MailingPostalCode: '5003', MailingCity: 'Bergen', MailingState: null, MailingCountry: 'NO', ...extra });
}

describe('Salesforce rectify: current values', () => {
  it('shows alice’s Contact’s name, email, both phone numbers and mailing address; her converted Lead is left out', async () => {
    const contact = rowOf('Contact', 'alice@example.com');

    const values = await salesforce().rectify!.current(subjectOf('Alice@Example.com'), RECTIFIABLE_FIELDS, ctx);

    expect(values).toEqual([
      { object: 'Contact', recordId: contact.Id, field: 'name', systemField: 'FirstName, LastName', value: 'Alice Andersen' },
      { object: 'Contact', recordId: contact.Id, field: 'email', systemField: 'Email', value: 'alice@example.com' },
      { object: 'Contact', recordId: contact.Id, field: 'phone', systemField: 'Phone', value: contact.Phone },
      { object: 'Contact', recordId: contact.Id, field: 'phone', systemField: 'MobilePhone', value: contact.MobilePhone },
      {
        object: 'Contact',
        recordId: contact.Id,
        field: 'address',
        systemField: 'MailingStreet, MailingPostalCode, MailingCity, MailingState, MailingCountry',
        value: { line1: 'Storgata 1', postalCode: '0155', city: 'Oslo', country: 'NO' },
      },
    ]);
  });

  it('gives every rectifiable field an entry on a Contact: none is silently unhandled', async () => {
    person('mapping@example.com', { MobilePhone: null });
    const fields = (await salesforce().rectify!.current(subjectOf('mapping@example.com'), RECTIFIABLE_FIELDS, ctx)).map((v) => v.field);
    expect(fields).toEqual([...RECTIFIABLE_FIELDS]);
  });

  it('reads an unconverted Lead’s own address fields, and gives nothing for someone the org does not hold', async () => {
    const lead = sb.stores.salesforce.insert('Lead', { FirstName: 'Per', LastName: 'Dahl', Email: 'per.lead@example.com', Phone: null, Company: 'Dahl AS', Status: 'Open', Street: 'Kaigata 3\n2. etasje', PostalCode: '5016', City: 'Bergen', State: null, Country: 'NO', IsConverted: false });

    expect(await salesforce().rectify!.current(subjectOf('per.lead@example.com'), ['phone', 'address'], ctx)).toEqual([
      { object: 'Lead', recordId: lead.Id, field: 'phone', systemField: 'Phone', value: null },
      { object: 'Lead', recordId: lead.Id, field: 'address', systemField: 'Street, PostalCode, City, State, Country', value: { line1: 'Kaigata 3', line2: '2. etasje', postalCode: '5016', city: 'Bergen', country: 'NO' } },
    ]);
    expect(await salesforce().rectify!.current(subjectOf('carol@example.com'), RECTIFIABLE_FIELDS, ctx)).toEqual([]);
  });
});

describe('Salesforce rectify: corrections', () => {
  it('corrects name, phone and address with PATCH, and the read-back shows the new values', async () => {
    const row = person('eva@example.com');
    const sf = salesforce();
    const address = { line1: 'Nye vei 7', line2: 'Leilighet 2', postalCode: '5006', city: 'Bergen', country: 'NO' };

    const { result, count } = await countRequests(`/sobjects/Contact/${row.Id}`, () =>
      sf.rectify!.apply(subjectOf('eva@example.com'), [correct('Contact', row.Id, 'name', 'Eva Lie-Hansen'), correct('Contact', row.Id, 'phone', '+47 90000001'), correct('Contact', row.Id, 'address', address)], ctx),
    );

    expect(result.map((r) => r.status)).toEqual(['corrected', 'corrected', 'corrected']);
    expect(count).toBe(3);
    expect([row.FirstName, row.LastName, row.Phone, row.MobilePhone, row.MailingStreet, row.MailingState]).toEqual(['Eva', 'Lie-Hansen', '+47 90000001', '+47 90000001', 'Nye vei 7\nLeilighet 2', null]);
    const after = await sf.rectify!.current(subjectOf('eva@example.com'), ['name', 'phone', 'address'], ctx);
    expect(after.map((v) => [v.systemField, v.value])).toEqual([
      ['FirstName, LastName', 'Eva Lie-Hansen'],
      ['Phone', '+47 90000001'],
      ['MobilePhone', '+47 90000001'],
      ['MailingStreet, MailingPostalCode, MailingCity, MailingState, MailingCountry', address],
    ]);
  });

  it('leaves a different mobile number alone when the phone is corrected', async () => {
    const row = person('two.numbers@example.com', { MobilePhone: '+47 99999999' });
    await salesforce().rectify!.apply(subjectOf('two.numbers@example.com'), [correct('Contact', row.Id, 'phone', '+47 90000002')], ctx);
    expect([row.Phone, row.MobilePhone]).toEqual(['+47 90000002', '+47 99999999']);
  });

  it('corrects an unconverted Lead through its own fields', async () => {
    const lead = sb.stores.salesforce.insert('Lead', { FirstName: 'Kari', LastName: 'Moen', Email: 'kari.lead@example.com', Company: 'Moen AS', Status: 'Open', Street: null, City: null, Country: 'SE', IsConverted: false });

    const result = await salesforce().rectify!.apply(subjectOf('kari.lead@example.com'), [correct('Lead', lead.Id, 'address', { line1: 'Torget 1', city: 'Tromsø', country: 'NO' })], ctx);

    expect(result[0]!.status).toBe('corrected');
    expect([lead.Street, lead.City, lead.PostalCode, lead.Country]).toEqual(['Torget 1', 'Tromsø', null, 'NO']);
  });

  it('is idempotent: the same correction twice leaves the same record and says corrected both times', async () => {
    const row = person('twice@example.com');
    const sf = salesforce();
    const corrections = [correct('Contact', row.Id, 'name', 'Eva Marie Lie')];

    const once = await sf.rectify!.apply(subjectOf('twice@example.com'), corrections, ctx);
    const first = { ...row };
    const twice = await sf.rectify!.apply(subjectOf('twice@example.com'), corrections, ctx);

    expect(twice).toEqual(once);
    expect(row).toEqual(first);
    expect([row.FirstName, row.LastName]).toEqual(['Eva Marie', 'Lie']);
  });

  it('reports not_found for a Contact deleted between the lookup and the PATCH (Salesforce answers 404), and does not recreate it', async () => {
    const row = person('vanishing@example.com');
    const sf = salesforce();

    const result = await watchRequests(
      (url, init) => {
        // An erasure (or a merge) takes the Contact just before the correction reaches it.
        if (init?.method === 'PATCH' && url.includes(row.Id)) sb.stores.salesforce.delete(row.Id);
      },
      () => sf.rectify!.apply(subjectOf('vanishing@example.com'), [correct('Contact', row.Id, 'phone', '+47 90000003')], ctx),
    );

    expect(result).toEqual([{ object: 'Contact', recordId: row.Id, field: 'phone', status: 'not_found' }]);
    expect(sb.stores.salesforce.find(row.Id)).toBeUndefined();
  });

  it('never writes a record that is not the subject’s: a converted Lead, or someone else’s Contact, is not_found without a PATCH', async () => {
    const convertedLead = rowOf('Lead', 'alice@example.com');
    const someoneElse = rows('Contact').find((r) => r.Email !== 'alice@example.com')!;
    const before = { ...someoneElse };
    const patches: string[] = [];

    const result = await watchRequests(
      (url, init) => {
        if (init?.method === 'PATCH') patches.push(url);
      },
      () => salesforce().rectify!.apply(subjectOf('alice@example.com'), [correct('Lead', convertedLead.Id, 'name', 'Alice B'), correct('Contact', someoneElse.Id, 'phone', '+47 90000004')], ctx),
    );

    expect(result.map((r) => r.status)).toEqual(['not_found', 'not_found']);
    expect(patches).toEqual([]);
    expect(someoneElse).toEqual(before);
  });

  it('refuses a batch with an invalid email before sending any PATCH', async () => {
    const row = person('bad.email@example.com');
    const { result, count } = await countRequests('/sobjects/Contact/', () =>
      salesforce()
        .rectify!.apply(subjectOf('bad.email@example.com'), [correct('Contact', row.Id, 'phone', '+47 90000005'), correct('Contact', row.Id, 'email', 'not an address')], ctx)
        .catch((err: unknown) => err),
    );
    expect(result).toBeInstanceOf(ConnectorMisconfigured);
    expect(count).toBe(0);
    expect(row.Phone).toBe('+47 22000000');
  });

  it('applies a batch with an email correction again after a crash: the Contact is found at the new address', async () => {
    const row = person('crashed@example.com');
    const sf = salesforce();
    const batch = [correct('Contact', row.Id, 'email', 'recovered@example.com'), correct('Contact', row.Id, 'phone', '+47 90000006')];
    await sf.rectify!.apply(subjectOf('crashed@example.com'), [batch[0]!], ctx);

    const again = await sf.rectify!.apply(subjectOf('crashed@example.com'), batch, ctx);

    expect(again.map((r) => r.status)).toEqual(['corrected', 'corrected']);
    expect([row.Email, row.Phone]).toEqual(['recovered@example.com', '+47 90000006']);
  });

  it('corrects the email, after which the Contact is found by the new address', async () => {
    const row = person('old.address@example.com');
    const sf = salesforce();

    await sf.rectify!.apply(subjectOf('old.address@example.com'), [correct('Contact', row.Id, 'email', 'New.Address@example.com')], ctx);

    expect(row.Email).toBe('New.Address@example.com');
    expect(await sf.rectify!.current(subjectOf('old.address@example.com'), ['email'], ctx)).toEqual([]);
    expect((await sf.rectify!.current(subjectOf('new.address@example.com'), ['email'], ctx)).map((v) => v.recordId)).toEqual([row.Id]);
  });
});

describe('Salesforce rectify in an org with State and Country/Territory Picklists', () => {
  let picklists: Sandboxes;
  beforeAll(async () => {
    picklists = await startSandboxes({ crowd: 2, salesforce: { countryPicklists: true } });
  });
  afterAll(() => picklists.close());

  const connector = () => createSaasConnector(saasConfig('salesforce', picklists.urls.salesforce), depsFor(picklists));
  const contact = (email: string, extra: Record<string, unknown> = {}) =>
    picklists.stores.salesforce.insert('Contact', { FirstName: 'Ola', LastName: 'Nordmann', Email: email, MailingStreet: 'Gate 1', MailingCity: 'Oslo', MailingCountry: 'Norway', MailingCountryCode: 'NO', MailingState: null, MailingStateCode: null, ...extra });

  it('reads the country as its ISO code, from the code field', async () => {
    const row = contact('ola@example.com');
    expect(await connector().rectify!.current(subjectOf('ola@example.com'), ['address'], ctx)).toEqual([
      { object: 'Contact', recordId: row.Id, field: 'address', systemField: 'MailingStreet, MailingPostalCode, MailingCity, MailingState, MailingCountryCode', value: { line1: 'Gate 1', city: 'Oslo', country: 'NO' } },
    ]);
  });

  it('writes a two-letter country to the code field, which Salesforce syncs the name from; a region to the state of a country that has states', async () => {
    const row = contact('moved@example.com');
    const sf = connector();

    const moved = await sf.rectify!.apply(subjectOf('moved@example.com'), [correct('Contact', row.Id, 'address', { line1: 'Main St 5', city: 'Austin', region: 'Texas', country: 'us' })], ctx);

    expect(moved[0]!.status).toBe('corrected');
    expect([row.MailingCountryCode, row.MailingCountry, row.MailingStateCode, row.MailingState]).toEqual(['US', 'United States', 'TX', 'Texas']);
    expect((await sf.rectify!.current(subjectOf('moved@example.com'), ['address'], ctx))[0]!.value).toEqual({ line1: 'Main St 5', city: 'Austin', region: 'Texas', country: 'US' });

    await sf.rectify!.apply(subjectOf('moved@example.com'), [correct('Contact', row.Id, 'address', { line1: 'Storgata 5', city: 'Oslo' })], ctx);
    expect([row.MailingCountryCode, row.MailingCountry, row.MailingStateCode, row.MailingState]).toEqual([null, null, null, null]);
  });

  it('would be refused writing the code into the text field, as Salesforce refuses it: why the code field is used', async () => {
    const row = contact('text.field@example.com');
    const sf = connector();
    const creds = picklists.credentials.salesforce!;
    const token = (await (await fetch(`${picklists.urls.salesforce}/services/oauth2/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'client_credentials', client_id: creds.client_id!, client_secret: creds.client_secret! }) })).json()) as { access_token: string };
    const res = await fetch(`${picklists.urls.salesforce}/services/data/v62.0/sobjects/Contact/${row.Id}`, { method: 'PATCH', headers: { authorization: `Bearer ${token.access_token}`, 'content-type': 'application/json' }, body: JSON.stringify({ MailingCountry: 'SE' }) });
    const refused = { status: res.status, body: (await res.json()) as Array<{ errorCode: string }> };
    expect([refused.status, refused.body[0]!.errorCode]).toEqual([400, 'FIELD_INTEGRITY_EXCEPTION']);

    expect((await sf.rectify!.apply(subjectOf('text.field@example.com'), [correct('Contact', row.Id, 'address', { line1: 'Gate 1', city: 'Oslo', country: 'SE' })], ctx))[0]!.status).toBe('corrected');
    expect([row.MailingCountryCode, row.MailingCountry]).toEqual(['SE', 'Sweden']);
  });
});

describe('splitName: a full name as FirstName and LastName', () => {
  it('keeps the record’s own first name where the new name starts with it', () => {
    expect(splitName('Anne Marie Solberg Dahl', { FirstName: 'Anne Marie', LastName: 'Berg' })).toEqual({ FirstName: 'Anne Marie', LastName: 'Solberg Dahl' });
  });

  it('keeps the record’s own last name where the new name ends with it', () => {
    expect(splitName('Ann-Kristin Olsen', { FirstName: 'Anne', LastName: 'Olsen' })).toEqual({ FirstName: 'Ann-Kristin', LastName: 'Olsen' });
  });

  it('puts a middle name added between both into the first name, and particles into the last name', () => {
    expect(splitName('Eva Marie Lie', { FirstName: 'Eva', LastName: 'Lie' })).toEqual({ FirstName: 'Eva Marie', LastName: 'Lie' });
    expect(splitName('Anne Marie van der Berg', { FirstName: 'Anne Marie', LastName: 'Berg' })).toEqual({ FirstName: 'Anne Marie', LastName: 'van der Berg' });
  });

  it('otherwise takes the last word, with its particles, as the last name; one word is a last name only', () => {
    expect(splitName('  Per   Olav Dahl ', { FirstName: 'Kari', LastName: 'Nilsen' })).toEqual({ FirstName: 'Per Olav', LastName: 'Dahl' });
    expect(splitName('Ludwig van Beethoven', {})).toEqual({ FirstName: 'Ludwig', LastName: 'van Beethoven' });
    expect(splitName('Madonna', { FirstName: 'Kari', LastName: 'Nilsen' })).toEqual({ FirstName: null, LastName: 'Madonna' });
  });
});
