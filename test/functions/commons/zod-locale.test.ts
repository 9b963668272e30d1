/**
 * Without classic zod in the process (it would set the English locale by itself), the configuration's
 * problems still read in English: functions/commons/zod.ts sets the locale for zod/mini.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '#commons/config';

const exampleConfigJson = (): unknown => JSON.parse(readFileSync(new URL('../../../config/example.config.json', import.meta.url), 'utf8'));

describe('a configuration problem, in a process without classic zod', () => {
  it('is named in English, not as "Invalid input"', () => {
    const json = exampleConfigJson() as { organisation: Record<string, unknown>; verification: Record<string, unknown> };
    json.organisation.country = 'NOR';
    json.verification.maxAttempts = 0;
    expect(() => parseConfig(json)).toThrow(
      'invalid DSAR configuration:\n  organisation.country: Too big: expected string to have exactly 2 characters\n  verification.maxAttempts: Too small: expected number to be >=1',
    );
  });
});
