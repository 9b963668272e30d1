import { describe, expect, it } from 'vitest';
import { parseConfig } from '#commons/config';
import { translator } from '../../../../functions/domain/i18n/index.ts';
import { nothingHeld } from '../../../../functions/domain/notifications/nothing-held.ts';
import { exampleConfigJson } from '../../../support/in-memory-context.ts';

const config = parseConfig(exampleConfigJson());
const facts = { requestId: 'dsar_carol', type: 'access', systems: ['Example Video account store', 'Stripe (payments)'] };

describe('the mail that says we hold nothing', () => {
  const mail = nothingHeld(config, facts, translator('en'));

  it('says in words that nothing was found in the systems searched, and offers no download', () => {
    expect(mail.subject).toBe('We hold no personal data about you (dsar_carol)');
    expect(mail.text).toContain('We searched these 2 systems for data about you:\n- Example Video account store\n- Stripe (payments)');
    expect(mail.text).toContain('no download follows');
    expect(mail.html).not.toMatch(/download\//);
  });

  it('gives the Art. 15 information that still applies: purposes, categories, none shared, kept, collected, transferred or profiled, rights, complaint', () => {
    expect(mail.text).toContain('Operating and delivering the service');
    expect(mail.text).toContain('Contact details (name, email, phone)');
    expect(mail.text).toMatch(/share none with other organisations, keep none, have collected none from any source, transfer none outside the EU\/EEA, and make no profile of you and no automated decision/);
    expect(mail.text).toMatch(/access to your data, to correct or erase it, to restrict or object to its use, or for a copy/);
    expect(mail.text).toContain('Datatilsynet, PO Box 8177, 0034 Oslo, Norway (https://www.datatilsynet.no/)');
    expect(mail.text).toContain('https://example-video.test/privacy');
  });

  it('is written in Norwegian Bokmål for a request filed in nb-NO, the privacy notice included', () => {
    const nb = nothingHeld(config, { ...facts, name: 'Carol' }, translator('nb-NO'));
    expect(nb.subject).toBe('Vi har ingen personopplysninger om deg (dsar_carol)');
    expect(nb.html).toContain('<html lang="nb-NO">');
    expect(nb.text).toContain('Navn i forespørselen: «Carol»');
    expect(nb.text).toContain('Å drive og levere tjenesten');
    expect(nb.text).toContain('Vi fant ingen personopplysninger om deg i noen av dem.');
  });

  describe('for a portability request whose data is all inferred or derived', () => {
    const portable = { ...facts, type: 'portability', onlyInferred: true };

    it('says nothing portable was found, not that we hold nothing, and points to an access request', () => {
      const mail = nothingHeld(config, portable, translator('en'));
      expect(mail.subject).toBe('No data to hand over for portability (dsar_carol)');
      expect(mail.text).toContain('We have finished your request for a copy of your personal data to take elsewhere (portability)');
      expect(mail.text).toContain('We found none of that about you, so there is nothing to send you, and no download follows.');
      expect(mail.text).toContain('by making a request for access to your data');
      // We do hold data: nothing may say we keep, share or assess none of it.
      expect(mail.text).not.toMatch(/hold no personal data|keep none|make no profile/);
      expect(mail.html).not.toMatch(/download\//);
    });

    it('is written in Norwegian Bokmål for a request filed in nb-NO', () => {
      const nb = nothingHeld(config, portable, translator('nb-NO'));
      expect(nb.subject).toBe('Ingen opplysninger å utlevere for dataportabilitet (dsar_carol)');
      expect(nb.text).toContain('Vi fant ingen slike opplysninger om deg.');
      expect(nb.text).toContain('ved å be om innsyn i opplysningene dine');
      expect(nb.text).not.toContain('Vi har ingen personopplysninger om deg');
    });
  });
});
