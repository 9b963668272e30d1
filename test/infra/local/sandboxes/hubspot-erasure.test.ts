import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandboxes, type Sandboxes } from '../../../../infra/local/sandboxes/index.ts';

let sb: Sandboxes;
beforeAll(async () => {
  sb = await startSandboxes({ crowd: 20 });
});
afterAll(() => sb.close());

async function hubspot(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${sb.urls.hubspot}${path}`, {
    method,
    headers: { authorization: `Bearer ${sb.credentials.hubspot!.access_token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as unknown) : undefined };
}

describe('HubSpot sandbox erasure, as HubSpot documents it', () => {
  it('GDPR-deletes a contact but leaves its note that is also on a company, unlinked, and records the purge HubSpot still owes', async () => {
    const hs = sb.stores.hubspot;
    const contact = hs.create('contacts', { email: 'gdpr-one@example.com' });
    const company = hs.create('companies', { name: 'Timeline AS' });
    const onCompany = hs.create('notes', { hs_note_body: 'On both' });
    const onlyContact = hs.create('notes', { hs_note_body: 'Only hers' });
    hs.associate('contacts', contact.id, 'notes', onCompany.id);
    hs.associate('companies', company.id, 'notes', onCompany.id);
    hs.associate('contacts', contact.id, 'notes', onlyContact.id);

    expect((await hubspot('POST', '/crm/v3/objects/contacts/gdpr-delete', { objectId: contact.id })).status).toBe(204);

    expect(hs.objects.get('notes')!.has(onlyContact.id)).toBe(false);
    expect(hs.objects.get('notes')!.has(onCompany.id)).toBe(true);
    expect(hs.associated('notes', onCompany.id, 'contacts')).toEqual([]);
    expect(hs.associated('notes', onCompany.id, 'companies')).toEqual([company.id]);
    expect(hs.purges.map((p) => p.contactId)).toContain(contact.id);
    expect(hs.blocklist.has('gdpr-one@example.com')).toBe(true);
  });

  it('blocklists an address it does not know with 204, and answers 404 for an unknown contact id', async () => {
    expect((await hubspot('POST', '/crm/v3/objects/contacts/gdpr-delete', { objectId: 'Nobody@Example.com', idProperty: 'email' })).status).toBe(204);
    expect(sb.stores.hubspot.blocklist.has('nobody@example.com')).toBe(true);
    expect(await hubspot('POST', '/crm/v3/objects/contacts/gdpr-delete', { objectId: '999999999' })).toMatchObject({ status: 404, body: { category: 'OBJECT_NOT_FOUND' } });
  });

  it('archives in batches of at most 100, to the recycle bin, and refuses a larger batch whole', async () => {
    const hs = sb.stores.hubspot;
    const task = hs.create('tasks', { hs_task_subject: 'x' });
    expect((await hubspot('POST', '/crm/v3/objects/tasks/batch/archive', { inputs: [{ id: task.id }, { id: '1' }] })).status).toBe(204);
    expect(hs.objects.get('tasks')!.has(task.id)).toBe(false);
    expect(hs.recycleBin).toContainEqual({ type: 'tasks', id: task.id });
    const tooMany = Array.from({ length: 101 }, (_, i) => ({ id: String(i) }));
    expect(await hubspot('POST', '/crm/v3/objects/tasks/batch/archive', { inputs: tooMany })).toMatchObject({ status: 400, body: { category: 'VALIDATION_ERROR' } });
  });
});
