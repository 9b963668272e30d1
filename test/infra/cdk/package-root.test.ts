/** Finding the package's files from the module, wherever the package is installed. */
import { mkdirSync, mkdtempSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findLockFile, PACKAGE_ROOT } from '../../../infra/stack/package-root.ts';

describe('the package root', () => {
  it('is the folder with the function entries and package.json, whatever the working directory', () => {
    expect(existsSync(join(PACKAGE_ROOT, 'package.json'))).toBe(true);
    expect(existsSync(join(PACKAGE_ROOT, 'functions/handlers/workflow/collect.ts'))).toBe(true);
  });

  it('uses the repository\'s own lock file in a checkout', () => {
    expect(findLockFile()).toBe(join(PACKAGE_ROOT, 'package-lock.json'));
  });

  it('uses the embedding app\'s lock file when installed under its node_modules', () => {
    const app = mkdtempSync(join(tmpdir(), 'embedding-app-'));
    writeFileSync(join(app, 'package-lock.json'), '{}');
    const installed = join(app, 'node_modules', 'dsar-orchestrator');
    mkdirSync(installed, { recursive: true });
    expect(findLockFile(installed)).toBe(join(app, 'package-lock.json'));
  });

  it('takes another package manager\'s lock file too', () => {
    const app = mkdtempSync(join(tmpdir(), 'embedding-app-'));
    writeFileSync(join(app, 'pnpm-lock.yaml'), '');
    expect(findLockFile(join(app))).toBe(join(app, 'pnpm-lock.yaml'));
  });
});
