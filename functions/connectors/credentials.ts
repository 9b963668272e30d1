/**
 * Named connector credentials. On AWS each name is a Secrets Manager secret holding a JSON object (the
 * stack grants each collecting function read access to exactly those secrets). In the embedded runtime
 * `DSAR_CREDENTIALS_FILE` names a local JSON file `{ "<name>": { ... } }` instead. Values are never logged.
 */
import { readFileSync } from 'node:fs';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ConnectorMisconfigured } from './errors.ts';

export interface CredentialsProvider {
  (name: string): Promise<Record<string, string>>;
  /**
   * Drops what is cached for `name`, so the next call reads the secret again: after the vendor refused
   * the credentials (they may have been rotated), and whenever the registry rebuilds a connector.
   */
  forget?(name: string): void;
}

/** How long credentials, and the connectors built with them, are used before the secret is read again. */
export const CREDENTIALS_TTL_MS = 5 * 60_000;

export function credentialsFromFile(path: string): CredentialsProvider {
  return async (name) => {
    let all: Record<string, Record<string, string>>;
    try {
      all = JSON.parse(readFileSync(path, 'utf8')) as Record<string, Record<string, string>>;
    } catch (err) {
      // Only the error's kind: JSON.parse quotes the text around the fault, which is the secret itself.
      const why = err instanceof SyntaxError ? 'it is not valid JSON' : ((err as NodeJS.ErrnoException).code ?? (err as Error).name);
      throw new ConnectorMisconfigured('credentials', `cannot read the credentials file: ${why}`);
    }
    const found = all[name];
    if (!found) throw new ConnectorMisconfigured('credentials', `no credentials named "${name}" in the credentials file`);
    return found;
  };
}

export function credentialsFromSecretsManager(client = new SecretsManagerClient({}), now: () => number = Date.now): CredentialsProvider {
  const cache = new Map<string, { value: Record<string, string>; at: number }>();
  const provider: CredentialsProvider = async (name) => {
    const hit = cache.get(name);
    // Cached briefly: a rotated secret is picked up within minutes without a deploy.
    if (hit && now() - hit.at < CREDENTIALS_TTL_MS) return hit.value;
    let secret: string | undefined;
    try {
      secret = (await client.send(new GetSecretValueCommand({ SecretId: name }))).SecretString;
    } catch (err) {
      throw new ConnectorMisconfigured('credentials', `cannot read secret "${name}": ${(err as Error).name}`);
    }
    let value: Record<string, string>;
    try {
      value = JSON.parse(secret ?? '') as Record<string, string>;
    } catch {
      throw new ConnectorMisconfigured('credentials', `secret "${name}" is not a JSON object`);
    }
    if (!value || typeof value !== 'object' || Array.isArray(value)) {
      throw new ConnectorMisconfigured('credentials', `secret "${name}" is not a JSON object`);
    }
    cache.set(name, { value, at: now() });
    return value;
  };
  provider.forget = (name) => cache.delete(name);
  return provider;
}

export function credentialsFromEnvironment(env: NodeJS.ProcessEnv = process.env): CredentialsProvider {
  return env.DSAR_CREDENTIALS_FILE ? credentialsFromFile(env.DSAR_CREDENTIALS_FILE) : credentialsFromSecretsManager();
}
