/**
 * The three mails of a restriction in the subject's language: restricted (where, by hand where, what it
 * means, that they hear before lifting), the notice before lifting (date and staff's reason, as
 * written), and lifted.
 */
import { describe, expect, it } from 'vitest';
import { translator } from '#domain/i18n/index';
import { liftedMail, liftingNotice, restrictedMail } from '#domain/notifications/restriction';
import type { ConnectorOutcome } from '#domain/requests/model';
import { exampleConfig, REQUEST_ID, requestRecord } from '../../../support/in-memory-context.ts';

const config = exampleConfig();
const outcome = (connectorId: string, restriction: ConnectorOutcome['restriction']): ConnectorOutcome => ({
  connectorId,
  status: 'succeeded',
  records: 0,
  objects: {},
  stagingKeys: {},
  attempts: 1,
  restriction,
});
const restricted = requestRecord({
  type: 'restriction',
  status: 'restricted',
  locale: 'nb-NO',
  restriction: { phase: 'set', notice: { reason: 'Vi har kontrollert adressen din: den er riktig.', liftOn: '2026-03-20', by: 'dana@example-video.test', at: '2026-03-06T10:00:00Z' } },
  connectors: {
    salesforce: outcome('salesforce', { phase: 'set', applies: true, items: [{ object: 'Individual', records: 1 }], byHand: 0, confirmedAt: '2026-03-02T10:00:00Z' }),
    stripe: outcome('stripe', { phase: 'set', applies: false, items: [], byHand: 2 }),
    'google-analytics': outcome('google-analytics', { phase: 'set', applies: false, items: [], byHand: 0 }),
  },
});

describe('the restriction mails', () => {
  it('tells the subject in Norwegian where their data is restricted, where staff do it by hand, and that they hear before it is lifted', () => {
    const mail = restrictedMail(config, restricted, translator('nb'));

    expect(mail.subject).toBe(`Vi har begrenset bruken av opplysningene dine (henvendelse ${REQUEST_ID})`);
    expect(mail.text).toMatch(/Salesforce \(.*\): begrenset 2\. mars 2026\./);
    expect(mail.text).toMatch(/Våre ansatte merker opplysningene dine som begrenset for hånd i: Stripe/);
    expect(mail.text).not.toContain('Google Analytics');
    expect(mail.text).toContain('Vi gir deg beskjed før vi opphever begrensningen.');
  });

  it('quotes staff’s reason and the day in the notice before lifting', () => {
    const mail = liftingNotice(config, restricted, translator('nb'));

    expect(mail.subject).toBe(`Vi vil oppheve begrensningen av opplysningene dine (henvendelse ${REQUEST_ID})`);
    expect(mail.text).toContain('tidligst 20. mars 2026');
    expect(mail.text).toContain('Begrunnelse: Vi har kontrollert adressen din: den er riktig.');
  });

  it('says where the restriction was lifted, in English', () => {
    const mail = liftedMail(config, { ...restricted, locale: 'en' }, translator('en'));

    expect(mail.subject).toBe(`The restriction on your data has been lifted (request ${REQUEST_ID})`);
    expect(mail.text).toMatch(/lifted the restriction on the use of your data in: Salesforce .*, Stripe/);
  });
});
