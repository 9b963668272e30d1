import { beforeEach, describe, expect, it } from 'vitest';
import { notifyOutcome } from '#domain/workflow/notify';
import { REQUEST_ID, requestRecord, testContext, type TestContext } from '../../../support/in-memory-context.ts';

let ctx: TestContext;
const PARTNER = 'personvern@nordlys-partner.test';
const NORA = 'nora@fjordkontor.test';
const FORWARDED_AT = '2026-03-02T11:00:00.000Z';

async function forwardedByStaff(locale?: string) {
  await ctx.memory.create(
    requestRecord({
      status: 'awaiting_review',
      subject: { email: NORA, normalizedEmail: NORA, name: 'Nora Fjeld' },
      ...(locale ? { locale } : {}),
      decision: { outcome: 'forwarded', by: 'dana@example-video.test', at: FORWARDED_AT },
      partner: {
        id: 'nordlys',
        name: 'Nordlys Møteromsløsninger AS',
        contactEmail: PARTNER,
        by: 'account_attribute',
        at: '2026-03-02T10:00:00.000Z',
        forwarded: { by: 'dana@example-video.test', at: FORWARDED_AT, to: PARTNER },
      },
    }),
  );
  await ctx.memory.putTaskToken(REQUEST_ID, 'review', 't-review');
}

beforeEach(() => {
  ctx = testContext();
});

describe('NotifyForwarded', () => {
  it('sends the partner the request with the deadline it must meet, and nothing from our systems', async () => {
    await forwardedByStaff();
    await notifyOutcome(ctx, REQUEST_ID, { outcome: 'forwarded' });
    const [mail, ...more] = ctx.mail.to(PARTNER);
    expect(more).toHaveLength(0);
    const r = ctx.memory.stored();
    expect(mail!.subject).toBe(`Data subject request ${REQUEST_ID} from one of your end users`);
    expect(mail!.text).toContain(`Our reference: ${REQUEST_ID}`);
    expect(mail!.text).toContain('Type: access to your personal data');
    expect(mail!.text).toContain(`The requester’s email address: ${NORA}`);
    expect(mail!.text).toContain('Name given on the request: "Nora Fjeld"');
    expect(mail!.text).toMatch(/Deadline you must meet: \d{1,2} \w+ \d{4}/);
    expect(r.dueDate).toBeTruthy();
    expect(mail!.text).toContain('GDPR Art. 28(3)(e)');
  });

  it('tells the subject in their language who the controller is and how to reach them, and closes as forwarded', async () => {
    await forwardedByStaff('nb-NO');
    expect(await notifyOutcome(ctx, REQUEST_ID, { outcome: 'forwarded' })).toEqual({ status: 'forwarded' });
    const [mail] = ctx.mail.to(NORA);
    expect(mail!.subject).toBe(`Forespørselen din ${REQUEST_ID} besvares av Nordlys Møteromsløsninger AS`);
    expect(mail!.text).toContain('Slik kontakter du Nordlys Møteromsløsninger AS');
    expect(mail!.text).toContain(`E-post: ${PARTNER}`);
    expect(mail!.text).toContain('Nettside: https://nordlys-partner.test/personvern');
    expect(mail!.html).toContain('lang="nb-NO"');
    const stored = ctx.memory.stored();
    expect(stored.status).toBe('forwarded');
    expect(stored.closedAt).toBe(ctx.clock.now().toISOString());
    expect(stored.openPk).toBeUndefined();
    expect(ctx.memory.tokens.size).toBe(0);
    expect(ctx.memory.events.map((e) => e.action)).toContain('request.forwarded');
  });

  it('mails the partner and the subject once each when the step is retried', async () => {
    await forwardedByStaff();
    await notifyOutcome(ctx, REQUEST_ID, { outcome: 'forwarded' });
    await notifyOutcome(ctx, REQUEST_ID, { outcome: 'forwarded' });
    expect(ctx.mail.to(PARTNER)).toHaveLength(1);
    expect(ctx.mail.to(NORA)).toHaveLength(1);
  });

  it('sends the partner’s mail again only if it failed: a retry after SES refused it sends both', async () => {
    await forwardedByStaff();
    ctx.mail.failNext = 1;
    await expect(notifyOutcome(ctx, REQUEST_ID, { outcome: 'forwarded' })).rejects.toThrow();
    expect(ctx.memory.stored().status).toBe('awaiting_review');
    await notifyOutcome(ctx, REQUEST_ID, { outcome: 'forwarded' });
    expect(ctx.mail.to(PARTNER)).toHaveLength(1);
    expect(ctx.mail.to(NORA)).toHaveLength(1);
  });
});

describe('a forwarded request reopened on the partner’s instruction', () => {
  it('tells the subject when it completes, though the forward notice took the first closing mail', async () => {
    await forwardedByStaff();
    await notifyOutcome(ctx, REQUEST_ID, { outcome: 'forwarded' });
    const partner = ctx.memory.stored().partner!;
    await ctx.memory.update(REQUEST_ID, {
      status: 'assembling',
      partner: { ...partner, instruction: { by: 'dana@example-video.test', at: FORWARDED_AT, reference: 'NORDLYS-1' } },
      decision: { outcome: 'approved', by: 'dana@example-video.test', at: FORWARDED_AT },
      package: { key: `exports/${REQUEST_ID}/access.zip`, createdAt: FORWARDED_AT, expiresAt: '2026-03-09T11:00:00.000Z' },
    });
    expect(await notifyOutcome(ctx, REQUEST_ID, { outcome: 'completed' })).toEqual({ status: 'completed' });
    const subjects = ctx.mail.to(NORA).map((m) => m.subject);
    expect(subjects).toHaveLength(2);
    expect(subjects[1]).toContain('Your data is ready');
  });
});
