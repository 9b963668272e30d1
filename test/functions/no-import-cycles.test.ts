/**
 * No module imports itself through others. A cycle makes load order decide which module sees the
 * other's exports as undefined, and it is the first sign that one concept lives in two rooms (the
 * request record reaching into a job that reads requests, and back). Type-only imports are erased and
 * do not count.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('../../', import.meta.url).pathname;
const FUNCTIONS = join(ROOT, 'functions');

const sources = (readdirSync(FUNCTIONS, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts')).map((f) => join(FUNCTIONS, f));

/** The repository file an import specifier names, for relative and `#commons|#domain|#connectors` imports. */
function target(from: string, spec: string): string | undefined {
  const alias = /^#(commons|domain|connectors)\/(.+)$/.exec(spec);
  if (alias) return join(FUNCTIONS, alias[1]!, `${alias[2]}.ts`);
  if (spec.startsWith('.')) return resolve(dirname(from), spec);
  return undefined;
}

/** The modules `code` loads at run time: static imports and re-exports (not `import type`), and import(). */
function runtimeImports(code: string): string[] {
  const specs: string[] = [];
  for (const [, clause, spec] of code.matchAll(/^\s*(?:import|export)\b([^;]*?)\bfrom\s+'([^']+)'/gm)) {
    if (!/^\s*type\b/.test(clause!)) specs.push(spec!);
  }
  for (const m of code.matchAll(/^\s*import\s+'([^']+)'/gm)) specs.push(m[1]!);
  for (const m of code.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g)) specs.push(m[1]!);
  return specs;
}

/** Each cycle of the import graph once, as the list of files around it. */
function cycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (file: string): void => {
    state.set(file, 'open');
    path.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === 'open') found.push(path.slice(path.indexOf(next)));
      else if (!state.has(next)) visit(next);
    }
    path.pop();
    state.set(file, 'done');
  };
  for (const file of [...graph.keys()].sort()) if (!state.has(file)) visit(file);
  return found;
}

describe('Lambda code', () => {
  it('has no import cycles', () => {
    const graph = new Map<string, string[]>();
    for (const file of sources) {
      const deps = runtimeImports(readFileSync(file, 'utf8'))
        .map((spec) => target(file, spec))
        .filter((t): t is string => t !== undefined && sources.includes(t));
      graph.set(file, deps);
    }
    expect(cycles(graph).map((c) => c.map((f) => relative(ROOT, f)).join(' -> '))).toEqual([]);
  });

  it('recognises a cycle when there is one, and ignores type-only imports', () => {
    expect(runtimeImports("import type { A } from './a.ts';\nexport type { B } from './b.ts';\nimport { c } from './c.ts';\nimport './d.ts';"))
      .toEqual(['./c.ts', './d.ts']);
    const graph = new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']]]);
    expect(cycles(graph)).toEqual([['a', 'b', 'c']]);
  });
});
