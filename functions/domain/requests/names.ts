/**
 * The names a request carries (the subject's, an agent's, a rectification's "correct name"): they are
 * printed in mails from the company's own address and shown to staff, so they must not be able to carry
 * a lure. Its own module, so staff actions that check a name do not bundle intake's deadline engine.
 */
export const NAME_MAX_LENGTH = 200;

// Control characters, invisible formatting (bidi overrides, zero-width), line and paragraph separators.
export const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;
// A scheme (`https://`, `mailto:`), `www.`, an address, or a host name (`evil.example`, `bit.ly/x`).
const ADDRESS_LIKE = /[a-z][a-z0-9+.-]*:\/\/|\bmailto:|\bwww\.|@|[\p{L}\p{N}-]+\.\p{L}{2,}(?=$|[\s/?#:,;)])/iu;

/** What is wrong with a subject's name, or undefined when it may be stored and quoted. */
export function nameProblem(name: string): string | undefined {
  if (name.length > NAME_MAX_LENGTH) return `name must be at most ${NAME_MAX_LENGTH} characters`;
  if (INVISIBLE.test(name)) return 'name must not contain line breaks, control or invisible characters';
  if (ADDRESS_LIKE.test(name)) return 'name must not contain a web or email address';
  return undefined;
}
