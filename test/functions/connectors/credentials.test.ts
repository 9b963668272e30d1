import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CREDENTIALS_TTL_MS, credentialsFromEnvironment, credentialsFromFile, credentialsFromSecretsManager } from '#connectors/credentials';
import { ConnectorMisconfigured } from '#connectors/errors';

const sm = mockClient(SecretsManagerClient);
afterEach(() => sm.reset());

const dir = mkdtempSync(join(tmpdir(), 'dsar-creds-'));
const file = join(dir, 'credentials.json');
writeFileSync(file, JSON.stringify({ stripe: { apiKey: 'sk_test_123' } }));

describe('credentials', () => {
  it('reads named credentials from the local file', async () => {
    expect(await credentialsFromFile(file)('stripe')).toEqual({ apiKey: 'sk_test_123' });
  });

  it('fails with ConnectorMisconfigured naming the missing credentials, not their values', async () => {
    const err = await credentialsFromFile(file)('hubspot').catch((e: unknown) => e);

    expect(err).toBeInstanceOf(ConnectorMisconfigured);
    expect((err as Error).message).toContain('"hubspot"');
    expect((err as Error).message).not.toContain('sk_test_123');
  });

  it('fails with ConnectorMisconfigured when the file cannot be read', async () => {
    await expect(credentialsFromFile(join(dir, 'missing.json'))('stripe')).rejects.toBeInstanceOf(ConnectorMisconfigured);
  });

  it('says a malformed credentials file is not JSON without quoting any of it', async () => {
    const broken = join(dir, 'broken.json');
    // JSON.parse's own message quotes the text around the fault: here, the secret.
    writeFileSync(broken, '{"stripe": {"secret_key": sk_live_51SuperSecretValue}}');
    const err = await credentialsFromFile(broken)('stripe').catch((e: unknown) => e);

    expect(err).toBeInstanceOf(ConnectorMisconfigured);
    expect((err as Error).message).toBe('credentials: cannot read the credentials file: it is not valid JSON');
    for (const fragment of ['sk_live', 'SuperSecret', '51Super', 'secret_key']) expect((err as Error).message).not.toContain(fragment);
  });

  it('reads a rotated secret again once the cache has expired, or at once after forget', async () => {
    let now = 0;
    sm.on(GetSecretValueCommand).resolvesOnce({ SecretString: '{"token":"pat-1"}' }).resolvesOnce({ SecretString: '{"token":"pat-2"}' }).resolves({ SecretString: '{"token":"pat-3"}' });
    const provider = credentialsFromSecretsManager(new SecretsManagerClient({}), () => now);

    expect(await provider('hubspot')).toEqual({ token: 'pat-1' });
    now = CREDENTIALS_TTL_MS - 1;
    expect(await provider('hubspot')).toEqual({ token: 'pat-1' });
    now = CREDENTIALS_TTL_MS;
    expect(await provider('hubspot')).toEqual({ token: 'pat-2' });
    provider.forget!('hubspot');
    expect(await provider('hubspot')).toEqual({ token: 'pat-3' });
  });

  it('reads a secret from Secrets Manager once and serves it from the cache', async () => {
    sm.on(GetSecretValueCommand).resolves({ SecretString: '{"token":"pat-1"}' });
    const provider = credentialsFromSecretsManager(new SecretsManagerClient({}));

    const first = await provider('hubspot');
    const second = await provider('hubspot');

    expect(first).toEqual({ token: 'pat-1' });
    expect(second).toEqual(first);
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    expect(sm.commandCalls(GetSecretValueCommand)[0]!.args[0].input.SecretId).toBe('hubspot');
  });

  it('turns a missing secret and a secret that is not JSON into ConnectorMisconfigured', async () => {
    sm.on(GetSecretValueCommand, { SecretId: 'gone' }).rejects(Object.assign(new Error('x'), { name: 'ResourceNotFoundException' }));
    sm.on(GetSecretValueCommand, { SecretId: 'plain' }).resolves({ SecretString: 'hunter2' });
    const provider = credentialsFromSecretsManager(new SecretsManagerClient({}));

    const gone = await provider('gone').catch((e: unknown) => e);
    const plain = await provider('plain').catch((e: unknown) => e);

    expect(gone).toBeInstanceOf(ConnectorMisconfigured);
    expect((gone as Error).message).toContain('ResourceNotFoundException');
    expect(plain).toBeInstanceOf(ConnectorMisconfigured);
    expect((plain as Error).message).not.toContain('hunter2');
  });

  it('uses the file when DSAR_CREDENTIALS_FILE is set', async () => {
    expect(await credentialsFromEnvironment({ DSAR_CREDENTIALS_FILE: file })('stripe')).toEqual({ apiKey: 'sk_test_123' });
  });
});
