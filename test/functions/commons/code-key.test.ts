import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { codeKey } from '#commons/code-key';

const secrets = mockClient(SecretsManagerClient);
const dir = mkdtempSync(join(tmpdir(), 'dsar-code-key-'));
afterEach(() => secrets.reset());
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('codeKey', () => {
  it('reads the secret named by DSAR_CODE_KEY_SECRET once, and keeps it for the warm Lambda', async () => {
    secrets.on(GetSecretValueCommand).resolves({ SecretString: 'S'.repeat(64) });
    const env = { DSAR_CODE_KEY_SECRET: 'arn:aws:secretsmanager:eu-north-1:123456789012:secret:code-key-AbCdEf' };

    const first = await codeKey(env);
    const second = await codeKey(env);

    expect(first.toString()).toBe('S'.repeat(64));
    expect(second).toBe(first);
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    expect(secrets.commandCalls(GetSecretValueCommand)[0]!.args[0].input.SecretId).toBe(env.DSAR_CODE_KEY_SECRET);
  });

  it('reads the local key file named by DSAR_CODE_KEY_FILE', async () => {
    const file = join(dir, 'code-key');
    writeFileSync(file, `${'f'.repeat(40)}\n`);

    expect((await codeKey({ DSAR_CODE_KEY_FILE: file })).toString()).toBe('f'.repeat(40));
  });

  it('refuses a key shorter than 32 bytes, and does not cache the failure', async () => {
    const file = join(dir, 'short');
    writeFileSync(file, 'too-short');

    await expect(codeKey({ DSAR_CODE_KEY_FILE: file })).rejects.toThrow(/shorter than 32 bytes/);
    writeFileSync(file, 'g'.repeat(32));
    expect((await codeKey({ DSAR_CODE_KEY_FILE: file })).toString()).toBe('g'.repeat(32));
  });

  it('says what to set when no key is configured', async () => {
    await expect(codeKey({})).rejects.toThrow(/DSAR_CODE_KEY_SECRET .* DSAR_CODE_KEY_FILE/);
  });
});
