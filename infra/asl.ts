/**
 * The workflow definition: the one ASL file, with its `${Placeholders}` replaced. Both the CDK stack and
 * the embedded runtime load it through here, so both run the same definition.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const ASL_PATH = fileURLToPath(new URL('../statemachines/dsar.asl.json', import.meta.url));

export function readDefinition(): string {
  return readFileSync(ASL_PATH, 'utf8');
}

/** The placeholders the definition uses, e.g. `CollectFunctionArn`. */
export function placeholders(definition = readDefinition()): string[] {
  return [...new Set([...definition.matchAll(/\$\{([A-Za-z0-9_]+)\}/g)].map((m) => m[1]!))].sort();
}

/** Replaces every placeholder; a placeholder without a value is an error, never left in the output. */
export function substitute(values: Record<string, string>, definition = readDefinition()): string {
  const missing = placeholders(definition).filter((p) => !(p in values));
  if (missing.length) throw new Error(`no value for ASL placeholder(s): ${missing.join(', ')}`);
  return definition.replace(/\$\{([A-Za-z0-9_]+)\}/g, (_, name: string) => values[name]!);
}
