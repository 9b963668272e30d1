/**
 * Names of entries inside the ZIP. Object names come from vendors and configuration, so they are turned
 * into single, harmless path segments: no separators, no `..`, no leading dots, no names Windows
 * reserves, and unique inside their folder even on case-insensitive file systems.
 */

const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])$/i;

export function safeSegment(name: string, fallback: string): string {
  let s = name
    .normalize('NFC')
    .replace(/[^\p{L}\p{N}._ -]+/gu, '_')
    .replace(/\.{2,}/g, '')
    .replace(/_+/g, '_')
    .replace(/^[._\s-]+/, '')
    .replace(/[.\s]+$/, '')
    .slice(0, 100);
  if (!s || s === '_') s = fallback;
  if (WINDOWS_RESERVED.test(s)) s = `_${s}`;
  return s;
}

/** Hands out unique names inside one folder of the ZIP. */
export class FolderNames {
  private readonly used = new Set<string>();

  take(name: string, fallback: string, extension: string): string {
    const base = safeSegment(name, fallback);
    let candidate = base;
    for (let n = 2; this.used.has(`${candidate}${extension}`.toLowerCase()); n++) candidate = `${base}-${n}`;
    this.used.add(`${candidate}${extension}`.toLowerCase());
    return `${candidate}${extension}`;
  }
}
