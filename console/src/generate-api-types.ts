/**
 * The console's types for the API, generated from docs/openapi.yaml with openapi-typescript into
 * console/src/shared/api-types.ts (committed), so a change to the API's contract breaks the console's
 * typecheck instead of a staff member's session. Run `npm run api-types` after editing the document;
 * test/console/api-types.test.ts fails while the committed file differs from a fresh generation.
 *
 * openapi-typescript 6: version 7 needs TypeScript 5's compiler API, which the project's TypeScript 7
 * (the native compiler) does not have.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import openapiTS from 'openapi-typescript';

const DOCUMENT = new URL('../../docs/openapi.yaml', import.meta.url);
export const API_TYPES_FILE = new URL('./shared/api-types.ts', import.meta.url);

export async function generateApiTypes(): Promise<string> {
  const types = await openapiTS(DOCUMENT, { exportType: false });
  return `// Generated from docs/openapi.yaml by console/src/generate-api-types.ts (npm run api-types): do not edit.\n${types}`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(API_TYPES_FILE, await generateApiTypes());
}
