/**
 * The synthesized templates lint clean with cfn-lint (installed on the project's machines; `.ci/run`
 * installs nothing for it): no error and no warning but those `.cfnlintrc` ignores with a reason. Two
 * shapes: the full stack (console, WAF, a new SES identity) and the smallest (API only, reused identity).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { synthFast } from './helpers.ts';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

interface Finding {
  Rule: { Id: string };
  Level: string;
  Message: string;
  Location: { Path: unknown[] };
}

function cfnLint(template: unknown): Finding[] {
  const file = join(mkdtempSync(join(tmpdir(), 'dsar-cfn-lint-')), 'template.json');
  writeFileSync(file, JSON.stringify(template));
  // Run from the repository root, where cfn-lint finds .cfnlintrc.
  const run = spawnSync('cfn-lint', ['--format', 'json', file], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (run.error && (run.error as NodeJS.ErrnoException).code === 'ENOENT') {
    throw new Error('cfn-lint is not installed or not on PATH: install it with `pip install cfn-lint` (version 1.x) to run this test');
  }
  // Exit codes are bit flags (2 error, 4 warning, 8 informational); anything else is cfn-lint failing itself.
  if (run.status === null || run.status & 1 || run.status > 14) throw new Error(`cfn-lint failed (exit ${run.status}): ${run.stderr}`);
  return JSON.parse(run.stdout || '[]') as Finding[];
}

/**
 * cfn-lint is Python (PyPI), which npm cannot install. CI and the project's machines run as root and have
 * it: there a missing cfn-lint fails every test below with the message above. A developer who follows the
 * README without root and without cfn-lint (`npm install`, `npm test`: nothing but npm) is told, loudly,
 * that these tests did not run here; CI runs them on every change.
 */
const available = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' }).status === 0;
const required = process.env.CI === 'true' || process.getuid?.() === 0;
if (!available && !required) {
  console.warn('cfn-lint is not on PATH: the template lint tests did not run here (CI runs them). Install it with `pip install cfn-lint` to run them.');
}

const shown = (findings: Finding[]) => findings.map((f) => `${f.Level} ${f.Rule.Id} at ${f.Location.Path.join('/')}: ${f.Message}`);

let full: ReturnType<typeof synthFast>;
let smallest: ReturnType<typeof synthFast>;
beforeAll(() => {
  if (!available && !required) return;
  full = synthFast('LintFull', { alarmEmail: 'ops@example-video.test', enableWaf: true });
  smallest = synthFast('LintSmallest', { createSesIdentity: false, console: { enabled: false } });
}, 300_000);

describe.skipIf(!available && !required)('cfn-lint', () => {
  it('finds no error or warning in the full stack', () => {
    expect(full.error).toBeUndefined();
    const findings = cfnLint(full.template.toJSON()).filter((f) => f.Level !== 'Informational');
    expect(shown(findings)).toEqual([]);
  }, 300_000);

  it('finds no error or warning in the API-only stack that reuses the SES identity', () => {
    expect(smallest.error).toBeUndefined();
    const findings = cfnLint(smallest.template.toJSON()).filter((f) => f.Level !== 'Informational');
    expect(shown(findings)).toEqual([]);
  }, 300_000);

  it('reports a broken template, so a clean answer means something', () => {
    const broken = { Resources: { Queue: { Type: 'AWS::SQS::Queue', Properties: { VisibilityTimeout: 'soon' } } } };
    expect(cfnLint(broken).some((f) => f.Level === 'Error')).toBe(true);
  }, 300_000);
});
