import { describe, expect, it } from 'vitest';
import { translator } from '#domain/i18n/index';
import { acknowledgement, cancelled, completion, denial, duplicateRequest, extensionNotice, unverifiedClosed, verificationCode } from '#domain/notifications/templates';
import { type Email } from '#domain/notifications/compose';
import { staffAttention } from '#domain/notifications/staff-mails';
import { exampleConfig } from '../../../support/in-memory-context.ts';

const config = exampleConfig();
const facts = { requestId: 'dsar_abc12345', type: 'access', receivedDate: '2026-03-02', dueDate: '2026-04-02', name: 'Alice <script>' };
const en = translator('en');
const nb = translator('nb-NO');
const STATUS = 'https://privacy.example.test/status?id=1&token=t';

/** Every mail to the subject, built in the language given. */
const subjectMails = (t: ReturnType<typeof translator>): Record<string, Email> => ({
  acknowledgement: acknowledgement(config, facts, STATUS, t),
  code: verificationCode(config, facts, '123456', 15, t, 'https://privacy.example.test/request/verify?id=dsar_abc12345'),
  duplicate: duplicateRequest(config, facts, STATUS, t),
  denial: denial(config, facts, 'excessive', undefined, t),
  unverified: unverifiedClosed(config, facts, t),
  cancelled: cancelled(config, facts, undefined, t),
  completion: completion(config, facts, 'https://x.test/d', '2026-03-09T10:00:00.000Z', undefined, t),
  extension: extensionNotice(config, facts, 'Many systems to search.', '2026-04-02', 'GDPR Art. 12(3)', t),
});

describe('templates', () => {
  it('escapes what the subject typed in the HTML body', () => {
    const mail = acknowledgement(config, facts, STATUS, en);

    expect(mail.html).not.toContain('<script>');
    expect(mail.html).toContain('Alice &lt;script&gt;');
    expect(mail.html).toContain('id=1&amp;token=t');
  });

  it('writes the dates of an acknowledgement as a reader of the language does, the due date being that calendar day', () => {
    expect(acknowledgement(config, facts, STATUS, en).text).toContain('We will answer by 2 April 2026.');
    expect(acknowledgement(config, facts, STATUS, nb).text).toContain('Du får svar innen 2. april 2026.');
  });

  it('names the supervisory authority in a denial, and says the reason in the reader’s language', () => {
    const mail = denial(config, facts, 'excessive', 'You asked three times this month.', en);

    expect(mail.text).toContain(config.supervisoryAuthority.name);
    expect(mail.text).toContain('Reason: The request is excessive, in particular because of its repetitive character (GDPR Art. 12(5)).\nYou asked three times this month.');
    expect(denial(config, facts, 'excessive', undefined, nb).text).toContain('Begrunnelse: Forespørselen er urimelig, særlig fordi den gjentas');
  });

  it('says "cancelled by our staff" when staff gave no reason, and their reason when they did', () => {
    expect(cancelled(config, facts, undefined, en).text).toContain('was cancelled. Reason: cancelled by our staff');
    expect(cancelled(config, facts, undefined, nb).text).toContain('er trukket tilbake. Begrunnelse: avsluttet av våre medarbeidere');
    expect(cancelled(config, facts, 'at your request', en).text).toContain('Reason: at your request');
  });

  it('lists missing systems in a partial completion, joined as the language joins a list', () => {
    const mail = completion(config, facts, 'https://x.test/v1/downloads/dsar_abc12345?token=t', '2026-03-09T10:00:00.000Z', ['Stripe', 'HubSpot'], en);

    expect(mail.text).toContain('could not be included: Stripe and HubSpot.');
    expect(mail.text).toContain('the link works until 9 March 2026');
    expect(completion(config, facts, 'https://x.test/d', '2026-03-09T10:00:00.000Z', ['Stripe', 'HubSpot'], nb).text).toContain('kunne ikke tas med: Stripe og HubSpot.');
  });

  it('gives the extension’s reason, the statute and both due dates', () => {
    const mail = extensionNotice(config, { ...facts, dueDate: '2026-06-02' }, 'Many systems to search.', '2026-04-02', 'GDPR Art. 12(3)', nb);

    expect(mail.text).toContain('Begrunnelse: Many systems to search.');
    expect(mail.text).toContain('Du får svar innen 2. juni 2026 i stedet for 2. april 2026, slik GDPR Art. 12(3) tillater.');
  });

  it('never puts the subject’s name in mail to staff', () => {
    const mail = staffAttention(config, 'dsar_abc12345', 'access request to review', 'https://console.test/requests/dsar_abc12345');

    expect(mail.text + mail.html).not.toContain('Alice');
    expect(mail.subject).toContain('dsar_abc12345');
  });

  it('never puts the name in the code mail, and keeps the code out of its subject (the README parses the body)', () => {
    for (const t of [en, nb]) {
      const mail = verificationCode(config, facts, '123456', 15, t, 'https://privacy.example.test/request/verify?id=dsar_abc12345');

      expect(mail.subject).not.toContain('123456');
      expect(mail.text + mail.html).not.toContain('Alice');
    }
    expect(verificationCode(config, facts, '123456', 15, en, 'https://privacy.example.test/request/verify?id=dsar_abc12345').subject).toBe('Your verification code');
  });

  it('writes the code after "is: " in English and "er: " in Norwegian, where the test support reads it', () => {
    expect(verificationCode(config, facts, '123456', 15, en, 'https://privacy.example.test/request/verify?id=dsar_abc12345').text).toContain('Your code for request dsar_abc12345 is: 123456');
    expect(verificationCode(config, facts, '123456', 15, nb, 'https://privacy.example.test/request/verify?id=dsar_abc12345').text).toContain('Koden din for forespørsel dsar_abc12345 er: 123456');
    expect(verificationCode(config, facts, '123456', 1, en, 'https://privacy.example.test/request/verify?id=dsar_abc12345').text).toContain('It is valid for 1 minute.');
  });

  it('quotes the name in other mails to the subject only on its own labelled line, after a plain greeting', () => {
    for (const [t, hello, label] of [
      [en, 'Hello,', 'Name on the request: "Alice <script>"'],
      [nb, 'Hei,', 'Navn oppgitt i forespørselen: «Alice <script>»'],
    ] as const) {
      for (const [name, mail] of Object.entries(subjectMails(t))) {
        if (name === 'code') continue;
        expect(mail.text.startsWith(`${hello}\n\n${label}\n\n`)).toBe(true);
        expect(mail.text.split('\n').filter((l) => l.includes('Alice'))).toEqual([label]);
      }
    }
  });

  it('writes every mail to the subject in Norwegian for an nb-NO request: subject, body, signature and html lang', () => {
    const english = subjectMails(en);
    for (const [name, mail] of Object.entries(subjectMails(nb))) {
      expect(mail.subject, name).not.toBe(english[name]!.subject);
      expect(mail.text, name).toMatch(/^Hei,/);
      expect(mail.text, name).toContain(`Personvernombud: ${config.organisation.dpo.name}`);
      expect(mail.html, name).toContain('<html lang="nb-NO">');
    }
    expect(subjectMails(nb).acknowledgement!.subject).toBe('Vi har mottatt forespørselen din (dsar_abc12345)');
    expect(subjectMails(nb).unverified!.text).toContain('Ingen opplysninger er utlevert eller endret.');
  });

  it('falls back to English for a language it has no catalogue for', () => {
    const german = subjectMails(translator('de-DE'));

    for (const [name, mail] of Object.entries(subjectMails(en))) {
      expect(german[name]!.subject).toBe(mail.subject);
      expect(german[name]!.text).toBe(mail.text);
    }
    expect(german.acknowledgement!.html).toContain('<html lang="en-GB">');
  });
});
