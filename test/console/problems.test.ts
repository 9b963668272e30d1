import { describe, expect, it } from 'vitest';
import { translator } from '#domain/i18n/index';
import { codeProblem, problem } from '../../console/src/public/problems.ts';
import { ApiError } from '../../console/src/shared/api.ts';

const en = translator('en');
const nb = translator('nb-NO');

/** The errors the verify and resend routes answer, as the API words them (in English). */
const CODE_ERRORS = [
  new ApiError(400, 'wrong_code', 'the code is not right; 2 tries left', { attemptsLeft: 2 }),
  new ApiError(429, 'too_many_attempts', 'too many wrong codes: ask for a new code'),
  new ApiError(410, 'code_expired', 'the code has expired: ask for a new code'),
  new ApiError(410, 'code_replaced', 'a newer code was sent: use the code from the latest email'),
  new ApiError(409, 'code_not_sent', 'no code has been sent yet'),
  new ApiError(409, 'not_awaiting_verification', 'this request is not waiting for a verification code'),
  new ApiError(429, 'resend_too_soon', 'a code was sent less than a minute ago'),
  new ApiError(429, 'too_many_codes', 'too many codes were requested for this request'),
  new ApiError(429, 'rate_limited', 'too many requests', { retryAfterSeconds: 30 }),
  new ApiError(400, 'invalid_request', 'code: code is the 6-digit number from the email'),
];

describe('what the code field says when a code is refused', () => {
  it('words every refusal of the verify and resend routes in English and Norwegian, each differently', () => {
    for (const t of [en, nb]) {
      const texts = CODE_ERRORS.map((err) => codeProblem(t, err));
      expect(new Set(texts).size).toBe(CODE_ERRORS.length);
      for (const [i, text] of texts.entries()) expect(text).not.toBe(CODE_ERRORS[i]!.message);
    }
  });

  it('says how many tries are left after a wrong code, and that a new code is the way on when they are used up', () => {
    expect(codeProblem(en, CODE_ERRORS[0])).toBe('That code is not right. You have 2 tries left.');
    expect(codeProblem(nb, new ApiError(400, 'wrong_code', '', { attemptsLeft: 1 }))).toBe('Koden er feil. Du har 1 forsøk igjen.');
    expect(codeProblem(en, CODE_ERRORS[1])).toContain('Send me a new code');
    expect(codeProblem(nb, CODE_ERRORS[1])).toContain('Send meg en ny kode');
    expect(codeProblem(nb, CODE_ERRORS[2])).toBe('Koden er utløpt. Trykk «Send meg en ny kode» og bruk koden fra den nye e-posten.');
  });

  it('tells a rate-limited reader how long to wait, from the API’s Retry-After', () => {
    expect(codeProblem(en, CODE_ERRORS[8])).toBe('Too many tries from your connection. Wait 30 seconds and try again.');
    expect(codeProblem(nb, CODE_ERRORS[8])).toBe('For mange forsøk fra forbindelsen din. Vent 30 sekunder og prøv igjen.');
  });

  it('never shows a server error’s text or a network failure’s, and keeps the API’s own words for an error it does not know', () => {
    expect(problem(nb, new ApiError(500, 'internal_error', 'something went wrong on our side'))).toBe('Noe gikk galt hos oss. Prøv igjen senere.');
    expect(problem(en, new ApiError(0, 'network_error', 'x'))).toBe('We could not reach our service. Check your connection and try again.');
    expect(codeProblem(en, new ApiError(409, 'something_new', 'the API’s own words'))).toBe('the API’s own words');
  });
});
