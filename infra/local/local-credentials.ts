/**
 * The AWS credentials of the local runtime: random, generated at the first start and kept in the data
 * folder (0600). The S3 and DynamoDB proxies accept only requests signed with them; the runtime hands
 * them to the functions it runs through the SDK's own variables, and writes them into `runtime.json`
 * (0600) for the tools that talk to a running runtime (the CLI, benchmarks, tests).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { LocalCredentials } from './sigv4-verify.ts';

export type { LocalCredentials } from './sigv4-verify.ts';

export const CREDENTIALS_FILE = 'aws-credentials.json';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function generate(): LocalCredentials {
  // 20 characters like an AWS key id, but never mistaken for one (they start AKIA/ASIA).
  const id = [...randomBytes(15)].map((b) => ALPHABET[b % 32]).join('');
  return { accessKeyId: `LOCAL${id}`, secretAccessKey: randomBytes(30).toString('base64') };
}

function isCredentials(value: unknown): value is LocalCredentials {
  const v = value as Partial<LocalCredentials> | null;
  return typeof v?.accessKeyId === 'string' && v.accessKeyId.length >= 16 && typeof v.secretAccessKey === 'string' && v.secretAccessKey.length >= 32;
}

/** The runtime's credentials in `dataDir`, made at the first call. */
export function runtimeCredentials(dataDir: string): LocalCredentials {
  const file = join(dataDir, CREDENTIALS_FILE);
  if (existsSync(file)) {
    const stored = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    if (isCredentials(stored)) return { accessKeyId: stored.accessKeyId, secretAccessKey: stored.secretAccessKey };
    throw new Error(`${file} does not hold the runtime's credentials; delete it to generate new ones`);
  }
  const fresh = generate();
  writeFileSync(file, JSON.stringify(fresh, null, 2), { mode: 0o600, flag: 'wx' });
  return fresh;
}
