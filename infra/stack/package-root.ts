/**
 * Where the package's own files are, found from this module's location and never from the process's
 * working directory: a team that embeds the construct runs `cdk synth` in its own project, where the
 * package sits under node_modules/dsar-orchestrator and the working directory is theirs.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root: the repository checkout, or node_modules/dsar-orchestrator in an embedding app. */
export const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The lock files NodejsFunction understands, npm's first (the one this repository ships). */
const LOCK_FILES = ['package-lock.json', 'pnpm-lock.yaml', 'yarn.lock', 'bun.lock', 'bun.lockb'];

/**
 * The nearest lock file at or above `from`. In the repository it is the package's own; installed as a
 * dependency the package has none (npm never packs package-lock.json), so it is the embedding app's,
 * whose node_modules is also where esbuild finds the functions' dependencies.
 */
export function findLockFile(from: string = PACKAGE_ROOT): string {
  let dir = resolve(from);
  for (;;) {
    const found = LOCK_FILES.map((name) => join(dir, name)).find((file) => existsSync(file));
    if (found) return found;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no lock file (${LOCK_FILES.join(', ')}) at or above ${from}: install the package with a package manager that writes one`);
    dir = parent;
  }
}
