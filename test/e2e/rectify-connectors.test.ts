/**
 * The rectify capability on the real embedded runtime with the demo data: alice, who is in every system,
 * has her current values read from the account store (dynalite) and Salesforce (its sandbox) through the
 * registry the workflow uses, a phone correction applied in both, and the read-back showing it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appContext } from '../../functions/domain/context.ts';
import { ConnectorRegistry } from '../../functions/connectors/registry.ts';
import { RECTIFIABLE_FIELDS, type FieldValue } from '../../functions/connectors/types.ts';
import { ALICE } from '../../infra/local/demo/people.ts';
import { startTestRuntime, type TestRuntime } from '../support/runtime.ts';

let rt: TestRuntime;
beforeAll(async () => {
  rt = await startTestRuntime({ crowd: 10 });
});
afterAll(async () => {
  await rt?.cleanup();
});

const alice = { email: ALICE.email, normalizedEmail: ALICE.email };
const ctx = { requestId: 'dsar_rectify_it' };
const summary = (values: FieldValue[]) => values.map((v) => ({ object: v.object, field: v.field, systemField: v.systemField, value: v.value }));

describe('rectify for alice on the embedded runtime', () => {
  it('reads her current name, email, phone and address from the account store and Salesforce, and none from the systems without rectify', async () => {
    const registry = new ConnectorRegistry(appContext().config);

    expect(summary(await registry.get('accounts').rectify!.current(alice, RECTIFIABLE_FIELDS, ctx))).toEqual([
      { object: 'account', field: 'name', systemField: 'name', value: ALICE.name },
      { object: 'account', field: 'email', systemField: 'email', value: ALICE.email },
      { object: 'account', field: 'phone', systemField: 'phone', value: ALICE.phone },
      { object: 'account', field: 'address', systemField: 'street, postalCode, city, country', value: { country: ALICE.country } },
    ]);
    expect(summary(await registry.get('salesforce').rectify!.current(alice, RECTIFIABLE_FIELDS, ctx))).toEqual([
      { object: 'Contact', field: 'name', systemField: 'FirstName, LastName', value: ALICE.name },
      { object: 'Contact', field: 'email', systemField: 'Email', value: ALICE.email },
      { object: 'Contact', field: 'phone', systemField: 'Phone', value: ALICE.phone },
      { object: 'Contact', field: 'phone', systemField: 'MobilePhone', value: ALICE.phone },
      { object: 'Contact', field: 'address', systemField: 'MailingStreet, MailingPostalCode, MailingCity, MailingState, MailingCountry', value: { line1: 'Storgata 1', postalCode: '0155', city: 'Oslo', country: ALICE.country } },
    ]);
    expect(['calls', 'google-analytics'].filter((id) => registry.get(id).rectify)).toEqual([]);
  });

  it('corrects her phone in both, and a new registry reads the new number back from each', async () => {
    const registry = new ConnectorRegistry(appContext().config);
    const phone = '+47 41234567';
    for (const id of ['accounts', 'salesforce']) {
      const rectify = registry.get(id).rectify!;
      const targets = (await rectify.current(alice, ['phone'], ctx)).filter((v) => v.systemField.toLowerCase() === 'phone');
      const result = await rectify.apply(alice, targets.map((t) => ({ object: t.object, recordId: t.recordId, field: 'phone' as const, value: phone })), ctx);
      expect({ id, statuses: result.map((r) => r.status) }).toEqual({ id, statuses: ['corrected'] });
    }

    const fresh = new ConnectorRegistry(appContext().config);
    for (const id of ['accounts', 'salesforce']) {
      const values = (await fresh.get(id).rectify!.current(alice, ['phone'], ctx)).map((v) => v.value);
      expect({ id, values: [...new Set(values)] }).toEqual({ id, values: [phone] });
    }
  });
});
