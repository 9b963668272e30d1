/**
 * The one Art. 19 mechanism: which recipients a change in some systems concerns, a recipient's notice
 * mailed once per request and action, and the staff task for one that cannot be mailed.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { art19Todo, linkedSystems, mailRecipient, recipientsOfSystems, tellRecipients } from '#domain/art19/recipients';
import { listTodos } from '#domain/todos/index';
import { exampleConfig, REQUEST_ID, requestRecord, testContext, type TestContext } from '../../../support/in-memory-context.ts';

const GOOGLE = 'privacy@google.example';
let ctx: TestContext;

beforeEach(() => {
  const config = exampleConfig();
  config.privacyNotice.recipients = config.privacyNotice.recipients.map((r) => (r.name === 'Google' ? { ...r, notifyEmail: GOOGLE } : r));
  ctx = testContext(config);
});

const names = (rs: Array<{ name: string }>) => rs.map((r) => r.name);
const google = () => ctx.config.privacyNotice.recipients.find((r) => r.name === 'Google')!;

describe('which recipients a change concerns', () => {
  it('links a recipient to the systems that list it as receiving their data and to its own system by name', () => {
    expect(linkedSystems(ctx.config, 'Google')).toEqual(['accounts', 'google-analytics']);
    expect(linkedSystems(ctx.config, 'Stripe')).toEqual(['stripe']);
    expect(linkedSystems(ctx.config, 'Microsoft')).toEqual([]);
  });

  it('takes the recipients of the changed systems and those linked to none, and nobody when nothing changed', () => {
    const concerned = names(recipientsOfSystems(ctx.config, ['stripe']));
    expect(concerned).toContain('Stripe');
    expect(concerned).toContain('Microsoft');
    expect(concerned).not.toContain('Google');
    expect(concerned).not.toContain('Salesforce');
    expect(recipientsOfSystems(ctx.config, [])).toEqual([]);
  });
});

describe('telling a recipient', () => {
  it('mails the notice once per request and action, however often the step runs', async () => {
    const request = requestRecord({ type: 'erasure' });
    await ctx.memory.create(request);

    expect(await mailRecipient(ctx, request, google(), 'erasure', '2026-03-02T10:00:00.000Z')).toBe(true);
    expect(await mailRecipient(ctx, request, google(), 'erasure', '2026-03-02T10:00:00.000Z')).toBe(true);
    expect(await mailRecipient(ctx, request, google(), 'restriction', '2026-03-02T10:00:00.000Z')).toBe(true);

    expect(ctx.mail.to(GOOGLE).map((m) => m.subject)).toEqual([`Erasure notice under GDPR Art. 19 (${REQUEST_ID})`, `Restriction of processing under GDPR Art. 19 (${REQUEST_ID})`]);
  });

  it('reports a recipient without an address, or whose mail failed, as not told, and may mail it on a later try', async () => {
    const request = requestRecord({ type: 'restriction' });
    await ctx.memory.create(request);
    const stripe = ctx.config.privacyNotice.recipients.find((r) => r.name === 'Stripe')!;

    expect(await mailRecipient(ctx, request, stripe, 'restriction', '2026-03-02T10:00:00.000Z')).toBe(false);
    ctx.mail.failNext = 1;
    expect(await mailRecipient(ctx, request, google(), 'restriction', '2026-03-02T10:00:00.000Z')).toBe(false);
    expect(await mailRecipient(ctx, request, google(), 'restriction', '2026-03-02T10:00:00.000Z')).toBe(true);
    expect(ctx.mail.to(GOOGLE)).toHaveLength(1);
  });

  it('gives each action its own task per recipient, keeping the erasure’s ref that earlier tasks carry', async () => {
    expect(art19Todo('erasure', 'Stripe')).toEqual({ kind: 'art19-recipient', ref: 'art19:Stripe', title: 'Tell Stripe about the erasure (GDPR Art. 19)' });
    expect(art19Todo('restriction', 'Stripe').ref).toBe('art19:restriction:Stripe');
    expect(art19Todo('restriction_lifted', 'Stripe').ref).toBe('art19:restriction_lifted:Stripe');

    const request = requestRecord({ type: 'restriction' });
    await ctx.memory.create(request);
    const stripe = ctx.config.privacyNotice.recipients.find((r) => r.name === 'Stripe')!;
    const told = await tellRecipients(ctx, request, 'restriction', [stripe, google()], ['salesforce']);
    await tellRecipients(ctx, request, 'restriction', [stripe, google()], ['salesforce']);

    expect(told.notified.map((n) => [n.name, n.how])).toEqual([['Google', 'email']]);
    expect((await listTodos(ctx, REQUEST_ID)).map((t) => t.title)).toEqual(['Tell Stripe about the restriction of processing (GDPR Art. 19)']);
  });
});
