/**
 * The subject's language as the API accepts it (a BCP 47 tag like en or nb-NO). Browsers started under a
 * POSIX locale report navigator.language as "en-US@posix"; sending that made the API refuse the whole
 * request with a 400, so the subject could not ask at all. The locale only picks the mails' language:
 * strip what is not a tag, and send nothing rather than something the API would refuse.
 */
const TAG = /^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$/;

export function languageTag(raw: string | undefined): string | undefined {
  const candidate = raw?.split(/[@.]/)[0]?.replace(/_/g, '-');
  if (!candidate || !TAG.test(candidate)) return undefined;
  try {
    return Intl.getCanonicalLocales(candidate)[0];
  } catch {
    return undefined;
  }
}
