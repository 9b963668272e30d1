/**
 * How the Lambda code is bundled, in one place for the stack (NodejsFunction) and the bundle-size test:
 * the esbuild settings, and the side files some functions ship beside their `index.mjs`.
 *
 * A side file is a module the function imports only when it needs it, by a computed path esbuild leaves
 * alone: the `mysql2` driver weighs more than all other connector code together (with iconv-lite's
 * character-set tables and the RDS CA bundle about 1 MB), and only a configuration with a MySQL
 * connector ever loads it. Bundled into every connector function it would add that to each cold start.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The banner every bundle starts with: ESM output, CommonJS dependencies still call `require`. */
export const REQUIRE_BANNER = "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";

export interface SideFile {
  /** File name in the asset, beside index.mjs; the importing module names the same file. */
  file: string;
  /** Entry, relative to the package root. */
  entry: string;
  /** Packages replaced in this file: name -> module relative to the package root. */
  alias?: Record<string, string>;
}

/**
 * Side files of the functions that run connectors (functions/connectors/sql/mysql.ts imports this one).
 * iconv-lite is left out: the driver connects as utf8mb4, so mysql2 never needs its code-page tables
 * (functions/connectors/sql/iconv-utf8mb4-only.ts says why, and fails loudly if that ever changes).
 */
export const CONNECTOR_SIDE_FILES: SideFile[] = [
  { file: 'mysql-driver.mjs', entry: 'functions/connectors/sql/mysql-driver.ts', alias: { 'iconv-lite': 'functions/connectors/sql/iconv-utf8mb4-only.ts' } },
];

/** A side file's aliases with absolute paths, as esbuild takes them. */
export function aliasesOf(packageRoot: string, side: SideFile): Record<string, string> {
  return Object.fromEntries(Object.entries(side.alias ?? {}).map(([name, path]) => [name, join(packageRoot, path)]));
}

/** The esbuild command that builds a side file into `outputDir` with the settings of the main bundle. */
export function sideFileCommand(packageRoot: string, side: SideFile, outputDir: string): string {
  const esbuild = join(dirname(createRequire(import.meta.url).resolve('esbuild/package.json')), 'bin', 'esbuild');
  return [
    `"${esbuild}"`,
    `"${join(packageRoot, side.entry)}"`,
    '--bundle',
    '--platform=node',
    '--format=esm',
    '--target=node24',
    '--minify',
    '--main-fields=module,main',
    `--banner:js="${REQUIRE_BANNER}"`,
    ...Object.entries(aliasesOf(packageRoot, side)).map(([name, path]) => `"--alias:${name}=${path}"`),
    `--outfile="${join(outputDir, side.file)}"`,
    '--log-level=warning',
  ].join(' ');
}
