import { beforeEach, describe, expect, it, vi } from 'vitest';
import { matchPartnerStep } from '#domain/workflow/match-partner';
import { REQUEST_ID, requestRecord, testContext, type TestContext } from '../../../support/in-memory-context.ts';

let ctx: TestContext;

async function verified(email: string) {
  await ctx.memory.create(requestRecord({ status: 'awaiting_review', subject: { email, normalizedEmail: email.toLowerCase() } }));
}

/** The account store as the connector lookup sees it: the subject's records' `resalePartner` values. */
function accountStore(values: Record<string, string[]>) {
  const reads = vi.fn();
  const lookup = (request: { subject: { normalizedEmail: string } }) => async (connectorId: string, attribute: string) => {
    reads(connectorId, attribute);
    expect({ connectorId, attribute }).toEqual({ connectorId: 'accounts', attribute: 'resalePartner' });
    return values[request.subject.normalizedEmail] ?? [];
  };
  return Object.assign(lookup, { reads });
}

beforeEach(() => {
  ctx = testContext();
});

describe('MatchPartner', () => {
  it('marks the demo partner’s end user found by the account store attribute, and audits how', async () => {
    await verified('nora@fjordkontor.test');
    const lookup = accountStore({ 'nora@fjordkontor.test': ['nordlys'] });
    expect(await matchPartnerStep(ctx, lookup, REQUEST_ID)).toEqual({ matched: true, partnerId: 'nordlys' });
    expect(ctx.memory.stored().partner).toEqual({
      id: 'nordlys',
      name: 'Nordlys Møteromsløsninger AS',
      contactEmail: 'personvern@nordlys-partner.test',
      by: 'account_attribute',
      at: ctx.clock.now().toISOString(),
    });
    expect(ctx.memory.events.map((e) => [e.action, e.detail])).toContainEqual(['partner.matched', { partnerId: 'nordlys', by: 'account_attribute' }]);
  });

  it('marks an address in the partner’s email domain without reading any connector', async () => {
    await verified('ola@kunde.nordlys-partner.test');
    const lookup = accountStore({});
    expect(await matchPartnerStep(ctx, lookup, REQUEST_ID)).toEqual({ matched: true, partnerId: 'nordlys' });
    expect(ctx.memory.stored().partner?.by).toBe('email_domain');
    expect(lookup.reads).not.toHaveBeenCalled();
  });

  it('leaves the company’s own customer unmarked', async () => {
    await verified('alice@example.com');
    expect(await matchPartnerStep(ctx, accountStore({ 'alice@example.com': [] }), REQUEST_ID)).toEqual({ matched: false });
    expect(ctx.memory.stored().partner).toBeUndefined();
    expect(ctx.memory.events).toHaveLength(0);
  });

  it('answers a retried step from the mark on record', async () => {
    await verified('nora@fjordkontor.test');
    await matchPartnerStep(ctx, accountStore({ 'nora@fjordkontor.test': ['nordlys'] }), REQUEST_ID);
    const again = accountStore({});
    expect(await matchPartnerStep(ctx, again, REQUEST_ID)).toEqual({ matched: true, partnerId: 'nordlys' });
    expect(again.reads).not.toHaveBeenCalled();
    expect(ctx.memory.events.filter((e) => e.action === 'partner.matched')).toHaveLength(1);
  });

  it('reads nothing when no partner is configured', async () => {
    ctx = testContext({ ...ctx.config, partners: [] });
    await verified('nora@fjordkontor.test');
    const lookup = accountStore({ 'nora@fjordkontor.test': ['nordlys'] });
    expect(await matchPartnerStep(ctx, lookup, REQUEST_ID)).toEqual({ matched: false });
    expect(lookup.reads).not.toHaveBeenCalled();
  });
});
