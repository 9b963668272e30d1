import { describe, expect, it } from 'vitest';
import { languageTag } from '../../console/src/public/locale.ts';

describe("the subject's language sent with a request", () => {
  it('keeps a language tag as the browser reports it, in canonical case', () => {
    expect(languageTag('nb-NO')).toBe('nb-NO');
    expect(languageTag('en')).toBe('en');
    expect(languageTag('EN-us')).toBe('en-US');
  });

  it('turns what a browser under a POSIX locale reports into a tag the API accepts', () => {
    expect(languageTag('en-US@posix')).toBe('en-US');
    expect(languageTag('de_DE.UTF-8')).toBe('de-DE');
  });

  it('sends no language rather than one the API would refuse', () => {
    expect(languageTag('C')).toBeUndefined();
    expect(languageTag('')).toBeUndefined();
    expect(languageTag(undefined)).toBeUndefined();
    expect(languageTag('not a language')).toBeUndefined();
  });
});
