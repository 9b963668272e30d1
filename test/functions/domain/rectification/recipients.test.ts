/**
 * Art. 19 for a rectification: when the correction closes, the recipients of the systems where something
 * was corrected are told through the one Art. 19 mechanism: mailed a notice naming the corrected fields
 * (never the values) where the configuration has an address, counted as told where their own system was
 * corrected through its API, left to staff as a task otherwise; recipients of untouched systems are not
 * bothered, each is told once, and the subject's mail names who was told.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { RectifiableField } from '#connectors/types';
import type { ConnectorOutcome, RequestRecord } from '#domain/requests/model';
import { notifyOutcome } from '#domain/workflow/notify';
import { listTodos } from '#domain/todos/index';
import { exampleConfig, REQUEST_ID, requestRecord, SUBJECT_EMAIL, testContext, type TestContext } from '../../../support/in-memory-context.ts';

const GOOGLE = 'privacy@google.example';
const NEW_PHONE = '+47 912 34 567';
let ctx: TestContext;

/** Four recipients: Google (receives the account store's data, has an address), Salesforce and Stripe (own systems), Microsoft (linked to no system). */
function context(): TestContext {
  const config = exampleConfig();
  config.privacyNotice.recipients = config.privacyNotice.recipients
    .filter((r) => ['Google', 'Salesforce', 'Stripe', 'Microsoft'].includes(r.name))
    .map((r) => (r.name === 'Google' ? { ...r, notifyEmail: GOOGLE } : r));
  return testContext(config);
}

const corrected = (connectorId: string, fields: RectifiableField[], status: 'corrected' | 'not_found' = 'corrected'): ConnectorOutcome => ({
  connectorId,
  status: 'succeeded',
  records: 1,
  objects: {},
  stagingKeys: {},
  attempts: 1,
  rectification: { applies: true, items: fields.map((field) => ({ object: 'item', recordId: `${connectorId}-1`, field, status })), confirmedAt: '2026-03-02T10:10:00.000Z' },
});

async function rectification(connectors: Record<string, ConnectorOutcome>, more: Partial<RequestRecord> = {}, on: TestContext = ctx): Promise<void> {
  await on.memory.create(requestRecord({ type: 'rectification', status: 'in_progress', connectors, ...more }));
  await on.memory.rectifications.putChoice(REQUEST_ID, { corrections: {}, refusals: [], by: 'dana', at: '2026-03-02T10:05:00.000Z' });
}

beforeEach(() => {
  ctx = context();
});

describe('telling recipients about a correction (GDPR Art. 19)', () => {
  it('mails the recipient of the corrected system that has an address the fields corrected, never the values, and leaves out recipients of untouched systems', async () => {
    await rectification({ accounts: corrected('accounts', ['phone', 'address']), stripe: corrected('stripe', []) });

    await notifyOutcome(ctx, REQUEST_ID, { outcome: 'rectified' });

    const notice = ctx.mail.to(GOOGLE);
    expect(notice).toHaveLength(1);
    expect(notice[0]!.subject).toBe(`Rectification notice under GDPR Art. 19 (${REQUEST_ID})`);
    expect(notice[0]!.text).toContain('Corrected: phone number, postal address.');
    expect(notice[0]!.text).not.toContain(NEW_PHONE);
    // Stripe and Salesforce: their systems were not corrected, so nothing to pass on (no task either).
    expect((await listTodos(ctx, REQUEST_ID)).map((t) => [t.kind, t.title])).toEqual([['art19-recipient', 'Tell Microsoft about the correction (GDPR Art. 19)']]);
    const r = await ctx.repo.get(REQUEST_ID);
    expect(r.art19?.rectification).toMatchObject({ notified: [{ name: 'Google', how: 'email' }], byStaff: [{ name: 'Microsoft', todo: 1 }] });
    const mail = ctx.mail.to(SUBJECT_EMAIL)[0]!.text;
    expect(mail).toContain('We have told those we disclosed your data to about the correction: Google.');
    // Microsoft is tied to none of our systems: on staff's list, not in the subject's mail (as in the erasure report).
    expect(mail).not.toContain('Microsoft');
  });

  it('counts a recipient whose own system was corrected through its API as told, and names those staff are telling', async () => {
    const config = context().config;
    config.privacyNotice.recipients = config.privacyNotice.recipients.map((r) => (r.name === 'Google' ? { ...r, notifyEmail: undefined } : r));
    const other = testContext(config);
    await rectification({ stripe: corrected('stripe', ['phone']), accounts: corrected('accounts', ['name']) }, {}, other);

    await notifyOutcome(other, REQUEST_ID, { outcome: 'rectified' });

    const told = (await other.repo.get(REQUEST_ID)).art19?.rectification;
    expect(told?.notified.map((n) => [n.name, n.how])).toEqual([['Stripe', 'api']]);
    expect(told?.byStaff.map((n) => n.name)).toEqual(['Google', 'Microsoft']);
    const mail = other.mail.to(SUBJECT_EMAIL)[0]!.text;
    expect(mail).toContain('We have told those we disclosed your data to about the correction: Stripe.');
    expect(mail).toContain('Our staff are telling these recipients of your data about the correction: Google.');
  });

  it('tells nobody when nothing was corrected', async () => {
    await rectification({ accounts: corrected('accounts', ['phone'], 'not_found') });

    await notifyOutcome(ctx, REQUEST_ID, { outcome: 'rectified' });

    expect(ctx.mail.to(GOOGLE)).toHaveLength(0);
    expect(await listTodos(ctx, REQUEST_ID)).toEqual([]);
    expect(ctx.mail.to(SUBJECT_EMAIL)[0]!.text).not.toContain('disclosed your data to');
  });

  it('tells each recipient once when the close is retried', async () => {
    await rectification({ accounts: corrected('accounts', ['phone']) });

    await notifyOutcome(ctx, REQUEST_ID, { outcome: 'rectified' });
    await notifyOutcome(ctx, REQUEST_ID, { outcome: 'rectified' });

    expect(ctx.mail.to(GOOGLE)).toHaveLength(1);
    expect(await listTodos(ctx, REQUEST_ID)).toHaveLength(1);
    expect(ctx.mail.to(SUBJECT_EMAIL)).toHaveLength(1);
  });

  it('gives staff a task for a recipient whose mail failed, rather than counting it as told', async () => {
    await rectification({ accounts: corrected('accounts', ['phone']) });
    ctx.mail.failNext = 1;

    await notifyOutcome(ctx, REQUEST_ID, { outcome: 'rectified' });

    expect((await listTodos(ctx, REQUEST_ID)).map((t) => t.title)).toContain('Tell Google about the correction (GDPR Art. 19)');
  });

  it('writes the lines in Norwegian for a request filed in Norwegian', async () => {
    await rectification({ accounts: corrected('accounts', ['phone']) }, { locale: 'nb' });

    await notifyOutcome(ctx, REQUEST_ID, { outcome: 'rectified' });

    expect(ctx.mail.to(SUBJECT_EMAIL)[0]!.text).toContain('Vi har informert dem vi har utlevert opplysningene dine til, om rettingen: Google.');
  });
});
