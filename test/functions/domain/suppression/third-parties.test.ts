/**
 * 11 CCR §7026(f)(2)-(3): after a marketing opt-out, the third parties the data was sold or shared with
 * are told to stop (mailed once where they have an address, a staff task where not), and the subject's
 * confirmation names them.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { listTodos } from '#domain/todos/index';
import { notifyOutcome } from '#domain/workflow/notify';
import { exampleConfig, REQUEST_ID, SUBJECT_EMAIL, requestRecord, testContext, type TestContext } from '../../../support/in-memory-context.ts';

const LINKEDIN = 'privacy-optout@linkedin-ads.test';
let ctx: TestContext;

async function optOutClosing(c: TestContext, overrides = {}) {
  await c.memory.create(requestRecord({ type: 'marketing_opt_out', status: 'in_progress', connectors: {}, ...overrides }));
  return notifyOutcome(c, REQUEST_ID, { outcome: 'opted_out' });
}

beforeEach(() => {
  ctx = testContext();
});

describe('telling third parties about an opt-out', () => {
  it('mails a third party with an address the subject’s address, our reference and what to do, and nothing from our systems', async () => {
    await optOutClosing(ctx);

    const [mail, ...more] = ctx.mail.to(LINKEDIN);
    expect(more).toEqual([]);
    expect(mail!.subject).toBe(`Opt-out of sale or sharing: please stop (our reference ${REQUEST_ID})`);
    expect(mail!.text).toContain('Hello LinkedIn,');
    expect(mail!.text).toContain(`The person’s email address: ${SUBJECT_EMAIL}`);
    expect(mail!.text).toContain('pass this request on to anyone you have sold or shared it with');
    expect(mail!.text).toContain(ctx.config.organisation.dpo.email);
    expect(ctx.memory.events.filter((e) => e.action === 'optout.third_party_told').map((e) => e.detail)).toEqual([{ thirdParty: 'linkedin' }]);
  });

  it('gives staff a task for a third party without an address', async () => {
    await optOutClosing(ctx);

    expect((await listTodos(ctx, REQUEST_ID)).map((t) => [t.kind, t.title])).toEqual([
      ['optout-third-party', "Tell Meta (Facebook, Instagram) to stop selling or sharing the subject's data and pass the opt-out on (11 CCR §7026(f))"],
    ]);
  });

  it('names them all in the subject’s confirmation, in the subject’s language', async () => {
    await optOutClosing(ctx, { locale: 'nb' });

    const text = ctx.mail.to(SUBJECT_EMAIL)[0]!.text;
    expect(text).toContain('Vi ber også de andre selskapene vi har solgt eller delt personopplysningene dine med');
    expect(text).toContain('LinkedIn (e-postadressen din, hashet, for å vise deg annonsene våre)');
    expect(text).toContain('Meta (Facebook, Instagram) (e-postadressen din, hashet, for å vise deg annonsene våre)');
  });

  it('tells each once when the closing step is retried', async () => {
    await optOutClosing(ctx);
    await notifyOutcome(ctx, REQUEST_ID, { outcome: 'opted_out' });

    expect(ctx.mail.to(LINKEDIN)).toHaveLength(1);
    expect(await listTodos(ctx, REQUEST_ID)).toHaveLength(1);
    expect(ctx.mail.to(SUBJECT_EMAIL)).toHaveLength(1);
  });

  it('writes to a third party in its own language', async () => {
    const config = exampleConfig();
    const c = testContext({ ...config, marketing: { thirdParties: [{ id: 'annonse', name: 'Annonsehuset', contact: { email: 'personvern@annonse.test', locale: 'nb' } }] } });
    await optOutClosing(c);

    expect(c.mail.to('personvern@annonse.test')[0]!.subject).toBe(`Reservasjon mot salg eller deling: vennligst stopp (vår referanse ${REQUEST_ID})`);
  });

  it('tells nobody when none are configured, and the confirmation says nothing about third parties', async () => {
    const c = testContext({ ...exampleConfig(), marketing: { thirdParties: [] } });
    await optOutClosing(c);

    expect(c.mail.sent.map((m) => m.to)).toEqual([[SUBJECT_EMAIL]]);
    expect(c.mail.to(SUBJECT_EMAIL)[0]!.text).not.toContain('other companies');
  });

  it('tells nobody when the request was cancelled before it could close', async () => {
    await ctx.memory.create(requestRecord({ type: 'marketing_opt_out', status: 'cancelled', connectors: {} }));

    await expect(notifyOutcome(ctx, REQUEST_ID, { outcome: 'opted_out' })).rejects.toThrow();
    expect(ctx.mail.to(LINKEDIN)).toEqual([]);
    expect(await listTodos(ctx, REQUEST_ID)).toEqual([]);
  });
});
