import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ConnectorRegistry } from '#connectors/registry';
import type { Connector, DataRecord, Subject } from '#connectors/types';
import { RECHECK_MARGIN_DAYS, recheckErasures, rechecksFor } from '../../../../functions/domain/erasure-recheck/index.ts';
import type { ConnectorOutcome, RequestRecord } from '../../../../functions/domain/requests/model.ts';
import { putRequest, startHarness, type Harness } from '../../../support/dynalite-harness.ts';

const STAFF = ['privacy-team@example-video.test', 'second@example-video.test'];
const CLOSED_AT = '2026-03-01T12:00:00.000Z';

let h: Harness;
let reads: Array<{ connectorId: string; subject: Subject }>;
let inSystem: DataRecord[];

beforeEach(async () => {
  h = await startHarness();
  reads = [];
  inSystem = [];
});
afterEach(async () => h?.close());

/** The one configured connector (`accounts`), answering a read-back with whatever `inSystem` holds then. */
const registry = {
  get: (connectorId: string) =>
    ({
      id: connectorId,
      async *access(subject: Subject) {
        reads.push({ connectorId, subject });
        yield* inSystem;
      },
      async erase() {
        throw new Error('a re-check must not erase');
      },
    }) as unknown as Connector,
} as unknown as ConnectorRegistry;

const submitted = (withinDays: number): ConnectorOutcome => ({
  connectorId: 'accounts', status: 'succeeded', records: 1, objects: {}, stagingKeys: {}, attempts: 1, finishedAt: CLOSED_AT,
  erasure: [{ object: 'account', action: 'deleted', count: 1, completion: { vendor: 'Example Vendor', withinDays } }],
});

/** A closed erasure whose `accounts` deletion the vendor completes within 30 days, with its re-check owed. */
async function closedErasure(): Promise<RequestRecord> {
  const seeded = await putRequest(h, { type: 'erasure', status: 'completed', receivedAt: '2026-02-20T10:00:00Z', closedAt: CLOSED_AT });
  const r = await h.ctx.repo.update(seeded.requestId, { connectors: { accounts: submitted(30) } });
  for (const recheck of rechecksFor(r, CLOSED_AT)) await h.ctx.repo.scheduleErasureRecheck(recheck);
  return r;
}

const DUE = new Date(Date.parse(CLOSED_AT) + (30 + RECHECK_MARGIN_DAYS) * 86_400_000);

async function rechecks(requestId: string) {
  return (await h.ctx.repo.auditTrail(requestId)).filter((e) => e.action === 'erasure.rechecked');
}

describe('which closed erasures owe a re-check', () => {
  it('owes one per connector with a submitted deletion, due after its longest window and the margin', () => {
    const r = { requestId: 'dsar_x', connectors: { accounts: submitted(30) } } as unknown as RequestRecord;
    r.connectors!.accounts!.erasure!.push({ object: 'events', action: 'deleted', count: 2, completion: { vendor: 'Example Vendor', withinDays: 63 } });
    const [owed, ...more] = rechecksFor(r, CLOSED_AT);
    expect(more).toEqual([]);
    expect(owed!.connectorId).toBe('accounts');
    expect(owed!.dueAt).toBe(new Date(Date.parse(CLOSED_AT) + (63 + RECHECK_MARGIN_DAYS) * 86_400_000).toISOString());
    expect(owed!.objects.map((o) => o.object)).toEqual(['account', 'events']);
  });

  it('owes none for deletions done at once, nothing erased, or a connector staff accepted as missing', () => {
    const immediate = { connectorId: 'accounts', status: 'succeeded', erasure: [{ object: 'account', action: 'deleted', count: 1 }] };
    const none = { ...submitted(30), erasure: [{ object: 'account', action: 'deleted', count: 0, completion: { vendor: 'V', withinDays: 30 } }] };
    const accepted = { ...submitted(30), status: 'accepted_missing' };
    for (const accounts of [immediate, none, accepted]) {
      expect(rechecksFor({ requestId: 'dsar_x', connectors: { accounts } } as unknown as RequestRecord, CLOSED_AT)).toEqual([]);
    }
  });
});

describe('the scheduled erasure re-check', () => {
  it('reads nothing before the re-check is due', async () => {
    const r = await closedErasure();
    h.clock.at = new Date(DUE.getTime() - 60_000);

    const summary = await recheckErasures(h.ctx, registry);

    expect(summary.due).toBe(0);
    expect(reads).toEqual([]);
    expect(await rechecks(r.requestId)).toEqual([]);
    expect(h.mailer.sent).toEqual([]);
  });

  it('when due, reads the subject back, audits the erasure as confirmed, and does not check it again', async () => {
    const r = await closedErasure();
    h.clock.at = DUE;

    const summary = await recheckErasures(h.ctx, registry);

    expect(summary).toMatchObject({ due: 1, confirmed: 1, stillFound: 0, staffTold: false });
    expect(reads).toEqual([{ connectorId: 'accounts', subject: expect.objectContaining({ email: 'subject@example.test' }) }]);
    const [event, ...others] = await rechecks(r.requestId);
    expect(others).toEqual([]);
    expect(event!.detail).toMatchObject({ connectorId: 'accounts', outcome: 'confirmed' });
    expect(h.mailer.sent).toEqual([]);

    h.clock.at = new Date(DUE.getTime() + 86_400_000);
    expect((await recheckErasures(h.ctx, registry)).due).toBe(0);
    expect(reads).toHaveLength(1);
  });

  it('tells staff, never the subject, when the records are still there after the window', async () => {
    const r = await closedErasure();
    inSystem = [{ object: 'account', id: 'a1', data: { email: 'subject@example.test', name: 'Sam Subject' } }];
    h.clock.at = DUE;

    const summary = await recheckErasures(h.ctx, registry);

    expect(summary).toMatchObject({ due: 1, confirmed: 0, stillFound: 1, staffTold: true });
    const [event] = await rechecks(r.requestId);
    expect(event!.detail).toMatchObject({ connectorId: 'accounts', outcome: 'still_found', residual: { account: 1 } });
    expect(h.mailer.sent).toHaveLength(1);
    const mail = h.mailer.sent[0]!;
    expect(mail.to.sort()).toEqual(STAFF);
    expect(mail.email.text).toContain(`${r.requestId}, Accounts: deletion submitted for account (Example Vendor, within 30 days); after the window, 1 account still found.`);
    expect(mail.email.text).toContain(`https://console.example-video.test/requests/${r.requestId}`);
    expect(mail.email.text).not.toContain('subject@example.test');
    expect(mail.email.text).not.toContain('Sam Subject');
  });

  it('gives the re-check back when staff could not be mailed, so the next run tells them', async () => {
    const r = await closedErasure();
    inSystem = [{ object: 'account', id: 'a1', data: {} }];
    h.clock.at = DUE;
    h.mailer.failFor.add(STAFF[0]!);

    await expect(recheckErasures(h.ctx, registry)).rejects.toThrow('mail server said no');

    h.mailer.failFor.clear();
    const summary = await recheckErasures(h.ctx, registry);
    expect(summary).toMatchObject({ due: 1, stillFound: 1, staffTold: true });
    expect(h.mailer.sent).toHaveLength(1);
    expect(await rechecks(r.requestId)).toHaveLength(2);
  });
});
