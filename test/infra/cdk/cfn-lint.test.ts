/**
 * The synthesized templates lint clean with cfn-lint (installed on the project's machines; `.ci/run`
 * installs nothing for it): no error and no warning but those `.cfnlintrc` ignores with a reason. Two
 * shapes: the full stack (console, WAF, a new SES identity) and the smallest (API only, reused identity).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { cfnLint, cfnLintRuns, shown, synthFast } from './helpers.ts';

let full: ReturnType<typeof synthFast>;
let smallest: ReturnType<typeof synthFast>;
beforeAll(() => {
  if (!cfnLintRuns) return;
  full = synthFast('LintFull', { alarmEmail: 'ops@example-video.test', enableWaf: true });
  smallest = synthFast('LintSmallest', { createSesIdentity: false, console: { enabled: false } });
}, 300_000);

describe.skipIf(!cfnLintRuns)('cfn-lint', () => {
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
