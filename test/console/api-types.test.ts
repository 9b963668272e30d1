import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { API_TYPES_FILE, generateApiTypes } from '../../console/src/generate-api-types.ts';

describe("the console's API types", () => {
  it('are what openapi-typescript makes of docs/openapi.yaml now (run `npm run api-types` after editing it)', async () => {
    expect(readFileSync(API_TYPES_FILE, 'utf8')).toBe(await generateApiTypes());
  });
});
