/**
 * The secret key verification codes are hashed with (./tokens.ts `hashCode`). On AWS it is a Secrets
 * Manager secret the stack generates (`DSAR_CODE_KEY_SECRET` names it; only the functions that hash codes
 * may read it); in the embedded runtime a generated file under its data folder, mode 0600
 * (`DSAR_CODE_KEY_FILE`). Read once per warm Lambda and kept in memory: the key never changes while
 * codes are live (rotating it only invalidates the codes in flight, which the subject can ask for again).
 */
import { readFileSync } from 'node:fs';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/** Fewer bytes than this is not a key but a mistake (an empty file, a placeholder). */
const MIN_KEY_BYTES = 32;

let cached: { source: string; key: Promise<Buffer> } | undefined;

function asKey(text: string | undefined, where: string): Buffer {
  const key = Buffer.from((text ?? '').trim(), 'utf8');
  if (key.length < MIN_KEY_BYTES) throw new Error(`the verification code key in ${where} is shorter than ${MIN_KEY_BYTES} bytes`);
  return key;
}

async function load(env: NodeJS.ProcessEnv): Promise<Buffer> {
  const secret = env.DSAR_CODE_KEY_SECRET;
  if (secret) {
    const out = await new SecretsManagerClient({}).send(new GetSecretValueCommand({ SecretId: secret }));
    return asKey(out.SecretString, 'its secret');
  }
  const file = env.DSAR_CODE_KEY_FILE;
  if (file) return asKey(readFileSync(file, 'utf8'), 'its file');
  throw new Error('no verification code key: set DSAR_CODE_KEY_SECRET (AWS) or DSAR_CODE_KEY_FILE (local)');
}

/** The code key, read on first use and cached (per source, so a restarted local runtime reads its own). */
export function codeKey(env: NodeJS.ProcessEnv = process.env): Promise<Buffer> {
  const source = `${env.DSAR_CODE_KEY_SECRET ?? ''}|${env.DSAR_CODE_KEY_FILE ?? ''}`;
  if (cached?.source !== source) {
    const key = load(env);
    cached = { source, key };
    // A failed read is not cached: the next invocation tries again.
    key.catch(() => {
      if (cached?.key === key) cached = undefined;
    });
  }
  return cached.key;
}
