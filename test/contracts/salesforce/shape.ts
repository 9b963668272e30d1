/**
 * "Has the documented shape": every key of a documented example is in the answer, with the same JSON
 * type, all the way down. Vendors add keys over time and a sandbox may too, so extra keys pass; `null`
 * on either side passes (the documentation's examples leave nullable fields null, or fill them). An
 * element of an array must match one of the documented elements (a composite answer documents a success
 * and a failure).
 */
type JsonType = 'null' | 'array' | 'object' | 'string' | 'number' | 'boolean' | 'undefined';

function typeOf(value: unknown): JsonType {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value as JsonType;
}

/** Where `actual` departs from the documented example, as `$.path: why`; empty when it matches. */
export function shapeMismatches(documented: unknown, actual: unknown, path = '$'): string[] {
  const want = typeOf(documented);
  const got = typeOf(actual);
  if (want === 'null' || got === 'null') return [];
  if (want !== got) return [`${path}: documented ${want}, got ${got}`];
  if (want === 'array') {
    const examples = documented as unknown[];
    if (!examples.length) return [];
    return (actual as unknown[]).flatMap((item, i) => {
      const tries = examples.map((example) => shapeMismatches(example, item, `${path}[${i}]`));
      return tries.some((t) => t.length === 0) ? [] : tries.reduce((a, b) => (b.length < a.length ? b : a));
    });
  }
  if (want === 'object') {
    const doc = documented as Record<string, unknown>;
    const act = actual as Record<string, unknown>;
    return Object.keys(doc).flatMap((key) =>
      key in act ? shapeMismatches(doc[key], act[key], `${path}.${key}`) : [`${path}.${key}: documented, missing`],
    );
  }
  return [];
}
