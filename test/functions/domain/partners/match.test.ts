import { describe, expect, it, vi } from 'vitest';
import { ConfigError, parseConfig, type PartnerConfig } from '#commons/config';
import { matchByDomain, matchPartner, partnerHold } from '#domain/partners/match';
import { exampleConfig, exampleConfigJson } from '../../../support/in-memory-context.ts';

const partner = (id: string, recognise: PartnerConfig['recognise']): PartnerConfig => ({ id, name: `Partner ${id}`, contact: { email: `privacy@${id}.test` }, recognise });

const byDomain = partner('fjord', { emailDomains: ['fjord-kunde.test'] });
const byAttribute = partner('nordlys', { accountAttribute: { connectorId: 'accounts', name: 'resalePartner', value: 'nordlys' } });
const other = partner('vest', { accountAttribute: { connectorId: 'accounts', name: 'resalePartner', value: 'vest' } });

describe('recognising a resale partner’s end user', () => {
  it('matches an address in a partner’s domain, or in a subdomain of it, whatever its case', () => {
    expect(matchByDomain([byDomain], 'nora@fjord-kunde.test')?.partner.id).toBe('fjord');
    expect(matchByDomain([byDomain], 'Nora@Mail.FJORD-KUNDE.test')?.partner.id).toBe('fjord');
    expect(matchByDomain([byDomain], 'nora@fjord-kunde.test')?.by).toBe('email_domain');
  });

  it('does not match a look-alike domain, a parent domain, or an address without a domain', () => {
    expect(matchByDomain([byDomain], 'nora@evilfjord-kunde.test')).toBeUndefined();
    expect(matchByDomain([byDomain], 'nora@fjord-kunde.test.evil.test')).toBeUndefined();
    expect(matchByDomain([byDomain], 'nora@kunde.test')).toBeUndefined();
    expect(matchByDomain([byDomain], 'nora')).toBeUndefined();
  });

  it('matches by the account attribute the connector lookup returns', async () => {
    const lookup = vi.fn(async () => ['nordlys']);
    const match = await matchPartner({ partners: [byAttribute] }, 'nora@fjordkontor.test', lookup);
    expect(match).toEqual({ partner: byAttribute, by: 'account_attribute' });
    expect(lookup).toHaveBeenCalledWith('accounts', 'resalePartner');
  });

  it('finds no partner when neither the domain nor the attribute matches', async () => {
    const lookup = vi.fn(async () => ['someone-else']);
    expect(await matchPartner({ partners: [byDomain, byAttribute] }, 'alice@example.com', lookup)).toBeUndefined();
    // Nor when the subject has no account at all.
    expect(await matchPartner({ partners: [byAttribute] }, 'carol@example.com', async () => [])).toBeUndefined();
  });

  it('tries the domain first, with no lookup, and reads each attribute once for all partners naming it', async () => {
    const lookup = vi.fn(async () => ['vest']);
    expect((await matchPartner({ partners: [byDomain, byAttribute] }, 'nora@fjord-kunde.test', lookup))?.partner.id).toBe('fjord');
    expect(lookup).not.toHaveBeenCalled();
    expect((await matchPartner({ partners: [byAttribute, other] }, 'vera@example.net', lookup))?.partner.id).toBe('vest');
    expect(lookup).toHaveBeenCalledTimes(1);
  });

  it('holds a matched request for staff until the match is overridden or the partner instructed', () => {
    const mark = { id: 'nordlys', name: 'Nordlys', contactEmail: 'p@n.test', by: 'account_attribute' as const, at: '2026-01-01T00:00:00.000Z' };
    expect(partnerHold({})).toBe(false);
    expect(partnerHold({ partner: mark })).toBe(true);
    expect(partnerHold({ partner: { ...mark, override: { by: 'dana', at: mark.at, reason: 'own customer' } } })).toBe(false);
    expect(partnerHold({ partner: { ...mark, instruction: { by: 'dana', at: mark.at, reference: 'N-1' } } })).toBe(false);
  });
});

describe('the partners in the configuration', () => {
  it('lists the demo partner, recognised by domain and by the account store attribute', () => {
    const [demo] = exampleConfig().partners;
    expect(demo?.id).toBe('nordlys');
    expect(demo?.recognise.accountAttribute).toEqual({ connectorId: 'accounts', name: 'resalePartner', value: 'nordlys' });
  });

  it('defaults to none', () => {
    const { partners: _p, ...rest } = exampleConfigJson();
    expect(parseConfig(rest).partners).toEqual([]);
  });

  it.each([
    ['a partner with no way to recognise its users', [{ id: 'x-1', name: 'X', contact: { email: 'p@x.test' }, recognise: {} }], /give emailDomains or accountAttribute/],
    ['a partner id used twice', [byDomain, byDomain], /partner id "fjord" is used twice/],
    ['an attribute of a connector that does not exist', [partner('x-1', { accountAttribute: { connectorId: 'crm', name: 'p', value: 'x' } })], /no connector "crm"/],
    ['a domain that is not one', [partner('x-1', { emailDomains: ['@x'] })], /a domain such as/],
  ])('refuses %s', (_what, partners, message) => {
    expect(() => parseConfig({ ...exampleConfigJson(), partners })).toThrow(ConfigError);
    expect(() => parseConfig({ ...exampleConfigJson(), partners })).toThrow(message);
  });
});
