import { describe, expect, it } from 'vitest';
import { acknowledgement, cancelled, completion, denial, duplicateRequest, staffAttention, unverifiedClosed, verificationCode } from '#domain/notifications/templates';
import { exampleConfig } from '../requests/support.ts';

const config = exampleConfig();
const facts = { requestId: 'dsar_abc12345', type: 'access', receivedDate: '2026-03-02', dueDate: '2026-04-02', name: 'Alice <script>' };

describe('templates', () => {
  it('escapes what the subject typed in the HTML body', () => {
    const mail = acknowledgement(config, facts, 'https://privacy.example.test/status?id=1&token=t');

    expect(mail.html).not.toContain('<script>');
    expect(mail.html).toContain('Alice &lt;script&gt;');
    expect(mail.html).toContain('id=1&amp;token=t');
    expect(mail.text).toContain('2026-04-02');
  });

  it('names the supervisory authority in a denial', () => {
    const mail = denial(config, facts, 'The request is excessive.');

    expect(mail.text).toContain(config.supervisoryAuthority.name);
    expect(mail.text).toContain('The request is excessive.');
  });

  it('lists missing systems in a partial completion', () => {
    const mail = completion(config, facts, 'https://x.test/v1/downloads/dsar_abc12345?token=t', '2026-03-09T10:00:00.000Z', ['Stripe']);

    expect(mail.text).toContain('could not be included: Stripe');
    expect(mail.text).toContain('2026-03-09');
  });

  it('never puts the subject’s name in mail to staff', () => {
    const mail = staffAttention(config, 'dsar_abc12345', 'access request to review', 'https://console.test/requests/dsar_abc12345');

    expect(mail.text + mail.html).not.toContain('Alice');
    expect(mail.subject).toContain('dsar_abc12345');
  });

  it('never puts the name in the code mail, and keeps the code out of its subject (the README parses the body)', () => {
    const mail = verificationCode(config, facts, '123456', 15, 'https://privacy.example.test/request/verify?id=dsar_abc12345');

    expect(mail.subject).toBe('Your verification code');
    expect(mail.text).toContain('is: 123456');
    expect(mail.text + mail.html).not.toContain('Alice');
  });

  it('quotes the name in other mails to the subject only on its own labelled line, after a plain greeting', () => {
    for (const mail of [
      acknowledgement(config, facts, 'https://privacy.example.test/status?id=1&token=t'),
      duplicateRequest(config, facts, 'https://privacy.example.test/status?id=1&token=t'),
      denial(config, facts, 'excessive'),
      unverifiedClosed(config, facts),
      cancelled(config, facts, 'at your request'),
    ]) {
      expect(mail.text.startsWith('Hello,\n\nName on the request: "Alice <script>"\n\n')).toBe(true);
      expect(mail.text.split('\n').filter((l) => l.includes('Alice'))).toEqual(['Name on the request: "Alice <script>"']);
    }
  });
});
