/**
 * The Lambdas validate with `zod/mini` (functions/commons/zod.ts); the API's error messages were
 * written by classic `zod`. The same schema in both builds must report the same issues, word for word.
 */
import { describe, expect, it } from 'vitest';
import * as classic from 'zod';
import * as mini from 'zod/mini';

const issues = (r: { success: boolean; error?: { issues: Array<{ path: PropertyKey[]; message: string; code: string }> } }) =>
  (r.error?.issues ?? []).map((i) => ({ path: i.path, code: i.code, message: i.message }));

const pairs: Array<[string, classic.ZodType, mini.ZodMiniType, unknown[]]> = [
  ['a required string', classic.string(), mini.string(), [undefined, 1, null]],
  ['a bounded, trimmed string', classic.string().trim().min(1).max(3), mini.string().check(mini.trim(), mini.minLength(1), mini.maxLength(3)), ['  ', 'abcd']],
  ['a whole number in a range', classic.number().int().min(1).max(10), mini.number().check(mini.int(), mini.minimum(1), mini.maximum(10)), [0, 11, 1.5, '3']],
  ['an email address', classic.email(), mini.email(), ['not-an-address', 3]],
  ['a URL', classic.string().url(), mini.url(), ['nope']],
  ['an enum', classic.enum(['a', 'b']), mini.enum(['a', 'b']), ['c']],
  ['an ISO date', classic.iso.date(), mini.iso.date(), ['2026-13-01']],
  ['a two-character string', classic.string().length(2), mini.string().check(mini.length(2)), ['NOR']],
  ['a non-empty array', classic.array(classic.string()).min(1), mini.array(mini.string()).check(mini.minLength(1)), [[]]],
  ['a strict object', classic.strictObject({ a: classic.string() }), mini.strictObject({ a: mini.string() }), [{ a: 'x', b: 1 }, {}]],
];

describe('zod/mini with the English locale', () => {
  it.each(pairs)('reports what classic zod reports for %s', (_name, c, m, values) => {
    for (const value of values) expect(issues(mini.safeParse(m, value)), JSON.stringify(value)).toEqual(issues(classic.safeParse(c, value)));
  });

});
