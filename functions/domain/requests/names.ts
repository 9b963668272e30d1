/**
 * What a name someone types may hold: a subject's name at intake, an agent's name and organisation
 * (../agents/agent.ts). A module of its own because intake checks an agent too, so the agent module
 * importing intake for this closed an import cycle.
 */

/** A name is printed in mails from the company's own address: it must not be able to carry a lure. */
export const NAME_MAX_LENGTH = 200;

// Control characters, invisible formatting (bidi overrides, zero-width), line and paragraph separators.
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;
// A scheme (`https://`, `mailto:`), `www.`, an address, or a host name (`evil.example`, `bit.ly/x`).
const ADDRESS_LIKE = /[a-z][a-z0-9+.-]*:\/\/|\bmailto:|\bwww\.|@|[\p{L}\p{N}-]+\.\p{L}{2,}(?=$|[\s/?#:,;)])/iu;

/** What is wrong with a subject's name, or undefined when it may be stored and quoted. */
export function nameProblem(name: string): string | undefined {
  if (name.length > NAME_MAX_LENGTH) return `name must be at most ${NAME_MAX_LENGTH} characters`;
  if (INVISIBLE.test(name)) return 'name must not contain line breaks, control or invisible characters';
  if (ADDRESS_LIKE.test(name)) return 'name must not contain a web or email address';
  return undefined;
}
