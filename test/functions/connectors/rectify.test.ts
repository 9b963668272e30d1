/**
 * The rectify capability of Stripe and HubSpot against their sandboxes: the current values of the
 * fields asked, the corrections written with the vendors' update calls, and the read-back showing them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSaasConnector } from '#connectors/saas';
import { sameFieldValue } from '#connectors/corrections';
import { correctionForm } from '#connectors/stripe/index';
import { correctionProperties } from '#connectors/hubspot/index';
import { startSandboxes, type Sandboxes } from '../../../infra/local/sandboxes/index.ts';
import { ctx, depsFor, saasConfig, subjectOf, watchRequests } from './support.ts';

let sb: Sandboxes;
beforeAll(async () => {
  sb = await startSandboxes({ crowd: 20 });
});
afterAll(() => sb.close());

const saas = (kind: 'hubspot' | 'stripe') => createSaasConnector(saasConfig(kind, sb.urls[kind], {}), depsFor(sb));
const bob = subjectOf('bob@example.com');

describe('Stripe rectify capability', () => {
  it('shows bob\'s current phone and address on his customer, and nothing for carol', async () => {
    const values = await saas('stripe').rectify!.current(bob, ['phone', 'address'], ctx);

    expect(values).toEqual([
      { object: 'customers', recordId: expect.any(String), field: 'phone', systemField: 'phone', value: expect.stringMatching(/^\+47 4\d{7}$/) },
      { object: 'customers', recordId: expect.any(String), field: 'address', systemField: 'address', value: { line1: 'Storgata 2', postalCode: '0155', city: 'Oslo', country: 'SE' } },
    ]);
    expect(await saas('stripe').rectify!.current(subjectOf('carol@example.com'), ['phone'], ctx)).toEqual([]);
  });

  it('writes bob\'s new phone with POST /v1/customers/{id}, and the read-back shows it', async () => {
    const stripe = saas('stripe');
    const [phone] = await stripe.rectify!.current(bob, ['phone'], ctx);
    const urls: string[] = [];

    const items = await watchRequests((url) => void urls.push(url), () => stripe.rectify!.apply(bob, [{ object: 'customers', recordId: phone!.recordId, field: 'phone', value: '+47 912 34 567' }], ctx));

    expect(items).toEqual([{ object: 'customers', recordId: phone!.recordId, field: 'phone', status: 'corrected' }]);
    expect(urls.some((u) => u.endsWith(`/v1/customers/${phone!.recordId}`))).toBe(true);
    expect(sb.stores.stripe.customers.get(phone!.recordId)!.phone).toBe('+47 912 34 567');
    expect((await stripe.rectify!.current(bob, ['phone'], ctx))[0]!.value).toBe('+47 912 34 567');
  });

  it('writes nothing to a customer that is not the subject\'s, and says not found', async () => {
    const stripe = saas('stripe');
    const [alices] = await stripe.rectify!.current(subjectOf('alice@example.com'), ['phone'], ctx);
    const before = sb.stores.stripe.customers.get(alices!.recordId)!.phone;

    const items = await stripe.rectify!.apply(bob, [{ object: 'customers', recordId: alices!.recordId, field: 'phone', value: '+1 555 0100' }], ctx);

    expect(items).toEqual([{ object: 'customers', recordId: alices!.recordId, field: 'phone', status: 'not_found' }]);
    expect(sb.stores.stripe.customers.get(alices!.recordId)!.phone).toBe(before);
  });

  it('writes an address whole, clearing the parts staff left empty', () => {
    const form = correctionForm([{ object: 'customers', recordId: 'cus_1', field: 'address', value: { line1: 'Kirkegata 5', city: 'Bergen', country: 'no' } }]);

    expect(Object.fromEntries(form)).toEqual({ 'address[line1]': 'Kirkegata 5', 'address[line2]': '', 'address[postal_code]': '', 'address[city]': 'Bergen', 'address[state]': '', 'address[country]': 'NO' });
  });
});

describe('HubSpot rectify capability', () => {
  it('shows bob\'s name from first and last name, and his address from its four properties', async () => {
    const values = await saas('hubspot').rectify!.current(bob, ['name', 'address'], ctx);

    expect(values).toEqual([
      { object: 'contacts', recordId: expect.any(String), field: 'name', systemField: 'firstname, lastname', value: expect.stringMatching(/^Bob /) },
      { object: 'contacts', recordId: expect.any(String), field: 'address', systemField: 'address, city, zip, state, country', value: { line1: 'Storgata 2', postalCode: '0155', city: 'Oslo', country: 'SE' } },
    ]);
  });

  it('writes bob\'s new phone with PATCH /crm/v3/objects/contacts/{id}, and the read-back shows it', async () => {
    const hubspot = saas('hubspot');
    const [phone] = await hubspot.rectify!.current(bob, ['phone'], ctx);

    const items = await hubspot.rectify!.apply(bob, [{ object: 'contacts', recordId: phone!.recordId, field: 'phone', value: '+47 912 34 567' }], ctx);

    expect(items).toEqual([{ object: 'contacts', recordId: phone!.recordId, field: 'phone', status: 'corrected' }]);
    expect(sb.stores.hubspot.objects.get('contacts')!.get(phone!.recordId)!.properties.phone).toBe('+47 912 34 567');
    expect((await hubspot.rectify!.current(bob, ['phone'], ctx))[0]!.value).toBe('+47 912 34 567');
  });

  it('splits a name into first and last name, and a corrected name reads back as written', async () => {
    const hubspot = saas('hubspot');
    const [name] = await hubspot.rectify!.current(bob, ['name'], ctx);

    await hubspot.rectify!.apply(bob, [{ object: 'contacts', recordId: name!.recordId, field: 'name', value: 'Robert  van Builder' }], ctx);

    expect(sb.stores.hubspot.objects.get('contacts')!.get(name!.recordId)!.properties).toMatchObject({ firstname: 'Robert', lastname: 'van Builder' });
    expect((await hubspot.rectify!.current(bob, ['name'], ctx))[0]!.value).toBe('Robert van Builder');
    expect(correctionProperties([{ object: 'contacts', recordId: '1', field: 'address', value: { line1: 'A 1', line2: 'B', city: 'Oslo' } }])).toEqual({ address: 'A 1, B', city: 'Oslo', zip: '', state: '', country: '' });
  });
});

describe('an address corrected in HubSpot', () => {
  it('reads back as the address staff chose, its second street line joined to the first', async () => {
    const hubspot = saas('hubspot');
    const [address] = await hubspot.rectify!.current(bob, ['address'], ctx);
    const chosen = { line1: 'Kirkegata 5', line2: '2. etg', postalCode: '5003', city: 'Bergen', country: 'NO' };

    await hubspot.rectify!.apply(bob, [{ object: 'contacts', recordId: address!.recordId, field: 'address', value: chosen }], ctx);

    const [read] = await hubspot.rectify!.current(bob, ['address'], ctx);
    expect(read!.value).toEqual({ line1: 'Kirkegata 5, 2. etg', postalCode: '5003', city: 'Bergen', country: 'NO' });
    expect(sameFieldValue('address', read!.value, chosen)).toBe(true);
  });
});

describe('comparing a read-back with the chosen value', () => {
  it('ignores surrounding spaces and runs of spaces, an email\'s case, and empty address parts', () => {
    expect(sameFieldValue('phone', ' +47 1 ', '+47 1')).toBe(true);
    expect(sameFieldValue('email', 'Bob@Example.com', 'bob@example.com')).toBe(true);
    expect(sameFieldValue('name', 'bob', 'Bob')).toBe(false);
    expect(sameFieldValue('name', 'Robert van Builder', 'Robert  van Builder')).toBe(true);
    expect(sameFieldValue('address', { city: 'Oslo', line2: '' }, { city: 'Oslo' })).toBe(true);
    expect(sameFieldValue('address', { city: 'Oslo' }, { city: 'Bergen' })).toBe(false);
    // HubSpot keeps one street line: line2 joined to line1 reads back as the same address.
    expect(sameFieldValue('address', { line1: 'Kirkegata 5, 2. etg', city: 'Bergen' }, { line1: 'Kirkegata 5', line2: '2. etg', city: 'Bergen' })).toBe(true);
    expect(sameFieldValue('phone', null, '+47 1')).toBe(false);
  });
});
