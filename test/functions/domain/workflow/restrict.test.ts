/**
 * A restriction's act step (GDPR Art. 18) on fake connectors: it sets or lifts as the stored phase says,
 * confirms by the read-back, and leaves staff a task for what a system cannot mark; then the request
 * enters `restricted` with the subject told, and staff may lift only after telling the subject.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import type { ConnectorRegistry } from '#connectors/registry';
import type { Connector, RestrictionItem, RestrictionStatus, Subject } from '#connectors/types';
import { actWithConnector } from '#domain/workflow/act';
import { restrictWithConnector, RestrictionNotConfirmed } from '#domain/workflow/restrict';
import { enterRestricted } from '#domain/workflow/restricted';
import { notifyOutcome } from '#domain/workflow/notify';
import { announceLifting, liftRestriction } from '#domain/restriction/lifting';
import { cancel, staffActions } from '#domain/requests/staff';
import { extensionRefusal } from '#domain/deadlines/ops/extension';
import { RequestError } from '#commons/errors';
import type { RequestRecord } from '#domain/requests/model';
import { REQUEST_ID, requestRecord, SUBJECT_EMAIL, testContext, verificationFor, type TestContext } from '../../../support/in-memory-context.ts';

const sfn = mockClient(SFNClient);
const STAFF = 'dana@example-video.test';
let ctx: TestContext;
let calls: string[];

/** A fake connector that can mark a restriction: `set`/`lift` answer `items`, the read-back `status`. */
function registryRestricting(items: RestrictionItem[], status: RestrictionStatus[]): ConnectorRegistry {
  return {
    get: (connectorId: string) =>
      ({
        id: connectorId,
        async *access() {},
        restrict: {
          async set(subject: Subject) {
            calls.push(`set:${connectorId}:${subject.normalizedEmail}`);
            return items;
          },
          async lift(subject: Subject) {
            calls.push(`lift:${connectorId}:${subject.normalizedEmail}`);
            return items;
          },
          async status() {
            calls.push(`status:${connectorId}`);
            return status;
          },
        },
      }) as unknown as Connector,
  } as unknown as ConnectorRegistry;
}

/** A system without the capability that holds `held` records of the subject (counted as the preview counts). */
function registryWithout(held: number): ConnectorRegistry {
  return {
    get: (connectorId: string) =>
      ({
        id: connectorId,
        async countOnly() {
          calls.push(`count:${connectorId}`);
          return held ? { charges: held } : {};
        },
        async *access() {},
      }) as unknown as Connector,
  } as unknown as ConnectorRegistry;
}

const approvedRestriction = (more: Partial<RequestRecord> = {}) =>
  requestRecord({
    type: 'restriction',
    status: 'in_progress',
    restriction: { phase: 'set', ground: 'accuracy_contested' },
    verification: verificationFor(REQUEST_ID, '123456', { verifiedAt: '2026-03-02T10:05:00.000Z' }),
    decision: { outcome: 'approved', by: STAFF, at: '2026-03-02T10:05:01.000Z' },
    ...more,
  });

beforeEach(() => {
  ctx = testContext();
  calls = [];
  sfn.on(SendTaskSuccessCommand).resolves({});
});
afterEach(() => sfn.reset());

describe('restrictWithConnector', () => {
  it('sets the restriction, reads it back, and records what it did with the time the read-back confirmed it', async () => {
    await ctx.memory.create(approvedRestriction());

    const result = await restrictWithConnector(ctx, registryRestricting([{ object: 'Individual', records: 1 }], [{ object: 'Individual', restricted: 1, unrestricted: 0 }]), REQUEST_ID, 'salesforce');

    expect(calls).toEqual(['set:salesforce:alice@example.com', 'status:salesforce']);
    expect(result).toEqual({
      connectorId: 'salesforce',
      status: 'succeeded',
      records: 1,
      objects: { Individual: 1 },
      stagingKeys: {},
      restriction: {
        phase: 'set',
        applies: true,
        items: [{ object: 'Individual', records: 1 }],
        status: [{ object: 'Individual', restricted: 1, unrestricted: 0 }],
        byHand: 0,
        confirmedAt: ctx.clock.now().toISOString(),
      },
    });
  });

  it('fails as RestrictionNotConfirmed when the read-back still finds a record not restricted', async () => {
    await ctx.memory.create(approvedRestriction());

    await expect(
      restrictWithConnector(ctx, registryRestricting([{ object: 'account', records: 2 }], [{ object: 'account', restricted: 1, unrestricted: 1 }]), REQUEST_ID, 'accounts'),
    ).rejects.toThrow(RestrictionNotConfirmed);
  });

  it('lifts instead when the stored phase is lift, and fails when a mark is still there', async () => {
    await ctx.memory.create(approvedRestriction({ restriction: { phase: 'lift' } }));

    const ok = await restrictWithConnector(ctx, registryRestricting([{ object: 'account', records: 1 }], [{ object: 'account', restricted: 0, unrestricted: 1 }]), REQUEST_ID, 'accounts');
    expect(calls).toEqual(['lift:accounts:alice@example.com', 'status:accounts']);
    expect(ok).toMatchObject({ restriction: { phase: 'lift', applies: true } });

    await expect(restrictWithConnector(ctx, registryRestricting([], [{ object: 'account', restricted: 1, unrestricted: 0 }]), REQUEST_ID, 'accounts')).rejects.toThrow(RestrictionNotConfirmed);
  });

  it('gives staff one task to restrict by hand in a system that holds the subject but cannot mark it, and none where it holds nothing', async () => {
    await ctx.memory.create(approvedRestriction());

    const held = await restrictWithConnector(ctx, registryWithout(3), REQUEST_ID, 'stripe');
    await restrictWithConnector(ctx, registryWithout(3), REQUEST_ID, 'stripe');
    const empty = await restrictWithConnector(ctx, registryWithout(0), REQUEST_ID, 'google-analytics');

    expect(held).toMatchObject({ restriction: { phase: 'set', applies: false, byHand: 3, todo: 1 } });
    expect(empty).toMatchObject({ restriction: { applies: false, byHand: 0 } });
    const todos = await ctx.repo.todos.list(REQUEST_ID);
    expect(todos.map((t) => [t.kind, t.title])).toEqual([['restriction-by-hand', "Restrict the subject's data in Stripe (payments) by hand (GDPR Art. 18; 3 records it cannot mark itself)"]]);
  });

  it('gives staff a task for records the system holds but cannot mark (a Contact without an Individual)', async () => {
    await ctx.memory.create(approvedRestriction());

    const result = await restrictWithConnector(ctx, registryRestricting([], [{ object: 'Contact', restricted: 0, unrestricted: 0, unmarkable: 1 }]), REQUEST_ID, 'salesforce');

    expect(result).toMatchObject({ restriction: { applies: true, byHand: 1, todo: 1 } });
  });

  it('refuses a request that is not an approved restriction, and the act step sends a restriction here', async () => {
    await ctx.memory.create(approvedRestriction({ type: 'access' }));
    await expect(restrictWithConnector(ctx, registryRestricting([], []), REQUEST_ID, 'accounts')).rejects.toThrow(/not a restriction/);

    ctx = testContext();
    await ctx.memory.create(approvedRestriction());
    await actWithConnector(ctx, registryRestricting([], []), REQUEST_ID, 'accounts');
    expect(calls).toEqual(['set:accounts:alice@example.com', 'status:accounts']);
  });
});

describe('the restricted status and lifting it', () => {
  async function restricted() {
    await ctx.memory.create(
      approvedRestriction({
        connectors: {
          accounts: {
            connectorId: 'accounts',
            status: 'succeeded',
            records: 1,
            objects: { account: 1 },
            stagingKeys: {},
            attempts: 1,
            restriction: { phase: 'set', applies: true, items: [{ object: 'account', records: 1 }], byHand: 0, confirmedAt: ctx.clock.now().toISOString() },
          },
        },
      }),
    );
    await enterRestricted(ctx, REQUEST_ID);
    await ctx.memory.putTaskToken(REQUEST_ID, 'lift', 'token-lift');
  }

  it('enters restricted, answered now, and tells the subject once where and that they hear before it is lifted', async () => {
    await restricted();
    await enterRestricted(ctx, REQUEST_ID);

    const r = await ctx.repo.get(REQUEST_ID);
    expect(r).toMatchObject({ status: 'restricted', answeredAt: ctx.clock.now().toISOString(), restriction: { phase: 'set', confirmedAt: ctx.clock.now().toISOString() } });
    expect(r.openPk).toBe('OPEN');
    const mails = ctx.mail.to(SUBJECT_EMAIL);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.subject).toBe(`We have restricted the use of your data (request ${REQUEST_ID})`);
    expect(mails[0]!.text).toContain('restricted on');
    expect(mails[0]!.text).toContain('We will tell you before we lift the restriction.');
  });

  it('refuses to lift before the subject was told (409), and offers staff only the notice', async () => {
    await restricted();

    const err = await liftRestriction(ctx, REQUEST_ID, STAFF).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(RequestError);
    expect(err).toMatchObject({ status: 409, code: 'notice_required' });
    expect(sfn.commandCalls(SendTaskSuccessCommand)).toHaveLength(0);
    expect((await ctx.repo.get(REQUEST_ID)).status).toBe('restricted');
    expect(staffActions(ctx, await ctx.repo.get(REQUEST_ID), ['approver'])).toEqual(expect.arrayContaining(['announce-lifting']));
    expect(staffActions(ctx, await ctx.repo.get(REQUEST_ID), ['approver'])).not.toContain('lift');
    expect(staffActions(ctx, await ctx.repo.get(REQUEST_ID), ['approver'])).not.toContain('cancel');
  });

  it('offers no extension of a deadline that was met, and refuses one', async () => {
    await restricted();
    const r = await ctx.repo.get(REQUEST_ID);

    expect(staffActions(ctx, r, ['approver'])).not.toContain('extend');
    expect(extensionRefusal(ctx, r, ctx.clock.now())).toMatchObject({ status: 409, code: 'answered' });
  });

  it('mails the notice with the date and reason, then lets staff lift from that date: the lift pass starts afresh', async () => {
    await restricted();

    await announceLifting(ctx, REQUEST_ID, STAFF, 'We have checked your address: it is correct.', '2026-03-09');
    const notice = ctx.mail.to(SUBJECT_EMAIL).at(-1)!;
    expect(notice.subject).toBe(`We intend to lift the restriction on your data (request ${REQUEST_ID})`);
    expect(notice.text).toContain('Why: We have checked your address: it is correct.');
    await expect(liftRestriction(ctx, REQUEST_ID, STAFF)).rejects.toMatchObject({ status: 409, code: 'too_early' });
    await expect(announceLifting(ctx, REQUEST_ID, STAFF, 'again', '2026-03-10')).rejects.toMatchObject({ status: 409, code: 'already_announced' });

    ctx.fixedClock.advance(7 * 24 * 3600_000);
    const after = await liftRestriction(ctx, REQUEST_ID, STAFF);

    expect(after).toMatchObject({ status: 'in_progress', connectors: {}, restriction: { phase: 'lift', lifted: { by: STAFF }, setPass: { accounts: { status: 'succeeded' } } } });
    expect(JSON.parse(sfn.commandCalls(SendTaskSuccessCommand)[0]!.args[0].input.output!)).toEqual({ action: 'lift', by: STAFF });
    expect(ctx.memory.events.filter((e) => e.action.startsWith('restriction.')).map((e) => [e.action, e.actor])).toEqual([
      ['restriction.confirmed', 'system'],
      ['restriction.lifting_announced', STAFF],
      ['restriction.lift_started', STAFF],
    ]);
  });

  it('does not count a notice whose mail failed as given: lifting stays refused until it is sent again', async () => {
    await restricted();
    ctx.mail.failNext = 1;

    await expect(announceLifting(ctx, REQUEST_ID, STAFF, 'Checked.', '2026-03-02')).rejects.toThrow();
    await expect(liftRestriction(ctx, REQUEST_ID, STAFF)).rejects.toMatchObject({ status: 409, code: 'notice_required' });
    await announceLifting(ctx, REQUEST_ID, STAFF, 'Checked, and found correct.', '2026-03-02');

    expect(ctx.mail.to(SUBJECT_EMAIL).at(-1)!.text).toContain('Why: Checked, and found correct.');
    expect((await liftRestriction(ctx, REQUEST_ID, STAFF)).status).toBe('in_progress');
  });

  it('refuses a notice dated in the past, and a cancel of a restriction in force', async () => {
    await restricted();

    await expect(announceLifting(ctx, REQUEST_ID, STAFF, 'Checked.', '2026-03-01')).rejects.toMatchObject({ status: 400, code: 'invalid_date' });
    await expect(cancel(ctx, REQUEST_ID, STAFF, 'no longer needed')).rejects.toMatchObject({ status: 409, code: 'restricted' });
    expect(ctx.mail.to(SUBJECT_EMAIL)).toHaveLength(1);
  });

  it('closes as completed after the lift pass and tells the subject it is lifted', async () => {
    await restricted();
    await announceLifting(ctx, REQUEST_ID, STAFF, 'Checked.', '2026-03-02');
    await liftRestriction(ctx, REQUEST_ID, STAFF);

    await notifyOutcome(ctx, REQUEST_ID, { outcome: 'lifted' });

    expect((await ctx.repo.get(REQUEST_ID)).status).toBe('completed');
    expect(ctx.mail.to(SUBJECT_EMAIL).at(-1)!.subject).toBe(`The restriction on your data has been lifted (request ${REQUEST_ID})`);
  });
});
