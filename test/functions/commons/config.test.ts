import { describe, expect, it } from 'vitest';
import { ConfigError, enabledConnectors, loadConfig, parseConfig, releaseMode, reviewMode } from '#commons/config';
import { exampleConfigJson } from '../../support/in-memory-context.ts';

describe('configuration', () => {
  it('parses the example configuration', () => {
    const config = parseConfig(exampleConfigJson());

    expect(config.organisation.country).toBe('NO');
    expect(config.connectors.map((c) => c.id)).toContain('accounts');
    expect(enabledConnectors(config).length).toBeGreaterThan(0);
  });

  it('rejects a duplicate connector id with a message that names it', () => {
    const raw = exampleConfigJson() as { connectors: Array<Record<string, unknown>> };
    raw.connectors.push({ ...raw.connectors[0]! });

    expect(() => parseConfig(raw)).toThrow(ConfigError);
    expect(() => parseConfig(raw)).toThrow(/connector id "accounts" is used twice/);
  });

  it('applies defaults for the optional sections', () => {
    const raw = exampleConfigJson();
    for (const k of ['review', 'verification', 'workflow', 'delivery', 'records']) delete raw[k];
    const connectors = raw.connectors as Array<Record<string, unknown>>;
    delete connectors[0]!.enabled;
    delete connectors[0]!.erasure;

    const config = parseConfig(raw);

    expect(config.review).toEqual({ access: 'staff', erasure: 'staff', portability: 'staff', marketing_opt_out: 'auto', rectification: 'staff', restriction: 'staff', byJurisdiction: {} });
    expect(config.records).toEqual({ subjectRetentionMonths: 24 });
    expect(config.verification).toEqual({ codeTtlMinutes: 15, maxAttempts: 5, unverifiedTimeoutSeconds: 7 * 24 * 3600, marketing_opt_out: 'none' });
    expect(config.delivery).toEqual({ linkTtlDays: 7, presignedUrlSeconds: 300 });
    expect(config.connectors[0]).toMatchObject({ enabled: true, erasure: { action: 'delete' } });
  });

  it('has staff release packages of access and portability by default, and erasure never waits for a release', () => {
    const raw = exampleConfigJson();
    delete raw.release;

    const config = parseConfig(raw);

    expect(config.release).toEqual({ access: 'staff', portability: 'staff' });
    expect(releaseMode(config, 'erasure')).toBe('automatic');
    expect(releaseMode(parseConfig({ ...raw, release: { access: 'automatic' } }), 'access')).toBe('automatic');
    expect(() => parseConfig({ ...raw, release: { access: 'auto' } })).toThrow(/release\.access: /);
  });

  it('lets a marketing opt-out skip staff review by default, and staff review it where configured', () => {
    const raw = exampleConfigJson();
    delete raw.review;
    const byDefault = parseConfig(raw);
    const byLaw = parseConfig({ ...raw, review: { byJurisdiction: { CCPA: { marketing_opt_out: 'staff' } } } });
    const always = parseConfig({ ...raw, review: { marketing_opt_out: 'staff' } });

    expect(reviewMode(byDefault, 'marketing_opt_out', 'GDPR')).toBe('auto');
    expect(reviewMode(byDefault, 'erasure', 'GDPR')).toBe('staff');
    expect(reviewMode(byLaw, 'marketing_opt_out', 'CCPA')).toBe('staff');
    expect(reviewMode(byLaw, 'marketing_opt_out', 'GDPR')).toBe('auto');
    expect(reviewMode(always, 'marketing_opt_out', 'GDPR')).toBe('staff');
  });

  it('has staff review a restriction by default: whether an Art. 18(1) ground applies is for them to weigh', () => {
    const raw = exampleConfigJson();
    delete raw.review;

    expect(reviewMode(parseConfig(raw), 'restriction', 'GDPR')).toBe('staff');
  });

  it('always has staff review a rectification, since staff choose the corrections there', () => {
    const raw = exampleConfigJson();
    const byLaw = parseConfig({ ...raw, review: { byJurisdiction: { CCPA: { rectification: 'auto' } } } });

    expect(reviewMode(byLaw, 'rectification', 'CCPA')).toBe('staff');
    expect(() => parseConfig({ ...raw, review: { rectification: 'auto' } })).toThrow(/review\.rectification: .*staff choose the corrections/);
  });

  it('lists every problem with its path', () => {
    const raw = exampleConfigJson() as Record<string, Record<string, unknown>>;
    raw.email!.from = 'not-an-email';
    raw.delivery!.presignedUrlSeconds = 86_400;

    expect(() => parseConfig(raw)).toThrow(/email\.from: /);
    expect(() => parseConfig(raw)).toThrow(/delivery\.presignedUrlSeconds: /);
  });

  it('rejects an S3 prefix without {subjectKey}', () => {
    const raw = exampleConfigJson() as { connectors: Array<Record<string, unknown>> };
    raw.connectors.find((c) => c.id === 'calls')!.prefixTemplate = 'users/';

    expect(() => parseConfig(raw)).toThrow(/prefixTemplate/);
  });

  it('loads inline JSON from DSAR_CONFIG and says where a broken one came from', () => {
    expect(loadConfig({ DSAR_CONFIG: JSON.stringify(exampleConfigJson()) }).organisation.name).toBeTruthy();
    expect(() => loadConfig({ DSAR_CONFIG: '{oops' })).toThrow(/DSAR_CONFIG/);
    expect(() => loadConfig({})).toThrow(/DSAR_CONFIG_FILE/);
  });

  it('points the mailed links at DSAR_PUBLIC_BASE_URL, which the stack sets to its distribution at deploy', () => {
    const inline = JSON.stringify(exampleConfigJson());
    const email = loadConfig({ DSAR_CONFIG: inline, DSAR_PUBLIC_BASE_URL: 'https://d111.cloudfront.net/' }).email;
    expect(email.publicBaseUrl).toBe('https://d111.cloudfront.net');
    expect(email.consoleBaseUrl).toBe('https://d111.cloudfront.net/console');
    expect(loadConfig({ DSAR_CONFIG: inline }).email.publicBaseUrl).toBe((exampleConfigJson() as { email: { publicBaseUrl: string } }).email.publicBaseUrl);
    expect(() => loadConfig({ DSAR_CONFIG: inline, DSAR_PUBLIC_BASE_URL: 'not a url' })).toThrow(/publicBaseUrl/);
  });
});
