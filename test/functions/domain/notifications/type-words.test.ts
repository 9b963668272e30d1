import { describe, expect, it } from 'vitest';
import { translator } from '#domain/i18n/index';
import { typeWords } from '#domain/notifications/type-words';

describe('typeWords, a request type as the reader of a mail reads it', () => {
  it('names a known type in the reader\'s language', () => {
    expect(typeWords(translator('en'), 'rectification')).toBe('correction of your personal data');
    expect(typeWords(translator('nb'), 'rectification')).toBe('retting av personopplysningene dine');
  });

  it('leaves a type the catalogue has no words for as it is, rather than showing a message key', () => {
    expect(typeWords(translator('en'), 'a_newer_type')).toBe('a_newer_type');
  });
});
