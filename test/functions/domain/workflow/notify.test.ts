import { beforeEach, describe, expect, it } from 'vitest';
import { hashToken } from '#commons/tokens';
import { DENIAL_REASONS } from '#domain/requests/model';
import { notifyOutcome } from '#domain/workflow/notify';
import type { ConnectorOutcome } from '#domain/requests/model';
import { REQUEST_ID, SUBJECT_EMAIL, tokenLinkIn, requestRecord, testContext, type TestContext } from '../../../support/in-memory-context.ts';

let ctx: TestContext;
const KEY = `exports/${REQUEST_ID}/access-${REQUEST_ID}.zip`;

const outcome = (connectorId: string, status: ConnectorOutcome['status']): ConnectorOutcome => ({
  connectorId, status, records: 0, objects: {}, stagingKeys: {}, attempts: 1,
});

beforeEach(async () => {
  ctx = testContext();
  await ctx.memory.create(
    requestRecord({
      status: 'assembling',
      package: { key: KEY, createdAt: '2026-03-02T10:00:00.000Z', expiresAt: '2026-03-09T10:00:00.000Z' },
      connectors: { accounts: outcome('accounts', 'succeeded'), calls: outcome('calls', 'succeeded') },
    }),
  );
  for (const kind of ['verification', 'review', 'reconcile'] as const) await ctx.memory.putTaskToken(REQUEST_ID, kind, `t-${kind}`);
});

describe('notifyOutcome', () => {
  it('completes: creates a download item and mails our download link with a token, never an S3 URL', async () => {
    const out = await notifyOutcome(ctx, REQUEST_ID, { outcome: 'completed' });

    expect(out).toEqual({ status: 'completed' });
    const mail = ctx.mail.to(SUBJECT_EMAIL);
    expect(mail).toHaveLength(1);
    const link = tokenLinkIn(mail[0]!);
    expect(link.url.origin).toBe(new URL(ctx.config.email.publicBaseUrl).origin);
    expect(link.names(REQUEST_ID)).toBe(true);
    const token = link.token;
    const download = await ctx.memory.download(REQUEST_ID);
    expect(download).toMatchObject({ key: KEY, tokenHash: hashToken(token), expiresAt: '2026-03-09T10:00:00.000Z' });
    expect(mail[0]!.text).not.toMatch(/X-Amz-|amazonaws\.com/);
    expect(mail[0]!.text).toContain('9 March 2026');
    const stored = ctx.memory.stored();
    expect(stored.status).toBe('completed');
    expect(stored.closedAt).toBe(ctx.clock.now().toISOString());
    expect(stored.openPk).toBeUndefined();
    expect(ctx.memory.tokens.size).toBe(0);
  });

  it('dates the link\'s end on the day it ends where the request is, not in UTC', async () => {
    // 23:30 UTC on 9 March is 00:30 on 10 March in Oslo (the zone of a Norwegian request).
    await ctx.memory.update(REQUEST_ID, { package: { key: KEY, createdAt: '2026-03-02T23:30:00.000Z', expiresAt: '2026-03-09T23:30:00.000Z' } });

    await notifyOutcome(ctx, REQUEST_ID, { outcome: 'completed' });

    const text = ctx.mail.to(SUBJECT_EMAIL)[0]!.text;
    expect(text).toContain('10 March 2026');
    expect(text).not.toContain('9 March 2026');
  });

  it('names the missing systems in the request\'s language, as configured for it', async () => {
    await ctx.memory.update(REQUEST_ID, { locale: 'nb-NO', connectors: { accounts: outcome('accounts', 'succeeded'), calls: outcome('calls', 'accepted_missing') } });

    await notifyOutcome(ctx, REQUEST_ID, { outcome: 'completed' });

    const text = ctx.mail.to(SUBJECT_EMAIL)[0]!.text;
    expect(text).toContain('Samtalehistorikken i Example Video');
    expect(text).not.toContain('Example Video call history');
    // The supervisory authority's address, from configuration, in Norwegian too.
    expect(text).toContain('Postboks 8177 Dep., 0034 Oslo');
  });

  it('completes as partial and names the systems whose data is missing', async () => {
    await ctx.memory.update(REQUEST_ID, { connectors: { accounts: outcome('accounts', 'succeeded'), calls: outcome('calls', 'accepted_missing') } });

    const out = await notifyOutcome(ctx, REQUEST_ID, { outcome: 'completed' });

    expect(out.status).toBe('completed_partial');
    expect(ctx.mail.to(SUBJECT_EMAIL)[0]!.text).toContain('could not be included: Example Video call history.');
  });

  it('leaves staff one task per system missing from a partial answer, once however often the step runs', async () => {
    await ctx.memory.update(REQUEST_ID, { connectors: { accounts: outcome('accounts', 'succeeded'), calls: outcome('calls', 'accepted_missing') } });

    await notifyOutcome(ctx, REQUEST_ID, { outcome: 'completed' });
    await notifyOutcome(ctx, REQUEST_ID, { outcome: 'completed' });

    const todos = await ctx.memory.todos.list(REQUEST_ID);
    expect(todos.map((t) => [t.kind, t.title, t.status])).toEqual([['partial-answer', 'Send the subject the data from Example Video call history missing from the answer', 'open']]);
    expect(ctx.memory.stored().todosOpen?.size).toBe(1);
  });

  it('leaves no task after a complete answer', async () => {
    await notifyOutcome(ctx, REQUEST_ID, { outcome: 'completed' });

    expect(await ctx.memory.todos.list(REQUEST_ID)).toEqual([]);
  });

  it('completes a request of whom nothing is held with a mail that says so in words, and no download', async () => {
    await ctx.memory.update(REQUEST_ID, { nothingHeld: { at: '2026-03-02T10:00:00.000Z', systems: ['Example Video account store', 'Stripe (payments)'] } }, { remove: ['package'] });

    const out = await notifyOutcome(ctx, REQUEST_ID, { outcome: 'completed' });

    expect(out).toEqual({ status: 'completed' });
    const [mail] = ctx.mail.to(SUBJECT_EMAIL);
    expect(mail!.subject).toBe(`We hold no personal data about you (${REQUEST_ID})`);
    expect(mail!.text).toContain('We found no personal data about you in any of them.');
    expect(mail!.text).toContain('- Stripe (payments)');
    expect(mail!.text).not.toMatch(/download\/|token=/i);
    expect(await ctx.memory.download(REQUEST_ID)).toBeUndefined();
    expect(ctx.memory.stored().status).toBe('completed');
  });

  it('tells a Norwegian portability subject whose data is all inferred that nothing is portable, naming the systems in Norwegian', async () => {
    await ctx.memory.update(
      REQUEST_ID,
      { type: 'portability', locale: 'nb-NO', nothingHeld: { at: '2026-03-02T10:00:00.000Z', systems: ['HubSpot (communication and marketing)'], onlyInferred: true } },
      { remove: ['package'] },
    );

    const out = await notifyOutcome(ctx, REQUEST_ID, { outcome: 'completed' });

    expect(out).toEqual({ status: 'completed' });
    const [mail] = ctx.mail.to(SUBJECT_EMAIL);
    expect(mail!.subject).toBe(`Ingen opplysninger å utlevere for dataportabilitet (${REQUEST_ID})`);
    expect(mail!.text).toContain('- HubSpot (kommunikasjon og markedsføring)');
    expect(mail!.text).not.toMatch(/download\/|token=/i);
  });

  it('refuses to complete a request without a package', async () => {
    await ctx.memory.update(REQUEST_ID, {}, { remove: ['package'] });

    await expect(notifyOutcome(ctx, REQUEST_ID, { outcome: 'completed' })).rejects.toThrow(/no package/);
    expect(ctx.mail.sent).toHaveLength(0);
  });

  it('denies: mails the reason, the note and the supervisory authority', async () => {
    await ctx.memory.update(REQUEST_ID, { status: 'awaiting_review', decision: { outcome: 'denied', by: 'dana', at: 'x', reason: 'other', note: 'We cannot identify you in our systems.' } });

    const out = await notifyOutcome(ctx, REQUEST_ID, { outcome: 'denied' });

    expect(out.status).toBe('denied');
    const text = ctx.mail.to(SUBJECT_EMAIL)[0]!.text;
    expect(text).toContain(DENIAL_REASONS.other);
    expect(text).toContain('We cannot identify you in our systems.');
    expect(text).toContain(ctx.config.supervisoryAuthority.name);
    expect(text).toContain(ctx.config.supervisoryAuthority.url);
    expect(ctx.memory.downloads.size).toBe(0);
  });

  it('writes the closing mail in the language the request was filed in', async () => {
    await ctx.memory.update(REQUEST_ID, { locale: 'nb-NO', status: 'awaiting_review', decision: { outcome: 'denied', by: 'dana', at: 'x', reason: 'excessive' } });

    await notifyOutcome(ctx, REQUEST_ID, { outcome: 'denied' });

    const mail = ctx.mail.to(SUBJECT_EMAIL)[0]!;
    expect(mail.subject).toBe(`Forespørselen din ${REQUEST_ID} er avslått`);
    expect(mail.text).toContain('Begrunnelse: Forespørselen er urimelig, særlig fordi den gjentas (personvernforordningen artikkel 12 nr. 5).');
  });

  it('closes a marketing opt-out with the systems where marketing stopped, dated, and why a hash of the address stays', async () => {
    const suppressed = (connectorId: string, at: string): ConnectorOutcome => ({
      ...outcome(connectorId, 'succeeded'),
      suppression: { applies: true, items: [{ object: 'x', suppressed: 1 }], confirmedAt: at },
    });
    await ctx.memory.update(REQUEST_ID, {
      type: 'marketing_opt_out',
      status: 'in_progress',
      connectors: {
        hubspot: suppressed('hubspot', '2026-03-03T09:00:00.000Z'),
        salesforce: suppressed('salesforce', '2026-03-03T09:00:01.000Z'),
        stripe: { ...outcome('stripe', 'succeeded'), suppression: { applies: false, items: [] } },
      },
    }, { remove: ['package'] });

    const out = await notifyOutcome(ctx, REQUEST_ID, { outcome: 'opted_out' });

    expect(out).toEqual({ status: 'completed' });
    const mail = ctx.mail.to(SUBJECT_EMAIL);
    expect(mail).toHaveLength(1);
    expect(mail[0]!.subject).toBe(`We have stopped marketing to you (request ${REQUEST_ID})`);
    expect(mail[0]!.text).toContain('HubSpot (communication and marketing): opted out on 3 March 2026.');
    expect(mail[0]!.text).toContain('Salesforce (customer and process management): opted out on 3 March 2026.');
    expect(mail[0]!.text).not.toContain('Stripe');
    expect(mail[0]!.text).toContain('even if you later ask us to erase your data');
    expect(ctx.memory.stored().status).toBe('completed');
  });

  it('writes the opt-out confirmation in Norwegian for a Norwegian request, and says where it could not be confirmed', async () => {
    await ctx.memory.update(REQUEST_ID, {
      type: 'marketing_opt_out',
      status: 'in_progress',
      locale: 'nb',
      connectors: { hubspot: outcome('hubspot', 'accepted_missing') },
    }, { remove: ['package'] });

    const out = await notifyOutcome(ctx, REQUEST_ID, { outcome: 'opted_out' });

    expect(out.status).toBe('completed_partial');
    const mail = ctx.mail.to(SUBJECT_EMAIL)[0]!;
    expect(mail.subject).toBe(`Vi har sluttet å sende deg markedsføring (henvendelse ${REQUEST_ID})`);
    expect(mail.text).toContain('Vi fant ingen markedsføringsopplysninger om deg');
    expect(mail.text).toContain('Vi har ennå ikke fått bekreftet reservasjonen i: HubSpot (kommunikasjon og markedsføring).');
  });

  describe('closing a rectification', () => {
    const corrected = (connectorId: string, fields: Array<'phone' | 'address'>): ConnectorOutcome => ({
      ...outcome(connectorId, 'succeeded'),
      rectification: { applies: true, items: fields.map((field) => ({ object: 'x', recordId: `${connectorId}-1`, field, status: 'corrected' as const })), confirmedAt: '2026-03-03T09:00:00.000Z' },
    });
    async function rectified(locale?: string) {
      await ctx.memory.update(REQUEST_ID, {
        type: 'rectification',
        status: 'in_progress',
        ...(locale ? { locale } : {}),
        connectors: {
          stripe: corrected('stripe', ['phone']),
          hubspot: corrected('hubspot', ['phone']),
          'google-analytics': { ...outcome('google-analytics', 'succeeded'), rectification: { applies: false, items: [] } },
        },
      }, { remove: ['package'] });
      await ctx.memory.rectifications.putChoice(REQUEST_ID, { corrections: {}, refusals: [{ field: 'address', reason: 'Our delivery records confirm the address we hold.' }], by: 'dana', at: 'x' });
    }

    it('tells the subject what was corrected where, what was refused and why with the right to complain, and that recipients are told', async () => {
      await rectified();

      const out = await notifyOutcome(ctx, REQUEST_ID, { outcome: 'rectified' });

      expect(out).toEqual({ status: 'completed' });
      const mail = ctx.mail.to(SUBJECT_EMAIL)[0]!;
      expect(mail.subject).toBe(`We have dealt with your request to correct your data (request ${REQUEST_ID})`);
      expect(mail.text).toContain('Stripe (payments): your phone number was corrected.');
      expect(mail.text).toContain('HubSpot (communication and marketing): your phone number was corrected.');
      expect(mail.text).not.toContain('Google');
      expect(mail.text).toContain('Your postal address: Our delivery records confirm the address we hold.');
      expect(mail.text).toContain('You have the right to lodge a complaint with the supervisory authority');
      // Corrected through their own systems' APIs: told by the correction itself (Art. 19).
      expect(mail.text).toContain('We have told those we disclosed your data to about the correction: Stripe, HubSpot.');
    });

    it('tells the recipients of the corrected systems only, not every configured recipient (Art. 19)', async () => {
      await rectified();

      await notifyOutcome(ctx, REQUEST_ID, { outcome: 'rectified' });

      const titles = (await ctx.memory.todos.list(REQUEST_ID)).map((t) => t.title);
      // Salesforce's system was not corrected: nothing to pass on to it (the old rule gave it a task).
      expect(titles).not.toContain('Tell Salesforce about the correction (GDPR Art. 19)');
      expect(titles).not.toContain('Tell Stripe about the correction (GDPR Art. 19)');
      expect(titles).not.toContain('Tell HubSpot about the correction (GDPR Art. 19)');
      expect(ctx.memory.stored().art19?.rectification?.notified.map((n) => [n.name, n.how])).toEqual([['Stripe', 'api'], ['HubSpot', 'api']]);
    });

    it('writes the report in Norwegian for a Norwegian request', async () => {
      await rectified('nb');

      await notifyOutcome(ctx, REQUEST_ID, { outcome: 'rectified' });

      const mail = ctx.mail.to(SUBJECT_EMAIL)[0]!;
      expect(mail.subject).toBe(`Vi har behandlet ønsket ditt om å rette opplysninger (henvendelse ${REQUEST_ID})`);
      expect(mail.text).toContain('Stripe (betalinger): telefonnummer er rettet.');
      expect(mail.text).toContain('Rettelse av postadresse: Our delivery records confirm the address we hold.');
      expect(mail.text).toContain('Vi har informert dem vi har utlevert opplysningene dine til, om rettingen: Stripe, HubSpot.');
    });
  });

  it('closes an unverified request and says so', async () => {
    await ctx.memory.update(REQUEST_ID, { status: 'awaiting_verification' });
    const out = await notifyOutcome(ctx, REQUEST_ID, { outcome: 'unverified' });

    expect(out.status).toBe('unverified_closed');
    expect(ctx.mail.to(SUBJECT_EMAIL)[0]!.subject).toContain('closed');
    expect(ctx.memory.actions()).toContain('request.unverified_closed');
  });

  it('cancels with the reason given', async () => {
    await ctx.memory.update(REQUEST_ID, { status: 'awaiting_staff' });
    await notifyOutcome(ctx, REQUEST_ID, { outcome: 'cancelled', reason: 'withdrawn by you' });

    expect(ctx.memory.stored().status).toBe('cancelled');
    expect(ctx.mail.to(SUBJECT_EMAIL)[0]!.text).toContain('withdrawn by you');
  });

  it('leaves no waiting task behind on a closed request, NeedsAttention\'s included', async () => {
    await ctx.memory.update(REQUEST_ID, { status: 'awaiting_staff' });
    for (const kind of ['reconcile', 'attention'] as const) await ctx.memory.putTaskToken(REQUEST_ID, kind, `tok-${kind}`);

    await notifyOutcome(ctx, REQUEST_ID, { outcome: 'cancelled', reason: 'withdrawn by you' });

    expect([await ctx.memory.taskToken(REQUEST_ID, 'reconcile'), await ctx.memory.taskToken(REQUEST_ID, 'attention')]).toEqual([undefined, undefined]);
  });

  it('cancels with the reason on record when the step is given none (a staff retry of NotifyCancelled)', async () => {
    await ctx.memory.update(REQUEST_ID, { status: 'cancelled', cancellation: { by: 'dana', at: '2026-03-02T09:00:00.000Z', reason: 'withdrawn on the phone' } });

    await notifyOutcome(ctx, REQUEST_ID, { outcome: 'cancelled' });

    expect(ctx.mail.to(SUBJECT_EMAIL)[0]!.text).toContain('withdrawn on the phone');
  });
});
