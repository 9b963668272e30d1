import { readFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DsarConfig } from '#commons/config';
import { writeBundledConfig } from '../../../infra/stack/dsar-orchestrator.ts';

const config = JSON.parse(readFileSync(new URL('../../../config/example.config.json', import.meta.url), 'utf8')) as DsarConfig;

describe('the configuration file the bundles copy', () => {
  it("is written to a folder only this process's user can open, not a fixed shared /tmp path", () => {
    const file = writeBundledConfig(config);
    const folder = statSync(dirname(file));
    expect(folder.mode & 0o777).toBe(0o700);
    expect(folder.uid).toBe(process.getuid!());
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(config);
  });

  it('names the file by its content, so the same configuration gives the same file', () => {
    expect(writeBundledConfig(config)).toBe(writeBundledConfig(structuredClone(config)));
    expect(writeBundledConfig({ ...config, organisation: { ...config.organisation, name: 'Other AS' } })).not.toBe(writeBundledConfig(config));
  });
});
