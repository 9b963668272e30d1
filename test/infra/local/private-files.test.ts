/** The runtime's folder is the user's alone: 0700 directories, 0600 files, and the same credentials at every start. */
import { afterEach, describe, expect, it } from 'vitest';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makePrivate } from '../../../infra/local/private-files.ts';
import { runtimeCredentials } from '../../../infra/local/local-credentials.ts';

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const mode = (path: string) => statSync(path).mode & 0o777;

describe('makePrivate', () => {
  it('tightens a folder an earlier version left world-readable, all the way down', () => {
    dir = mkdtempSync(join(tmpdir(), 'private-'));
    const data = join(dir, 'data');
    mkdirSync(join(data, 'dynamodb'), { recursive: true });
    writeFileSync(join(data, 'runtime.json'), '{}', { mode: 0o644 });
    writeFileSync(join(data, 'dynamodb', '000001.log'), 'x', { mode: 0o666 });
    writeFileSync(join(dir, 'elsewhere.txt'), 'x', { mode: 0o644 });
    symlinkSync(join(dir, 'elsewhere.txt'), join(data, 'link'));
    for (const d of [data, join(data, 'dynamodb')]) chmodSync(d, 0o755);

    makePrivate(data);

    expect([mode(data), mode(join(data, 'dynamodb'))]).toEqual([0o700, 0o700]);
    expect([mode(join(data, 'runtime.json')), mode(join(data, 'dynamodb', '000001.log'))]).toEqual([0o600, 0o600]);
    // A link is not followed: what it points at outside the folder is not the runtime's to change.
    expect(mode(join(dir, 'elsewhere.txt'))).toBe(0o644);
  });

  it('creates a missing folder private', () => {
    dir = mkdtempSync(join(tmpdir(), 'private-'));
    makePrivate(join(dir, 'a', 'b'));
    expect(mode(join(dir, 'a', 'b'))).toBe(0o700);
  });
});

describe('runtimeCredentials', () => {
  it('generates random credentials once, in a 0600 file, and returns the same ones at the next start', () => {
    dir = mkdtempSync(join(tmpdir(), 'creds-'));
    const first = runtimeCredentials(dir);
    expect(mode(join(dir, 'aws-credentials.json'))).toBe(0o600);
    expect(runtimeCredentials(dir)).toEqual(first);
    const other = mkdtempSync(join(tmpdir(), 'creds-'));
    try {
      expect(runtimeCredentials(other).secretAccessKey).not.toBe(first.secretAccessKey);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it('refuses a credentials file it cannot read as credentials, rather than start unprotected', () => {
    dir = mkdtempSync(join(tmpdir(), 'creds-'));
    writeFileSync(join(dir, 'aws-credentials.json'), '{"accessKeyId":"S3RVER","secretAccessKey":"S3RVER"}');
    expect(() => runtimeCredentials(dir)).toThrow(/delete it to generate new ones/);
  });
});
