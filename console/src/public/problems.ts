/**
 * What the public pages say when a call fails: the API's error codes worded in the reader's language,
 * each with what to do next. Codes the catalogue does not know (a newer API) show the API's own message.
 */
import type { Translator } from '../../../functions/domain/i18n/index.ts';
import { ApiError } from '../shared/api.ts';

/** What went wrong with a call, in the reader's language where we know the error; the API's words otherwise. */
export function problem(t: Translator, err: unknown): string {
  if (!(err instanceof ApiError)) return t.t('page.unexpectedError');
  if (err.code === 'network_error') return t.t('page.networkError');
  if (err.code === 'rate_limited') return t.t('verify.rateLimited', { seconds: Number(err.details.retryAfterSeconds) || 60 });
  if (err.status >= 500) return t.t('page.unexpectedError');
  return err.message;
}

/** Why a code was not accepted or not sent, and what to do about it. */
export function codeProblem(t: Translator, err: unknown): string {
  if (!(err instanceof ApiError)) return problem(t, err);
  switch (err.code) {
    case 'wrong_code': {
      const left = Number(err.details.attemptsLeft);
      return Number.isInteger(left) && left > 0 ? t.t('verify.wrongCode', { left }) : t.t('verify.wrongCodeNoCount');
    }
    case 'invalid_request':
      return t.t('verify.badFormat');
    case 'too_many_attempts':
      return t.t('verify.tooManyAttempts');
    case 'code_expired':
      return t.t('verify.expired');
    case 'code_replaced':
      return t.t('verify.replaced');
    case 'code_not_sent':
      return t.t('verify.notSent');
    case 'not_awaiting_verification':
      return t.t('verify.notWaiting');
    case 'resend_too_soon':
      return t.t('verify.resendTooSoon');
    case 'too_many_codes':
      return t.t('verify.tooManyCodes');
    default:
      return problem(t, err);
  }
}
