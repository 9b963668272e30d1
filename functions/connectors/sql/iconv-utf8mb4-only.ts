/**
 * Stands in for `iconv-lite` in the bundled MySQL driver (infra/bundling.ts aliases it there). mysql2
 * reaches iconv-lite only for a character set Node's Buffer cannot decode itself; the driver connects with
 * `charset: 'utf8mb4'` (mysql-driver.ts), so the server sends every text column as UTF-8 and mysql2
 * decodes and encodes it natively. iconv-lite's code-page tables (about 0.5 MB) would be dead weight. If a
 * value ever does arrive in another character set, this fails loudly instead of returning mangled text.
 */
function refuse(encoding: string): never {
  throw new Error(`the bundled MySQL driver speaks utf8mb4 only, not ${encoding} (functions/connectors/sql/iconv-utf8mb4-only.ts)`);
}

export function getDecoder(encoding: string): never {
  return refuse(encoding);
}

export function getEncoder(encoding: string): never {
  return refuse(encoding);
}

export function encodingExists(): boolean {
  return false;
}
