/**
 * The mails around an opt-out that went ahead without the code: none of them may promise a code step
 * that does not come, and the confirmation says no code was asked and nothing was sent anywhere.
 */
import { describe, expect, it } from 'vitest';
import { translator } from '#domain/i18n/index';
import { agentFiledNotice } from '#domain/notifications/agent-mails';
import { optOutConfirmation } from '#domain/notifications/opt-out';
import { acknowledgement } from '#domain/notifications/templates';
import { exampleConfig, requestRecord } from '../../../support/in-memory-context.ts';

const config = exampleConfig();
const facts = { requestId: 'dsar_abc12345', type: 'marketing_opt_out', receivedDate: '2026-03-02', dueDate: '2026-04-02' };
const waived = requestRecord({ type: 'marketing_opt_out', status: 'completed', verificationWaived: { reason: 'configuration', at: '2026-03-02T10:00:00.000Z' } });

describe('the mails of an opt-out that needs no code', () => {
  it.each([
    ['en', 'Stopping marketing needs no code', 'nothing happens until the code is entered'],
    ['nb', 'Du trenger ingen kode for å stoppe markedsføring', 'ingenting skjer før koden er oppgitt'],
  ])('acknowledge it without promising a code step (%s)', (locale, says, never) => {
    const mail = acknowledgement(config, facts, 'https://x.test/status', translator(locale), { codeWaived: true });
    expect(mail.text).toContain(says);
    expect(mail.text).not.toContain(never);
    expect(acknowledgement(config, facts, 'https://x.test/status', translator(locale)).text).toContain(never);
  });

  it('confirm it saying that no code was asked, and only then', () => {
    expect(optOutConfirmation(config, waived, translator('en')).text).toContain('without asking you to confirm your address with a code');
    expect(optOutConfirmation(config, { ...waived, verificationWaived: undefined }, translator('en')).text).not.toContain('without asking you to confirm');
    expect(optOutConfirmation(config, waived, translator('nb')).text).toContain('uten å be deg bekrefte adressen med en kode');
  });

  it('tell the subject an agent filed it without asking them to enter or withhold a code', () => {
    const mail = agentFiledNotice(config, { ...facts, agentName: 'Ann Agent', codeWaived: true }, translator('en'));
    expect(mail.text).toContain('Stopping marketing needs no code');
    expect(mail.text).not.toMatch(/enter the code|do not enter the code/);
    expect(agentFiledNotice(config, { ...facts, agentName: 'Ann Agent' }, translator('en')).text).toContain('do not enter the code');
  });
});
