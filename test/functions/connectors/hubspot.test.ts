import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ConnectorAuthFailed, ConnectorIncompleteAnswer, ConnectorMisconfigured, ConnectorThrottled, ConnectorUnavailable } from '#connectors/errors';
import { POLICY_HINTS_MS, classifyHubSpot } from '#connectors/hubspot/client';
import { createSaasConnector } from '#connectors/saas';
import { startSandboxes, type Sandboxes } from '../../../infra/local/sandboxes/index.ts';
import { QUOTED, collect, countBy, countRequests, ctx, depsFor, foreignEmails, policies, saasConfig, subjectOf, recordTimers, recordInFlight } from './support.ts';
import { VENDOR_CONCURRENCY } from '#connectors/concurrency';

let sb: Sandboxes;

beforeAll(async () => {
  sb = await startSandboxes({ crowd: 300, extraPeople: [{ email: QUOTED, name: "Siobhan O'Brien" }] });
});
afterAll(() => sb.close());
afterEach(() => {
  vi.restoreAllMocks();
  sb.faults.reset();
});

const connector = (settings: Record<string, unknown> = {}, deps = depsFor(sb)) =>
  createSaasConnector(saasConfig('hubspot', sb.urls.hubspot, settings), deps);

describe('HubSpot connector', () => {
  it('reads alice’s contact, 120 notes over three association pages, her deal, company, ticket, engagements and preferences', async () => {
    const { result, count } = await countRequests('/associations/notes', () =>
      collect(connector({ pageSize: 50 }).access(subjectOf('alice@example.com'), ctx)),
    );
    expect(countBy(result)).toEqual({
      contacts: 1, companies: 1, deals: 1, tickets: 1, notes: 120, emails: 2, calls: 1, meetings: 1, tasks: 2, subscription_preferences: 1,
    });
    expect(count).toBe(3);
  });

  it('reads the contact’s associations side by side, never more than the HubSpot bound at once, in a fixed order', async () => {
    sb.faults.set('hubspot', { latencyMs: 5 });
    const { result, most, total } = await recordInFlight('/crm/', () => collect(connector().access(subjectOf('alice@example.com'), ctx)));
    expect(total).toBeGreaterThan(VENDOR_CONCURRENCY.hubspot);
    expect(most).toBeGreaterThan(1);
    expect(most).toBeLessThanOrEqual(VENDOR_CONCURRENCY.hubspot);
    sb.faults.set('hubspot', { latencyMs: 0 });
    const again = await collect(connector().access(subjectOf('alice@example.com'), ctx));
    expect(again.map((r) => `${r.object}:${r.id}`)).toEqual(result.map((r) => `${r.object}:${r.id}`));
    const objects = result.map((r) => r.object).filter((o, i, all) => o !== all[i - 1]);
    expect(objects).toEqual(['contacts', 'companies', 'deals', 'tickets', 'notes', 'emails', 'calls', 'meetings', 'tasks', 'subscription_preferences'].filter((o) => objects.includes(o)));
  });

  it('returns nothing of anyone else', async () => {
    const records = await collect(connector().access(subjectOf('alice@example.com'), ctx));
    expect(foreignEmails(records, 'alice@example.com')).toEqual([]);
  });

  it('finds a subject whose address differs only in letter case, and one with a quote and a plus sign', async () => {
    expect(countBy(await collect(connector().access(subjectOf('Alice@EXAMPLE.com'), ctx))).contacts).toBe(1);
    const quoted = await collect(connector().access(subjectOf(QUOTED), ctx));
    expect(countBy(quoted)).toMatchObject({ contacts: 1, subscription_preferences: 1 });
    expect(foreignEmails(quoted, QUOTED)).toEqual([]);
  });

  it('retries a ten-secondly rate limit after its short hint', async () => {
    sb.faults.set('hubspot', { throttle: { count: 2, form: 'TEN_SECONDLY_ROLLING' } });
    const records = await collect(connector({ policyHintsMs: { TEN_SECONDLY_ROLLING: 20 } }).access(subjectOf('bob@example.com'), ctx));
    expect(countBy(records).contacts).toBe(1);
  });

  it('honours Retry-After on a 429 when HubSpot sends one', async () => {
    sb.faults.set('hubspot', { throttle: { count: 1, retryAfterMs: 1000 } });
    const timers = recordTimers();
    await collect(connector().access(subjectOf('bob@example.com'), ctx));
    expect(timers().filter((ms) => ms === 1_000)).toHaveLength(1);
  });

  it('hands the daily limit to the state machine with a long hint', async () => {
    sb.faults.set('hubspot', { throttle: { count: 1, form: 'DAILY' } });
    const err = await collect(connector().access(subjectOf('bob@example.com'), ctx)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectorThrottled);
    expect((err as ConnectorThrottled).retryAfterMs).toBe(3_600_000);
  });

  it('reports a wrong or expired token as an auth failure and a 5xx as unavailable', async () => {
    const deps = depsFor(sb, { hubspot: { access_token: 'pat-wrong' } });
    await expect(collect(connector({}, deps).access(subjectOf('bob@example.com'), ctx))).rejects.toBeInstanceOf(ConnectorAuthFailed);
    sb.faults.set('hubspot', { expireToken: true });
    await expect(collect(connector().access(subjectOf('bob@example.com'), ctx))).rejects.toBeInstanceOf(ConnectorAuthFailed);
    sb.faults.set('hubspot', { failNext: { match: '/batch/read', status: 502, count: 1 } });
    await expect(collect(connector().access(subjectOf('bob@example.com'), ctx))).rejects.toBeInstanceOf(ConnectorUnavailable);
  });

  it('yields nothing and reports not found for carol', async () => {
    const c = connector();
    expect(await collect(c.access(subjectOf('carol@example.com'), ctx))).toEqual([]);
    expect((await c.erase(subjectOf('carol@example.com'), policies({}), ctx)).items).toEqual([{ object: 'contacts', action: 'not_found', count: 0 }]);
  });

  it('refuses to keep engagements that GDPR delete would remove anyway', async () => {
    const keepNotes = policies({ notes: { action: 'retain', legalBasis: 'x', retentionPeriod: 'y' } });
    await expect(connector().erase(subjectOf('bob@example.com'), keepNotes, ctx)).rejects.toBeInstanceOf(ConnectorMisconfigured);
  });

  it('anonymizes bob’s contact by PATCH, archives his own notes in one batch and deletes his deal, and keeps his preferences', async () => {
    const contact = sb.stores.hubspot.contactByEmail('bob@example.com')!;
    const fetches = vi.spyOn(globalThis, 'fetch');
    const outcome = await connector().erase(
      subjectOf('bob@example.com'),
      policies({ contacts: { action: 'anonymize', fields: { firstname: 'redact', lastname: 'hash', phone: 'null' } }, subscription_preferences: { action: 'retain', legalBasis: 'Proof of the opt-out', retentionPeriod: 'While we send email' } }),
      ctx,
    );
    expect(Object.fromEntries(outcome.items.map((i) => [i.object, [i.action, i.count]]))).toEqual({
      deals: ['deleted', 1], notes: ['deleted', 3], subscription_preferences: ['retained', 1], contacts: ['anonymized', 1],
    });
    const calls = fetches.mock.calls.map(([url, init]) => `${init?.method ?? 'GET'} ${new URL(String(url)).pathname}`);
    expect(calls.filter((c) => c.startsWith('DELETE ')).map((c) => c.split('/').slice(0, -1).join('/'))).toEqual(['DELETE /crm/v3/objects/deals']);
    expect(calls.filter((c) => c.endsWith('/batch/archive'))).toEqual(['POST /crm/v3/objects/notes/batch/archive']);
    const masked = sb.stores.hubspot.objects.get('contacts')!.get(contact.id)!.properties;
    expect(masked).toMatchObject({ email: 'bob@example.com', firstname: 'REDACTED', phone: '' });
    expect(masked.lastname).toMatch(/^[0-9a-f]{32}$/);
    expect(sb.stores.hubspot.countFor('bob@example.com')).toMatchObject({ contacts: 1 });
    expect(sb.stores.hubspot.countFor('bob@example.com').notes).toBeUndefined();
  });

  it('GDPR-deletes alice, deletes her own deal and ticket, keeps the company and the meeting a colleague shares, and is safe to repeat', async () => {
    const colleague = sb.people[8]!.email;
    const before = sb.stores.hubspot.countFor(colleague);
    expect(before.meetings).toBe(1); // alice's quarterly review, with her colleague on it too
    const hs = sb.stores.hubspot;
    const alice = hs.contactByEmail('alice@example.com')!;
    // Her invoice task is on her company's timeline too: GDPR delete alone would leave it there.
    const [onCompany] = hs.associated('contacts', alice.id, 'tasks').filter((id) => hs.associated('tasks', id, 'companies').length);
    expect(onCompany).toBeDefined();
    const c = connector();
    const outcome = await c.erase(subjectOf('alice@example.com'), policies({}), ctx);
    expect(hs.objects.get('tasks')!.has(onCompany!)).toBe(false);
    expect(hs.recycleBin).toContainEqual({ type: 'tasks', id: onCompany });
    expect(hs.purges.map((p) => p.contactId)).toContain(alice.id);
    // Submitted, not done: the report gives HubSpot's own completion windows.
    expect(outcome.items.filter((i) => i.completion).map((i) => [i.object, i.count, i.completion!.withinDays])).toEqual([
      ['deals', 1, 90], ['tickets', 1, 90], ['tasks', 1, 90], // archived: restorable for 90 days
      ['contacts', 1, 30], ['notes', 120, 30], ['emails', 2, 30], ['calls', 1, 30], ['tasks', 1, 30], ['subscription_preferences', 1, 30],
    ]);
    const byObject: Record<string, [string, number]> = {};
    for (const i of outcome.items) byObject[i.object] = [i.action, (byObject[i.object]?.[0] === i.action ? byObject[i.object]![1] : 0) + i.count];
    expect(byObject).toEqual({
      companies: ['retained', 1], deals: ['deleted', 1], tickets: ['deleted', 1], contacts: ['deleted', 1], notes: ['deleted', 120],
      emails: ['deleted', 2], calls: ['deleted', 1], meetings: ['retained', 1], tasks: ['deleted', 2], subscription_preferences: ['deleted', 1],
    });
    expect(outcome.items.find((i) => i.object === 'meetings')?.legalBasis).toMatch(/associated with other contacts/);
    expect(sb.stores.hubspot.countFor('alice@example.com')).toEqual({});
    expect(await collect(c.access(subjectOf('alice@example.com'), ctx))).toEqual([]);
    expect((await c.erase(subjectOf('alice@example.com'), policies({}), ctx)).items[0]?.action).toBe('not_found');
    expect(sb.stores.hubspot.countFor(colleague)).toEqual(before);
  });
});

describe('HubSpot connector and additional addresses', () => {
  it('finds a contact by an address in hs_additional_emails, GDPR-deletes it by id and HubSpot blocklists both addresses', async () => {
    const hs = sb.stores.hubspot;
    const dora = hs.create('contacts', { email: 'dora@example.com', firstname: 'Dora', hs_additional_emails: 'd.old@example.net;dora.work@example.org' });
    const records = await collect(connector().access(subjectOf('Dora.Work@example.org'), ctx));
    expect(records.map((r) => [r.object, r.id])).toEqual([['contacts', dora.id]]);
    const outcome = await connector().erase(subjectOf('dora.work@example.org'), policies({}), ctx);
    expect(outcome.items).toEqual([{ object: 'contacts', action: 'deleted', count: 1, completion: { vendor: 'HubSpot', withinDays: 30 } }]);
    expect(hs.objects.get('contacts')!.has(dora.id)).toBe(false);
    expect([...hs.blocklist]).toEqual(expect.arrayContaining(['dora@example.com', 'd.old@example.net', 'dora.work@example.org']));
  });

  it('does not take a contact whose additional address only shares a word with the subject’s', async () => {
    sb.stores.hubspot.create('contacts', { email: 'erik@example.com', hs_additional_emails: 'erik.old@example.net' });
    expect(await collect(connector().access(subjectOf('old@example.net'), ctx))).toEqual([]);
  });
});

describe('HubSpot rate limits', () => {
  const tooMany = (policyName: string) => ({ status: 429, headers: new Headers(), body: { status: 'error', errorType: 'RATE_LIMIT', policyName } });

  it('waits out the whole ten-second rolling window, as HubSpot’s own client does, before trying again', () => {
    expect(classifyHubSpot(tooMany('TEN_SECONDLY_ROLLING'), POLICY_HINTS_MS)).toEqual({ kind: 'throttled', retryAfterMs: 10_000 });
    expect(classifyHubSpot(tooMany('SECONDLY'), POLICY_HINTS_MS)).toEqual({ kind: 'throttled', retryAfterMs: 1_000 });
  });
});

describe('HubSpot connector with partial answers', () => {
  /** A crowd contact with 150 notes: two batch reads of notes (100 and 50). */
  const many = () => sb.people[10]!.email;
  /** A crowd contact with two notes, a company of ten, nothing else. */
  const few = () => sb.people[21]!.email;
  const failure = (run: Promise<unknown>) => run.then(() => undefined, (e: unknown) => e as Error);

  it('fails the read when a notes batch answers 207 with no results at all, the fault from issue 12', async () => {
    sb.faults.set('hubspot', { failNext: { match: 'notes/batch/read', status: 207, count: 1 } });
    const err = await failure(collect(connector().access(subjectOf(many()), ctx)));
    expect(err).toBeInstanceOf(ConnectorIncompleteAnswer);
    expect(err?.message).toBe('hubspot: POST notes/batch/read left 100 of 100 requested records unaccounted for');
  });

  it('fails the read when a 207 keeps HubSpot’s batch shape but drops its results', async () => {
    sb.faults.set('hubspot', { failNext: { match: 'notes/batch/read', partial: 'no-results', count: 1 } });
    await expect(collect(connector().access(subjectOf(few()), ctx))).rejects.toThrow(new ConnectorIncompleteAnswer('hubspot', 'POST notes/batch/read left 2 of 2 requested records unaccounted for'));
  });

  it('fails the read when a notes batch answers 207 with errors other than not found for half its ids', async () => {
    sb.faults.set('hubspot', { failNext: { match: 'notes/batch/read', partial: 'errors', count: 1 } });
    const first = await failure(collect(connector().access(subjectOf(many()), ctx)));
    expect(first).toBeInstanceOf(ConnectorIncompleteAnswer);
    expect(first?.message).toBe('hubspot: POST notes/batch/read left 50 of 100 requested records unaccounted for (INTERNAL_ERROR)');
  });

  it('reads the whole export again once the fault has passed', async () => {
    sb.faults.set('hubspot', { failNext: { match: 'notes/batch/read', partial: 'errors', count: 1 } });
    await expect(collect(connector().access(subjectOf(many()), ctx))).rejects.toBeInstanceOf(ConnectorIncompleteAnswer);
    expect(countBy(await collect(connector().access(subjectOf(many()), ctx))).notes).toBe(150);
  });

  it('skips a note HubSpot reports as OBJECT_NOT_FOUND in its 207 (deleted since its association was read) and returns the rest', async () => {
    const email = sb.people[22]!.email;
    const contact = sb.stores.hubspot.contactByEmail(email)!;
    const [gone, kept] = sb.stores.hubspot.associated('contacts', contact.id, 'notes');
    // The object goes, its association stays behind: batch read answers 207 OBJECT_NOT_FOUND for it.
    sb.stores.hubspot.objects.get('notes')!.delete(gone!);
    const notes = (await collect(connector().access(subjectOf(email), ctx))).filter((r) => r.object === 'notes');
    expect(notes.map((r) => r.id)).toEqual([kept]);
  });

  it('fails a contact search whose page ends before the total it announced', async () => {
    sb.faults.set('hubspot', { failNext: { match: 'contacts/search', partial: 'early-end', count: 1 } });
    await expect(collect(connector().access(subjectOf(few()), ctx))).rejects.toThrow(new ConnectorIncompleteAnswer('hubspot', 'POST contacts/search ended after 0 of 1 records'));
  });

  it('fails an association listing that announces a next page without its cursor', async () => {
    sb.faults.set('hubspot', { failNext: { match: '/associations/notes', partial: 'early-end', count: 1 } });
    await expect(collect(connector().access(subjectOf(few()), ctx))).rejects.toThrow(
      new ConnectorIncompleteAnswer('hubspot', 'GET associations contacts->notes said there is more but gave no cursor to it'),
    );
  });

  it('changes nothing when the check for other contacts on a shared company answers 207 without accounting for it', async () => {
    const email = few();
    const before = sb.stores.hubspot.countFor(email);
    sb.faults.set('hubspot', { failNext: { match: 'associations/companies/contacts/batch/read', partial: 'no-results', count: 1 } });
    await expect(connector().erase(subjectOf(email), policies({}), ctx)).rejects.toBeInstanceOf(ConnectorIncompleteAnswer);
    expect(sb.stores.hubspot.countFor(email)).toEqual(before);
  });
});
