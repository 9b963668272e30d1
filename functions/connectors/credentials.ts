/**
 * Named connector credentials. On AWS each name is a Secrets Manager secret holding a JSON object (the
 * stack grants each collecting function read access to exactly those secrets). In the embedded runtime
 * `DSAR_CREDENTIALS_FILE` names a local JSON file `{ "<name>": { ... } }` instead. Values are never logged.
 */
import { readFileSync } from 'node:fs';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ConnectorMisconfigured } from './errors.ts';

export type CredentialsProvider = (name: string) => Promise<Record<string, string>>;

export function credentialsFromFile(path: string): CredentialsProvider {
  return async (name) => {
    let all: Record<string, Record<string, string>>;
    try {
      all = JSON.parse(readFileSync(path, 'utf8')) as Record<string, Record<string, string>>;
    } catch (err) {
      throw new ConnectorMisconfigured('credentials', `cannot read the credentials file: ${(err as Error).message}`);
    }
    const found = all[name];
    if (!found) throw new ConnectorMisconfigured('credentials', `no credentials named "${name}" in the credentials file`);
    return found;
  };
}

export function credentialsFromSecretsManager(client = new SecretsManagerClient({})): CredentialsProvider {
  const cache = new Map<string, { value: Record<string, string>; at: number }>();
  return async (name) => {
    const hit = cache.get(name);
    // Cached briefly: a rotated secret is picked up within minutes without a deploy.
    if (hit && Date.now() - hit.at < 5 * 60_000) return hit.value;
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
    cache.set(name, { value, at: Date.now() });
    return value;
  };
}

export function credentialsFromEnvironment(env: NodeJS.ProcessEnv = process.env): CredentialsProvider {
  return env.DSAR_CREDENTIALS_FILE ? credentialsFromFile(env.DSAR_CREDENTIALS_FILE) : credentialsFromSecretsManager();
}
