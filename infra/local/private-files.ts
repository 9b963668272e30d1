/**
 * The local runtime's folder holds requests, subjects' data, exported packages, staff tokens and keys:
 * only the user who runs it may read it. Directories are 0700 and files 0600, including a folder an
 * earlier version created with the default modes (it is tightened on every start), and everything the
 * emulators write while the runtime runs (the process's umask is 077 meanwhile; child processes inherit it).
 */
import { chmodSync, lstatSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** Creates `dir` if needed and makes it and everything under it private. Symbolic links are left alone. */
export function makePrivate(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  tighten(dir);
}

/** Makes only `dir` itself private (a folder holding other things too, like `.dsar/`). */
export function makeDirPrivate(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  chmodSync(dir, PRIVATE_DIR_MODE);
}

function tighten(path: string): void {
  const stat = lstatSync(path);
  if (stat.isSymbolicLink()) return;
  if (stat.isDirectory()) {
    if ((stat.mode & 0o777) !== PRIVATE_DIR_MODE) chmodSync(path, PRIVATE_DIR_MODE);
    for (const entry of readdirSync(path)) tighten(join(path, entry));
  } else if ((stat.mode & 0o777 & ~PRIVATE_FILE_MODE) !== 0) {
    chmodSync(path, stat.mode & 0o777 & PRIVATE_FILE_MODE);
  }
}

/**
 * Sets the umask to 077 until the returned function restores it. Where a process cannot change it (a
 * worker thread), files are still tightened at each start by `makePrivate`.
 */
export function privateUmask(): () => void {
  try {
    const previous = process.umask(0o077);
    return () => void process.umask(previous);
  } catch {
    return () => undefined;
  }
}
