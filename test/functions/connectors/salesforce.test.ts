import { generateKeyPairSync } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ConnectorAuthFailed, ConnectorIncompleteAnswer, ConnectorMisconfigured, ConnectorThrottled, ConnectorUnavailable } from '#connectors/errors';
import { createSaasConnector } from '#connectors/saas';
import type { ConnectorContext } from '#connectors/types';
import { soqlString } from '../../../functions/connectors/salesforce/soql.ts';
import { startSandboxes, type Sandboxes } from '../../../infra/local/sandboxes/index.ts';
import { ARCHIVED_TASKS } from '../../../infra/local/sandboxes/salesforce.ts';
import { QUOTED, collect, countBy, countRequests, ctx, depsFor, foreignEmails, policies, saasConfig, subjectOf, recordTimers, watchRequests } from './support.ts';

let sb: Sandboxes;

beforeAll(async () => {
  sb = await startSandboxes({ crowd: 300, salesforce: { batchSize: 10 }, extraPeople: [{ email: QUOTED, name: "Siobhan O'Brien" }] });
});
afterAll(() => sb.close());
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
  sb.faults.reset();
});

/** The forms posted to the token endpoint while `run` runs. */
async function tokenForms(run: () => Promise<unknown>): Promise<URLSearchParams[]> {
  const forms: URLSearchParams[] = [];
  await watchRequests((url, init) => {
    if (url.includes('/services/oauth2/token')) forms.push(new URLSearchParams(String(init?.body)));
  }, run);
  return forms;
}

const connector = (settings: Record<string, unknown> = {}, deps = depsFor(sb)) =>
  createSaasConnector(saasConfig('salesforce', sb.urls.salesforce, settings), deps);

describe('Salesforce connector', () => {
  it('escapes backslashes and quotes in SOQL literals', () => {
    expect(soqlString("o'brien\\x")).toBe("'o\\'brien\\\\x'");
  });

  it("finds alice's contact, lead, cases, tasks across more than two pages, and linked records", async () => {
    const { result, count } = await countRequests('/query/01g', () => collect(connector().access(subjectOf('alice@example.com'), ctx)));
    expect(countBy(result)).toEqual({
      Contact: 1, Lead: 1, CampaignMember: 1, Case: 2, Task: 33, Event: 2, OpportunityContactRole: 1, Account: 1, Individual: 1,
    });
    expect(count).toBeGreaterThanOrEqual(2); // 33 tasks in batches of 10: three follow-up pages
    const role = result.find((r) => r.object === 'OpportunityContactRole')!;
    expect(role.data.Opportunity).toEqual({ Name: 'Andersen Consulting - Business plan' });
    expect(result.every((r) => !('attributes' in r.data))).toBe(true);
  });

  it('reads Tasks and Events with queryAll, which alone returns activities archived after a year', async () => {
    const { result, count } = await countRequests('/queryAll?', () => collect(connector().access(subjectOf('alice@example.com'), ctx)));
    expect(count).toBe(2); // Task and Event
    const archived = result.filter((r) => r.data.IsArchived === true);
    expect(countBy(archived)).toEqual({ Task: ARCHIVED_TASKS, Event: 1 });
    expect(result.every((r) => r.data.IsDeleted !== true)).toBe(true);
  });

  it('returns nothing of anyone else, not even people with look-alike addresses', async () => {
    const records = await collect(connector().access(subjectOf('alice@example.com'), ctx));
    expect(foreignEmails(records, 'alice@example.com')).toEqual([]);
    const contactIds = new Set(records.filter((r) => r.object === 'Contact' || r.object === 'Lead').map((r) => r.id));
    for (const r of records.filter((r) => r.object === 'Task' || r.object === 'Case' || r.object === 'Event')) {
      expect(contactIds.has(String(r.data.WhoId ?? r.data.ContactId))).toBe(true);
    }
  });

  it('finds a subject whose address differs only in letter case', async () => {
    const records = await collect(connector().access(subjectOf('ALICE@Example.COM'), ctx));
    expect(countBy(records).Lead).toBe(1); // stored as 'Alice@Example.com'
    expect(countBy(records).Contact).toBe(1);
  });

  it('finds an address with a quote and a plus sign', async () => {
    const records = await collect(connector().access(subjectOf(QUOTED), ctx));
    expect(countBy(records).Contact).toBe(1);
    expect(foreignEmails(records, QUOTED)).toEqual([]);
  });

  it('yields nothing and reports not found for someone it does not hold', async () => {
    const c = connector();
    expect(await collect(c.access(subjectOf('carol@example.com'), ctx))).toEqual([]);
    const outcome = await c.erase(subjectOf('carol@example.com'), policies({}), ctx);
    expect(outcome.items.every((i) => i.action === 'not_found')).toBe(true);
  });

  it('waits out a short REQUEST_LIMIT_EXCEEDED inside the connector, for as long as the hint says', async () => {
    sb.faults.set('salesforce', { throttle: { count: 2 } });
    const timers = recordTimers();
    const records = await collect(connector({ limitHintMs: 300 }).access(subjectOf('alice@example.com'), ctx));
    expect(records.length).toBe(43);
    expect(timers().filter((ms) => ms === 300)).toHaveLength(2); // two waits of the 300 ms hint
  });

  it('hands a long REQUEST_LIMIT_EXCEEDED to the state machine with its hint', async () => {
    sb.faults.set('salesforce', { throttle: { count: 1 } });
    const err = await collect(connector().access(subjectOf('alice@example.com'), ctx)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectorThrottled);
    expect((err as ConnectorThrottled).retryAfterMs).toBe(60_000);
  });

  it('gets a new token once after INVALID_SESSION_ID', async () => {
    const c = connector();
    await collect(c.access(subjectOf('bob@example.com'), ctx));
    sb.faults.set('salesforce', { expireToken: true });
    const { result, count } = await countRequests('/oauth2/token', () => collect(c.access(subjectOf('alice@example.com'), ctx)));
    expect(result.length).toBe(43);
    expect(count).toBe(1);
  });

  it('refreshes the token only once: a second INVALID_SESSION_ID is an auth failure, not a loop', async () => {
    const c = connector();
    await collect(c.access(subjectOf('bob@example.com'), ctx));
    // The three email queries run side by side: each is sent twice (once more after the one refresh
    // they share), then fails; the related queries never start. 6 of the 9 failures are used.
    sb.faults.set('salesforce', { failNext: { match: '/query', status: 401, count: 9 } });
    const { result, count } = await countRequests('/oauth2/token', () => collect(c.access(subjectOf('alice@example.com'), ctx)).catch((e: unknown) => e));
    expect(result).toBeInstanceOf(ConnectorAuthFailed);
    expect(count).toBe(1);
    expect(sb.faults.get('salesforce').failNext).toEqual([expect.objectContaining({ count: 3 })]);
  });

  it('reports rejected client credentials as an auth failure', async () => {
    const deps = depsFor(sb, { salesforce: { client_id: 'x', client_secret: 'wrong' } });
    await expect(collect(connector({}, deps).access(subjectOf('alice@example.com'), ctx))).rejects.toBeInstanceOf(ConnectorAuthFailed);
  });

  it('logs in with client credentials when the credentials hold a client secret', async () => {
    const forms = await tokenForms(() => collect(connector().access(subjectOf('bob@example.com'), ctx)));
    expect(forms.map((f) => Object.fromEntries(f))).toEqual([
      { grant_type: 'client_credentials', client_id: sb.credentials.salesforce!.client_id, client_secret: sb.credentials.salesforce!.client_secret },
    ]);
  });

  it('logs in with a signed JWT (iss client id, sub username, aud the production login server by default, short exp) when the credentials hold a key', async () => {
    const jwt = connector({}, depsFor(sb, { salesforce: sb.credentials['salesforce-jwt']! }));
    // A still clock: the expiry is exactly what the connector chose, however long signing took on a busy machine.
    vi.useFakeTimers({ toFake: ['Date'] });
    const started = Math.floor(Date.now() / 1000);
    const forms = await tokenForms(async () => expect(countBy(await collect(jwt.access(subjectOf('alice@example.com'), ctx))).Contact).toBe(1));
    expect(forms).toHaveLength(1);
    expect(forms[0]!.get('grant_type')).toBe('urn:ietf:params:oauth:grant-type:jwt-bearer');
    expect(forms[0]!.has('client_secret')).toBe(false);
    const [header, claims] = forms[0]!.get('assertion')!.split('.').slice(0, 2).map((part) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')));
    expect(header).toEqual({ alg: 'RS256', typ: 'JWT' });
    expect(claims).toMatchObject({ iss: sb.credentials.salesforce!.client_id, sub: sb.credentials['salesforce-jwt']!.username, aud: 'https://login.salesforce.com' });
    expect(claims.exp - started).toBe(180);
  });

  it('reports a JWT the sandbox refuses (another key, another user, the instance URL as audience) as an auth failure', async () => {
    const good = sb.credentials['salesforce-jwt']!;
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const otherKey = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const refused = [
      [{ ...good, private_key: otherKey }, sb.settings.salesforce],
      [{ ...good, username: 'someone@else.test' }, sb.settings.salesforce],
      [good, { loginUrl: sb.urls.salesforce }],
    ] as const;
    for (const [credentials, settings] of refused) {
      const c = createSaasConnector(saasConfig('salesforce', sb.urls.salesforce, settings), depsFor(sb, { salesforce: credentials }));
      await expect(collect(c.access(subjectOf('alice@example.com'), ctx))).rejects.toBeInstanceOf(ConnectorAuthFailed);
    }
  });

  it('refuses credentials that are neither a client secret nor a JWT key', async () => {
    const deps = depsFor(sb, { salesforce: { client_id: 'x', username: 'u@x.test' } });
    await expect(collect(connector({}, deps).access(subjectOf('alice@example.com'), ctx))).rejects.toThrow(/username and private_key .* or client_secret/);
  });

  it('surfaces a 5xx as unavailable', async () => {
    sb.faults.set('salesforce', { failNext: { match: '/query', status: 503, count: 1 } });
    await expect(collect(connector().access(subjectOf('alice@example.com'), ctx))).rejects.toBeInstanceOf(ConnectorUnavailable);
  });

  it('refuses, before changing anything, to delete a Contact while its Cases are kept or masked', async () => {
    const before = sb.stores.salesforce.countFor('alice@example.com');
    for (const Case of [{ action: 'retain', legalBasis: 'Contract claims', retentionPeriod: '3 years' }, { action: 'anonymize', fields: { Subject: 'redact' } }] as const) {
      const err = await connector().erase(subjectOf('alice@example.com'), policies({ Case }), ctx).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConnectorMisconfigured);
      expect((err as Error).message).toMatch(/cannot delete a Contact that still has Cases/);
    }
    expect(sb.stores.salesforce.countFor('alice@example.com')).toEqual(before);
  });

  it('erases alice children first (Cases before their Contact), in batches with allOrNone=false, and a second erasure finds nothing', async () => {
    const neighbour = sb.people[20]!.email;
    const before = sb.stores.salesforce.countFor(neighbour);
    const keepAccount = policies({ Account: { action: 'retain', legalBasis: 'The customer company’s record', retentionPeriod: 'While the customer relationship lasts' } });
    const c = connector();
    const deletes: string[] = [];
    const original = globalThis.fetch;
    globalThis.fetch = ((input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) => {
      if (init?.method === 'DELETE') deletes.push(String(input));
      return original(input, init);
    }) as typeof fetch;
    const outcome = await c.erase(subjectOf('alice@example.com'), keepAccount, ctx).finally(() => (globalThis.fetch = original));
    expect(Object.fromEntries(outcome.items.map((i) => [i.object, [i.action, i.count]]))).toEqual({
      Task: ['deleted', 33], Event: ['deleted', 2], Case: ['deleted', 2], OpportunityContactRole: ['deleted', 1], CampaignMember: ['deleted', 1],
      Contact: ['deleted', 1], Lead: ['deleted', 1], Individual: ['deleted', 1], Account: ['retained', 1],
    });
    expect(deletes.length).toBeGreaterThan(0);
    expect(deletes.every((url) => new URL(url).searchParams.get('allOrNone') === 'false')).toBe(true);
    // queryAll would also return the Recycle Bin; the deleted activities must not come back.
    expect(await collect(c.access(subjectOf('alice@example.com'), ctx))).toEqual([]);
    expect((await c.erase(subjectOf('alice@example.com'), keepAccount, ctx)).items.every((i) => i.action === 'not_found')).toBe(true);
    expect(sb.stores.salesforce.countFor(neighbour)).toEqual(before);
  });

  it('leaves nothing behind when an erasure is cut off and run again: the Account and Individual go before the Contact they are found through', async () => {
    const fresh = await startSandboxes({ crowd: 4 });
    try {
      const c = createSaasConnector(saasConfig('salesforce', fresh.urls.salesforce), depsFor(fresh));
      const account = () => [...fresh.stores.salesforce.objects.get('Account')!.values()].filter((r) => r.Name === 'Andersen Consulting');
      const individuals = () => fresh.stores.salesforce.objects.get('Individual')!.size;
      expect(account()).toHaveLength(1);
      const individualsBefore = individuals();
      // The Lead's delete, one of the last calls, fails: the rerun can find alice only by email again.
      fresh.faults.set('salesforce', { failNext: { match: 'ids=00Q', status: 503, count: 1 } });

      // Each object's item reaches the callback once that object is done: its records are gone by then.
      const reported: Array<{ run: number; object: string; action: string; count: number; leftInSandbox: number }> = [];
      const reporting = (run: number): ConnectorContext => ({
        ...ctx,
        erased: async (item) => {
          const left = fresh.stores.salesforce.countFor('alice@example.com') as Record<string, number>;
          reported.push({ run, object: item.object, action: item.action, count: item.count, leftInSandbox: left[item.object] ?? 0 });
        },
      });

      await expect(c.erase(subjectOf('alice@example.com'), policies({}), reporting(1))).rejects.toBeInstanceOf(ConnectorUnavailable);
      const rerun = await c.erase(subjectOf('alice@example.com'), policies({}), reporting(2));

      // The first run reported everything it deleted before the Lead failed, the rerun only the Lead:
      // what the erase step needs to keep the first run's deletions.
      expect(reported.filter((r) => r.run === 1).map((r) => r.object)).toEqual(['Task', 'Event', 'Case', 'OpportunityContactRole', 'CampaignMember', 'Individual', 'Account', 'Contact']);
      expect(reported.filter((r) => r.run === 1).every((r) => r.action === 'deleted' && r.count > 0 && r.leftInSandbox === 0)).toBe(true);
      expect(reported.filter((r) => r.run === 2)).toEqual([{ run: 2, object: 'Lead', action: 'deleted', count: 1, leftInSandbox: 0 }]);
      expect(rerun.items).toEqual([{ object: 'Lead', action: 'deleted', count: 1 }]);
      expect(fresh.stores.salesforce.countFor('alice@example.com')).toEqual({});
      expect(account()).toEqual([]);
      expect(individuals()).toBeLessThan(individualsBefore);
      expect(await collect(c.access(subjectOf('alice@example.com'), ctx))).toEqual([]);
    } finally {
      await fresh.close();
    }
  });

  it('reports both the Account it deleted and the one it kept when the subject has a sole and a shared one', async () => {
    const fresh = await startSandboxes({ crowd: 12 });
    try {
      const store = fresh.stores.salesforce;
      // Someone whose Contact is on an account other people's contacts share.
      const contacts = [...store.objects.get('Contact')!.values()];
      const shared = (p: { email: string }) => {
        const own = contacts.find((r) => r.Email === p.email);
        return own !== undefined && contacts.some((r) => r.AccountId === own.AccountId && r.Email !== p.email);
      };
      const person = fresh.people.find(shared)!;
      const solo = store.insert('Account', { Name: 'Solo Consulting', Phone: null, Website: null, BillingCity: 'Oslo', BillingCountry: 'NO' });
      store.insert('Contact', { FirstName: 'Second', LastName: 'Contact', Email: person.email, AccountId: solo.Id, IndividualId: null });
      const c = createSaasConnector(saasConfig('salesforce', fresh.urls.salesforce), depsFor(fresh));

      const outcome = await c.erase(subjectOf(person.email), policies({}), ctx);

      expect(outcome.items.filter((i) => i.object === 'Account').map((i) => [i.action, i.count])).toEqual([['deleted', 1], ['retained', 1]]);
      expect(store.objects.get('Account')!.has(solo.Id)).toBe(false);
      expect(store.countFor(person.email)).toEqual({});
    } finally {
      await fresh.close();
    }
  });

  it('keeps an account that other contacts share and masks by PATCH when asked to anonymize', async () => {
    const person = sb.people[5]!; // crowd accounts are shared by four people
    const others = sb.people.slice(4, 8).filter((p) => p !== person).map((p) => sb.stores.salesforce.countFor(p.email).Contact);
    const contact = [...sb.stores.salesforce.objects.get('Contact')!.values()].find((r) => r.Email === person.email)!;
    const task = [...sb.stores.salesforce.objects.get('Task')!.values()].find((r) => r.WhoId === contact.Id)!;
    expect(task.Subject).not.toBe('REDACTED');
    const outcome = await connector().erase(subjectOf(person.email), policies({ Task: { action: 'anonymize', fields: { Subject: 'redact', Description: 'null' } } }), ctx);
    const byObject = Object.fromEntries(outcome.items.map((i) => [i.object, i]));
    expect(byObject.Account?.action).toBe('retained');
    expect(byObject.Task).toMatchObject({ action: 'anonymized', count: 1 });
    // The masked values are what the org now holds, on the same record.
    expect(sb.stores.salesforce.objects.get('Task')!.get(task.Id)).toMatchObject({ Subject: 'REDACTED', Description: null, WhoId: contact.Id });
    expect(sb.people.slice(4, 8).filter((p) => p !== person).map((p) => sb.stores.salesforce.countFor(p.email).Contact)).toEqual(others);
  });
});

describe('Salesforce connector with partial answers', () => {
  it('fails a query page that comes without its records', async () => {
    sb.faults.set('salesforce', { failNext: { match: '/query?q=', partial: 'no-results', count: 1 } });
    await expect(collect(connector().access(subjectOf(sb.people[30]!.email), ctx))).rejects.toThrow(/^salesforce: query \w+ answered without its records list$/);
  });

  it('fails a last page that brings fewer records than its totalSize', async () => {
    sb.faults.set('salesforce', { failNext: { match: '/query?q=', status: 200, body: { totalSize: 2, done: true, records: [] }, count: 1 } });
    await expect(collect(connector().access(subjectOf(sb.people[31]!.email), ctx))).rejects.toThrow(/^salesforce: query \w+ ended after 0 of 2 records$/);
  });

  describe('for alice, in a sandbox of her own', () => {
    let fresh: Sandboxes;
    beforeAll(async () => {
      fresh = await startSandboxes({ crowd: 4, salesforce: { batchSize: 10 } });
    });
    afterAll(() => fresh.close());
    const freshConnector = () => createSaasConnector(saasConfig('salesforce', fresh.urls.salesforce), depsFor(fresh));

    it('fails a listing whose follow-up page says done: false without a nextRecordsUrl', async () => {
      // Her 33 Tasks come in batches of 10: the first follow-up page ends the listing early.
      fresh.faults.set('salesforce', { failNext: { match: '/query/01g', partial: 'early-end', count: 1 } });
      await expect(collect(freshConnector().access(subjectOf('alice@example.com'), ctx))).rejects.toThrow(
        new ConnectorIncompleteAnswer('salesforce', 'queryAll Task said there is more but gave no cursor to it'),
      );
    });

    it('deletes nothing and fails when the answer has no per-id results', async () => {
      const before = fresh.stores.salesforce.countFor('alice@example.com');
      fresh.faults.set('salesforce', { failNext: { match: '/composite/sobjects', partial: 'no-results', count: 1 } });
      await expect(freshConnector().erase(subjectOf('alice@example.com'), policies({}), ctx)).rejects.toThrow(
        new ConnectorIncompleteAnswer('salesforce', 'DELETE composite/sobjects answered 0 results for 33 ids'),
      );
      expect(fresh.stores.salesforce.countFor('alice@example.com')).toEqual(before);
    });

    it('reports the Tasks it did delete when the rest answer UNKNOWN_EXCEPTION, fails to be retried, and the retry finishes the job', async () => {
      fresh.faults.set('salesforce', { failNext: { match: '/composite/sobjects', partial: 'errors', count: 1 } });
      const reported: Array<[number, string, string, number]> = [];
      const run = (n: number): ConnectorContext => ({ ...ctx, erased: async (i) => void reported.push([n, i.object, i.action, i.count]) });
      const c = freshConnector();

      const err = await c.erase(subjectOf('alice@example.com'), policies({}), run(1)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConnectorIncompleteAnswer);
      expect((err as Error).message).toBe('salesforce: deleting a Task failed: UNKNOWN_EXCEPTION');
      expect(fresh.stores.salesforce.countFor('alice@example.com')).toMatchObject({ Task: 16 });
      const rerun = await c.erase(subjectOf('alice@example.com'), policies({}), run(2));

      expect(reported.filter(([n]) => n === 1)).toEqual([[1, 'Task', 'deleted', 17]]);
      expect(rerun.items.find((i) => i.object === 'Task')).toEqual({ object: 'Task', action: 'deleted', count: 16 });
      expect(fresh.stores.salesforce.countFor('alice@example.com')).toEqual({});
    });
  });
});

describe('Salesforce connector against orgs set up differently', () => {
  it('reads an org without Data Protection and Privacy: it describes the objects once and asks for no IndividualId or Individual', async () => {
    const plain = await startSandboxes({ crowd: 4, salesforce: { dataProtection: false } });
    try {
      const c = createSaasConnector(saasConfig('salesforce', plain.urls.salesforce), depsFor(plain));
      const queries: string[] = [];
      const { result, count } = await countRequests('/describe', async () => {
        const original = globalThis.fetch;
        globalThis.fetch = ((input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) => {
          const url = new URL(String(input));
          if (url.pathname.endsWith('/query') || url.pathname.endsWith('/queryAll')) queries.push(url.searchParams.get('q')!);
          return original(input, init);
        }) as typeof fetch;
        try {
          return await collect(c.access(subjectOf('alice@example.com'), ctx));
        } finally {
          globalThis.fetch = original;
        }
      });

      expect(countBy(result)).toEqual({ Contact: 1, Lead: 1, CampaignMember: 1, Case: 2, Task: 33, Event: 2, OpportunityContactRole: 1, Account: 1 });
      expect(count).toBe(9); // one describe per object the connector reads
      expect(queries.some((q) => /IndividualId|FROM Individual/.test(q))).toBe(false);
      // Cached for the connector's life (a warm Lambda): the erasure describes nothing again.
      const { count: again } = await countRequests('/describe', () => c.erase(subjectOf('alice@example.com'), policies({}), ctx));
      expect(again).toBe(0);
      expect(plain.stores.salesforce.countFor('alice@example.com')).toEqual({});
    } finally {
      await plain.close();
    }
  });

  it('names a field of settings.fields that the org does not have, instead of failing every query with INVALID_FIELD', async () => {
    const c = connector({ fields: { Contact: ['Id', 'Email', 'Shoe_Size__c'] } });
    await expect(collect(c.access(subjectOf('alice@example.com'), ctx))).rejects.toThrow(
      new ConnectorMisconfigured('salesforce', "settings.fields.Contact names Shoe_Size__c, which the org's Contact does not have"),
    );
  });

  it('logs in to a sandbox org only with its own login server as the audience: the production default is refused there', async () => {
    const sandboxOrg = await startSandboxes({ crowd: 1, salesforce: { orgKind: 'sandbox', myDomainAudience: true } });
    try {
      const jwt = (settings: Record<string, unknown>) =>
        createSaasConnector(saasConfig('salesforce', sandboxOrg.urls.salesforce, settings), depsFor(sandboxOrg, { salesforce: sandboxOrg.credentials['salesforce-jwt']! }));
      await expect(collect(jwt({}).access(subjectOf('alice@example.com'), ctx))).rejects.toBeInstanceOf(ConnectorAuthFailed);
      // An org configured to take its My Domain login URL: loginUrl is both where and for whom.
      expect(countBy(await collect(jwt({ loginUrl: sandboxOrg.urls.salesforce }).access(subjectOf('alice@example.com'), ctx))).Contact).toBe(1);
    } finally {
      await sandboxOrg.close();
    }
  });

  it('reports a converted Lead it may not mask as retained with the reason, and masks it where the user has the permission', async () => {
    const lead = { Lead: { action: 'anonymize', fields: { FirstName: 'redact', LastName: 'redact', Email: 'hash', Phone: 'null' } } } as const;
    for (const editConvertedLeads of [false, true]) {
      const org = await startSandboxes({ crowd: 1, salesforce: { editConvertedLeads } });
      try {
        const c = createSaasConnector(saasConfig('salesforce', org.urls.salesforce), depsFor(org));
        const outcome = await c.erase(subjectOf('alice@example.com'), policies(lead), ctx);
        const leads = outcome.items.filter((i) => i.object === 'Lead');
        const stored = [...org.stores.salesforce.objects.get('Lead')!.values()][0]!;
        if (editConvertedLeads) {
          expect(leads).toEqual([{ object: 'Lead', action: 'anonymized', count: 1 }]);
          expect(stored).toMatchObject({ FirstName: 'REDACTED', Phone: null, IsConverted: true });
        } else {
          expect(leads).toEqual([expect.objectContaining({ object: 'Lead', action: 'retained', count: 1 })]);
          expect(leads[0]!.legalBasis).toMatch(/CANNOT_UPDATE_CONVERTED_LEAD.*View and Edit Converted Leads/);
          expect(stored.Email).toBe('Alice@Example.com');
        }
        // The rest of the erasure went on either way.
        expect(outcome.items.find((i) => i.object === 'Contact')).toEqual({ object: 'Contact', action: 'deleted', count: 1 });
      } finally {
        await org.close();
      }
    }
  });

  it('reports an Account that Salesforce will not delete because it still has Cases as retained, and erases the rest', async () => {
    const org = await startSandboxes({ crowd: 1 });
    try {
      const store = org.stores.salesforce;
      const account = [...store.objects.get('Account')!.values()].find((r) => r.Name === 'Andersen Consulting')!;
      // A case on the company's account that is not the subject's (no contact, or a colleague's).
      store.insert('Case', { CaseNumber: '00009999', Subject: 'Invoice address', Status: 'New', Origin: 'Email', ContactId: null, AccountId: account.Id });
      const reported: string[] = [];
      const c = createSaasConnector(saasConfig('salesforce', org.urls.salesforce), depsFor(org));

      const outcome = await c.erase(subjectOf('alice@example.com'), policies({}), { ...ctx, erased: async (i) => void reported.push(`${i.object}:${i.action}`) });

      expect(outcome.items.filter((i) => i.object === 'Account')).toEqual([expect.objectContaining({ action: 'retained', count: 1, legalBasis: expect.stringMatching(/DELETE_FAILED/) })]);
      expect(reported).toContain('Account:retained');
      expect(store.find(account.Id)).toBeDefined();
      expect(store.countFor('alice@example.com')).toEqual({});
    } finally {
      await org.close();
    }
  });
});
