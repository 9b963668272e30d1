/** The per-recipient limit on mails anonymous callers can cause, on a real dynalite table. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RecipientLimitedMailer } from '#domain/notifications/mail-volume';
import { translator } from '#domain/i18n/index';
import { acknowledgement, completion, duplicateRequest, verificationCode } from '#domain/notifications/templates';
import { staffAttention } from '#domain/notifications/staff-mails';
import { RateCounters } from '#domain/rate-limits/index';
import { TABLE, startHarness, testConfig, type Harness } from '../../../support/dynalite-harness.ts';

let h: Harness;
let mailer: RecipientLimitedMailer;
const config = testConfig();
const facts = { requestId: 'dsar_abcdefgh12', type: 'erasure', receivedDate: '2026-03-02', dueDate: '2026-04-02' };

beforeEach(async () => {
  h = await startHarness(config);
  h.clock.at = new Date('2026-03-02T10:00:00Z');
  mailer = new RecipientLimitedMailer(h.mailer, new RateCounters(h.access.db, TABLE, h.clock), config, async ({ requestId, ...detail }) => {
    if (requestId) await h.ctx.repo.audit(requestId, 'system', 'mail.dropped', detail);
  });
});
afterEach(async () => h?.close());

/** Request ids to tag mails with (the drop is audited under them; the records themselves are not read). */
const filedRequests = async (n: number) => Array.from({ length: n }, (_, i) => `dsar_flood${String(i).padStart(6, '0')}`);

const en = translator('en');

describe('mails anonymous callers can cause', () => {
  it('reach one address at most the configured number of times a day, however many requests ask concurrently', async () => {
    const ids = await filedRequests(40);
    const addresses = ['victim@example.test', 'Victim@Example.test', ' VICTIM@example.TEST'];

    const sent = await Promise.all(
      ids.flatMap((id, i) => [
        mailer.send(addresses[i % 3]!, acknowledgement(config, { ...facts, requestId: id }, 'https://x.test/s', en), { requestId: id }),
        mailer.send(addresses[i % 3]!, verificationCode(config, { ...facts, requestId: id }, '123456', 15, en, 'https://privacy.example.test/request/verify?id=dsar_abc12345'), { requestId: id }),
      ]),
    );

    expect(config.rateLimits.mailsPerRecipient.limit).toBe(6);
    expect(h.mailer.sent).toHaveLength(6);
    expect(sent.filter((s) => s === undefined)).toHaveLength(74);
    const dropped = (await Promise.all(ids.map((id) => h.ctx.repo.auditTrail(id)))).flat().filter((e) => e.action === 'mail.dropped');
    expect(dropped).toHaveLength(74);
    expect(dropped[0]).toMatchObject({ actor: 'system', detail: { volume: 'anonymous', limit: 'mailsPerRecipient', retryAfterSeconds: 14 * 3600 } });
    expect(JSON.stringify(dropped)).not.toMatch(/@/);
  });

  it('collapse duplicate notices for one address into one a day, without spending the rest of its budget', async () => {
    const ids = await filedRequests(10);

    await Promise.all(ids.map((id) => mailer.send('victim@example.test', duplicateRequest(config, facts, 'https://x.test/s', en), { requestId: id })));
    expect(h.mailer.sent.map((m) => m.email.subject)).toEqual([expect.stringContaining('You already have an open request')]);

    for (let i = 0; i < 5; i++) await mailer.send('victim@example.test', verificationCode(config, facts, '123456', 15, en, 'https://privacy.example.test/request/verify?id=dsar_abc12345'), { requestId: ids[0]! });
    expect(h.mailer.sent).toHaveLength(6);
    await mailer.send('victim@example.test', verificationCode(config, facts, '123456', 15, en, 'https://privacy.example.test/request/verify?id=dsar_abc12345'), { requestId: ids[0]! });
    expect(h.mailer.sent).toHaveLength(6);
  });

  it('go out again once the day is over', async () => {
    for (let i = 0; i < 8; i++) await mailer.send('victim@example.test', acknowledgement(config, facts, 'https://x.test/s', en));
    h.clock.at = new Date('2026-03-03T00:00:00Z');

    expect(await mailer.send('victim@example.test', acknowledgement(config, facts, 'https://x.test/s', en))).toBe('msg-7');
  });

  it('leave other addresses untouched', async () => {
    for (let i = 0; i < 8; i++) await mailer.send('victim@example.test', acknowledgement(config, facts, 'https://x.test/s', en));

    expect(await mailer.send('someone-else@example.test', acknowledgement(config, facts, 'https://x.test/s', en))).toBe('msg-7');
  });
});

describe('mails after verification or a staff action', () => {
  it('are never dropped, even when the address has used up its budget', async () => {
    for (let i = 0; i < 8; i++) await mailer.send('victim@example.test', acknowledgement(config, facts, 'https://x.test/s', en));

    await mailer.send('victim@example.test', completion(config, facts, 'https://x.test/d', '2026-03-09T00:00:00Z', undefined, en));
    await mailer.send(config.email.staff, staffAttention(config, facts.requestId, 'review', 'https://c.test'));
    expect(h.mailer.sent.map((m) => m.email.subject).slice(-2)).toEqual([expect.stringContaining('ready'), expect.any(String)]);
    expect(h.mailer.sent).toHaveLength(8);
  });
});
