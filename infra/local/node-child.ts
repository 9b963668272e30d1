/**
 * How the embedded runtime starts one of its own TypeScript files in a child Node process.
 *
 * Node 22.18+/23.6+ strips types itself (`process.features.typescript`), so a child whose imports are
 * plain erasable TypeScript (no enums, no parameter properties) runs without tsx: no loader and no
 * esbuild service process, which saves their memory for as long as the child lives. On an older Node
 * the child gets tsx's loader, found from here, so it works whatever the working directory.
 */
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/** The Node arguments that run `file` (a path relative to this folder), after `flags`. */
export function typescriptChildArgs(file: string, flags: string[] = []): string[] {
  const entry = fileURLToPath(new URL(file, import.meta.url));
  const loader = (process.features as { typescript?: string | false }).typescript ? [] : ['--import', TSX_LOADER];
  return [...flags, ...loader, entry];
}
