/**
 * Lambda code imports each name from the module that defines it. A barrel (a module that only
 * re-exports others) makes esbuild keep every module behind it whose top level might have effects:
 * `deadlines/index.ts` put date-holidays into functions that only needed a date difference.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('../../', import.meta.url).pathname;
const FUNCTIONS = join(ROOT, 'functions');

const sources = (readdirSync(FUNCTIONS, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts')).map((f) => join(FUNCTIONS, f));

/** Whether a module's statements are all re-exports (comments and blank lines aside). */
function isBarrel(file: string): boolean {
  const code = readFileSync(file, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/^\s*\/\/.*$/gm, '')
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean);
  return code.length > 0 && code.every((s) => /^export\s+(type\s+)?(\*|\{[^}]*\})\s+from\s+'[^']+'$/.test(s));
}

/** The repository file an import specifier names, for relative and `#commons|#domain|#connectors` imports. */
function target(from: string, spec: string): string | undefined {
  const alias = /^#(commons|domain|connectors)\/(.+)$/.exec(spec);
  if (alias) return join(FUNCTIONS, alias[1]!, `${alias[2]}.ts`);
  if (spec.startsWith('.')) return resolve(dirname(from), spec);
  return undefined;
}

describe('Lambda code', () => {
  it('imports from the defining module, never through a barrel', () => {
    const through: string[] = [];
    for (const file of sources) {
      for (const [, spec] of readFileSync(file, 'utf8').matchAll(/^\s*(?:import|export)\b[^;]*?from\s+'([^']+)'/gm)) {
        const t = target(file, spec!);
        if (t && sources.includes(t) && isBarrel(t)) through.push(`${relative(ROOT, file)} -> ${relative(ROOT, t)}`);
      }
    }
    expect(through).toEqual([]);
  });

  it('recognises a barrel when it sees one', () => {
    const barrels = sources.filter(isBarrel).map((f) => relative(ROOT, f));
    expect(barrels).toEqual(expect.arrayContaining(['functions/domain/staging/index.ts', 'functions/domain/package/index.ts']));
  });
});
