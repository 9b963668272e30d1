/**
 * Art. 19 for a restriction and its lifting: the recipients of the systems where the restriction was set
 * are mailed where the configuration has an address, left to staff as a task otherwise, told once per
 * pass, and named in the subject's mails; a system staff accepted as missing gets a task of its own.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import type { ConnectorOutcome, RequestRecord } from '#domain/requests/model';
import { enterRestricted } from '#domain/workflow/restricted';
import { notifyOutcome } from '#domain/workflow/notify';
import { announceLifting, liftRestriction } from '#domain/restriction/lifting';
import { listTodos } from '#domain/todos/index';
import { exampleConfig, REQUEST_ID, requestRecord, SUBJECT_EMAIL, testContext, verificationFor, type TestContext } from '../../../support/in-memory-context.ts';

const sfn = mockClient(SFNClient);
const STAFF = 'dana@example-video.test';
const GOOGLE = 'privacy@google.example';
let ctx: TestContext;

/** Four recipients: Google (receives the account store's data, has an address), Salesforce and Stripe (own systems), Microsoft (linked to no system). */
function context(): TestContext {
  const config = exampleConfig();
  config.privacyNotice.recipients = config.privacyNotice.recipients
    .filter((r) => ['Google', 'Salesforce', 'Stripe', 'Microsoft'].includes(r.name))
    .map((r) => (r.name === 'Google' ? { ...r, notifyEmail: GOOGLE } : r));
  return testContext(config);
}

const marked = (connectorId: string, records: number, extra: Partial<ConnectorOutcome> = {}): ConnectorOutcome => ({
  connectorId,
  status: 'succeeded',
  records,
  objects: {},
  stagingKeys: {},
  attempts: 1,
  restriction: { phase: 'set', applies: true, items: [{ object: 'item', records }], byHand: 0, confirmedAt: '2026-03-02T10:10:00.000Z' },
  ...extra,
});

function restriction(connectors: Record<string, ConnectorOutcome>, more: Partial<RequestRecord> = {}): RequestRecord {
  return requestRecord({
    type: 'restriction',
    status: 'in_progress',
    restriction: { phase: 'set', ground: 'accuracy_contested' },
    verification: verificationFor(REQUEST_ID, '123456', { verifiedAt: '2026-03-02T10:05:00.000Z' }),
    decision: { outcome: 'approved', by: STAFF, at: '2026-03-02T10:05:01.000Z' },
    connectors,
    ...more,
  });
}

beforeEach(() => {
  ctx = context();
  sfn.reset();
  sfn.on(SendTaskSuccessCommand).resolves({});
});

describe('telling recipients about a restriction (GDPR Art. 19)', () => {
  it('mails the recipient of the restricted system that has an address, gives staff a task for those without, and leaves out recipients of untouched systems', async () => {
    await ctx.memory.create(
      restriction({
        accounts: marked('accounts', 1),
        stripe: marked('stripe', 2, { restriction: { phase: 'set', applies: false, items: [], byHand: 2 } }),
        hubspot: marked('hubspot', 0, { restriction: { phase: 'set', applies: false, items: [], byHand: 0 } }),
      }),
    );

    await enterRestricted(ctx, REQUEST_ID);

    const notice = ctx.mail.to(GOOGLE);
    expect(notice).toHaveLength(1);
    expect(notice[0]!.subject).toBe(`Restriction of processing under GDPR Art. 19 (${REQUEST_ID})`);
    const todos = await listTodos(ctx, REQUEST_ID);
    expect(todos.map((t) => [t.kind, t.title])).toEqual([
      ['art19-recipient', 'Tell Stripe about the restriction of processing (GDPR Art. 19)'],
      ['art19-recipient', 'Tell Microsoft about the restriction of processing (GDPR Art. 19)'],
    ]);
    const r = await ctx.repo.get(REQUEST_ID);
    expect(r.art19?.restriction).toMatchObject({ notified: [{ name: 'Google', how: 'email' }], byStaff: [{ name: 'Stripe', todo: 1 }, { name: 'Microsoft', todo: 2 }] });
    const mail = ctx.mail.to(SUBJECT_EMAIL)[0]!.text;
    expect(mail).toContain('We have told those we disclosed your data to about the restriction: Google.');
    // Microsoft is tied to none of our systems: on staff's list, not in the subject's mail (as in the erasure report).
    expect(mail).toContain('Our staff are telling these recipients of your data about the restriction: Stripe.');
  });

  it('counts a recipient whose own system was marked through its API as told, and tells nobody when nothing was restricted', async () => {
    await ctx.memory.create(restriction({ salesforce: marked('salesforce', 2) }));

    await enterRestricted(ctx, REQUEST_ID);

    expect((await ctx.repo.get(REQUEST_ID)).art19?.restriction?.notified.map((n) => [n.name, n.how])).toEqual([['Salesforce', 'api']]);
    expect(ctx.mail.to(GOOGLE)).toHaveLength(0);

    const other = context();
    await other.memory.create(restriction({ accounts: marked('accounts', 0) }));
    await enterRestricted(other, REQUEST_ID);
    expect(other.mail.to(GOOGLE)).toHaveLength(0);
    expect(await listTodos(other, REQUEST_ID)).toEqual([]);
    expect(other.mail.to(SUBJECT_EMAIL)[0]!.text).not.toContain('disclosed your data to');
  });

  it('tells each recipient once when the step is retried', async () => {
    await ctx.memory.create(restriction({ accounts: marked('accounts', 1) }));

    await enterRestricted(ctx, REQUEST_ID);
    await enterRestricted(ctx, REQUEST_ID);

    expect(ctx.mail.to(GOOGLE)).toHaveLength(1);
    expect(await listTodos(ctx, REQUEST_ID)).toHaveLength(1);
    expect(ctx.mail.to(SUBJECT_EMAIL)).toHaveLength(1);
  });

  it('gives staff a task for a recipient whose mail failed, rather than counting it as told', async () => {
    await ctx.memory.create(restriction({ accounts: marked('accounts', 1) }));
    ctx.mail.failNext = 1;

    await enterRestricted(ctx, REQUEST_ID);

    expect((await listTodos(ctx, REQUEST_ID)).map((t) => t.title)).toContain('Tell Google about the restriction of processing (GDPR Art. 19)');
  });

  it('tells the same recipients when the restriction is lifted, and the subject reads who was told', async () => {
    await ctx.memory.create(restriction({ accounts: marked('accounts', 1) }));
    await enterRestricted(ctx, REQUEST_ID);
    await ctx.memory.putTaskToken(REQUEST_ID, 'lift', 'token-lift');
    await announceLifting(ctx, REQUEST_ID, STAFF, 'Checked.', '2026-03-02');
    await liftRestriction(ctx, REQUEST_ID, STAFF);
    await ctx.memory.update(REQUEST_ID, { connectors: { accounts: marked('accounts', 1, { restriction: { phase: 'lift', applies: true, items: [{ object: 'item', records: 1 }], byHand: 0 } }) } });

    await notifyOutcome(ctx, REQUEST_ID, { outcome: 'lifted' });
    await notifyOutcome(ctx, REQUEST_ID, { outcome: 'lifted' });

    expect(ctx.mail.to(GOOGLE).map((m) => m.subject)).toEqual([
      `Restriction of processing under GDPR Art. 19 (${REQUEST_ID})`,
      `Restriction of processing lifted, GDPR Art. 19 (${REQUEST_ID})`,
    ]);
    expect((await listTodos(ctx, REQUEST_ID)).map((t) => t.title)).toEqual([
      'Tell Microsoft about the restriction of processing (GDPR Art. 19)',
      'Tell Microsoft that the restriction of processing was lifted (GDPR Art. 19)',
    ]);
    const lifted = ctx.mail.to(SUBJECT_EMAIL).at(-1)!;
    expect(lifted.subject).toBe(`The restriction on your data has been lifted (request ${REQUEST_ID})`);
    expect(lifted.text).toContain('We have told those we disclosed your data to that the restriction is lifted: Google.');
    expect(lifted.text).not.toContain('Microsoft');
  });

  it('writes the lines in Norwegian for a request filed in Norwegian', async () => {
    await ctx.memory.create(restriction({ accounts: marked('accounts', 1) }, { locale: 'nb' }));

    await enterRestricted(ctx, REQUEST_ID);

    expect(ctx.mail.to(SUBJECT_EMAIL)[0]!.text).toContain('Vi har informert dem vi har utlevert opplysningene dine til, om begrensningen: Google.');
  });
});

describe('a system accepted as missing from a restriction pass', () => {
  it('gives staff a task to restrict it by hand and tell the subject, and another to lift it in the lift pass', async () => {
    await ctx.memory.create(
      restriction({ accounts: marked('accounts', 1), hubspot: { ...marked('hubspot', 0), status: 'accepted_missing', restriction: undefined } }, { status: 'assembling' }),
    );

    await enterRestricted(ctx, REQUEST_ID);
    await ctx.memory.putTaskToken(REQUEST_ID, 'lift', 'token-lift');
    await announceLifting(ctx, REQUEST_ID, STAFF, 'Checked.', '2026-03-02');
    await liftRestriction(ctx, REQUEST_ID, STAFF);
    await ctx.memory.update(REQUEST_ID, { connectors: { hubspot: { ...marked('hubspot', 0), status: 'accepted_missing', restriction: undefined } } });
    await notifyOutcome(ctx, REQUEST_ID, { outcome: 'lifted' });

    const partial = (await listTodos(ctx, REQUEST_ID)).filter((t) => t.kind === 'partial-answer');
    expect(partial.map((t) => t.title)).toEqual([
      "Restrict the subject's data in HubSpot (communication and marketing), which was accepted as not confirmed, and tell the subject (GDPR Art. 18)",
      'Lift the restriction in HubSpot (communication and marketing), which was accepted as not confirmed, and tell the subject (GDPR Art. 18)',
    ]);
    expect((await ctx.repo.get(REQUEST_ID)).status).toBe('completed_partial');
  });
});
