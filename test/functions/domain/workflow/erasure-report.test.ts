import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DeleteObjectsCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import type { DsarConfig } from '#commons/config';
import type { ConnectorOutcome, ErasureConfirmation, RequestRecord } from '#domain/requests/model';
import { buildErasureReport, closeErasure } from '#domain/workflow/erasure-report';
import { erasureReportLines } from '#domain/notifications/templates';
import { translator } from '#domain/i18n/index';
import { notifyOutcome } from '#domain/workflow/notify';
import { RECHECK_MARGIN_DAYS } from '#domain/erasure-recheck/index';
import { subjectStatus } from '#domain/requests/subject';
import { NOW, REQUEST_ID, SUBJECT_EMAIL, exampleConfig, requestRecord, testContext, verificationFor, type TestContext } from '../../../support/in-memory-context.ts';

const s3 = mockClient(S3Client);
let ctx: TestContext;

const FINISHED = '2026-03-02T09:30:00.000Z';
const STAGED = [`staging/${REQUEST_ID}/accounts/account.jsonl`, `staging/${REQUEST_ID}/stripe/charges.jsonl`];
const BOOKKEEPING = 'Norwegian Bookkeeping Act § 13';

const outcome = (connectorId: string, erasure: ConnectorOutcome['erasure'], extra: Partial<ConnectorOutcome> = {}): ConnectorOutcome => ({
  connectorId, status: 'succeeded', records: 0, objects: {}, stagingKeys: {}, attempts: 1, erasure, finishedAt: FINISHED, ...extra,
});

const clean = { found: {}, residual: {}, verifiable: true };

/** An erasure that reached every example system; HubSpot found nothing, Google Analytics cannot be read back. */
function erasedRequest(overrides: Partial<RequestRecord> = {}): RequestRecord {
  const confirmation: ErasureConfirmation = {
    at: NOW.toISOString(),
    confirmed: true,
    connectors: {
      accounts: clean,
      calls: clean,
      salesforce: clean,
      stripe: { found: { charges: 4 }, residual: {}, verifiable: true },
      hubspot: clean,
      'google-analytics': { found: {}, residual: {}, verifiable: false },
    },
  };
  return requestRecord({
    type: 'erasure',
    status: 'in_progress',
    verification: verificationFor(REQUEST_ID, '123456', { verifiedAt: '2026-03-02T08:05:00.000Z' }),
    decision: { outcome: 'approved', by: 'dana', at: '2026-03-02T08:10:00.000Z' },
    connectors: {
      accounts: outcome('accounts', [{ object: 'account', action: 'deleted', count: 1 }]),
      calls: outcome('calls', [{ object: 'calls', action: 'deleted', count: 3 }]),
      salesforce: outcome('salesforce', [{ object: 'Contact', action: 'deleted', count: 1 }], { finishedAt: '2026-03-01T23:59:00.000Z' }),
      stripe: outcome('stripe', [
        { object: 'customers', action: 'deleted', count: 1 },
        { object: 'charges', action: 'retained', count: 4, legalBasis: BOOKKEEPING, retentionPeriod: '5 years' },
      ]),
      hubspot: outcome('hubspot', [{ object: 'contacts', action: 'not_found', count: 0 }]),
      'google-analytics': outcome('google-analytics', [{ object: 'user', action: 'deleted', count: 1 }], { finishedAt: undefined }),
    },
    erasureConfirmation: confirmation,
    ...overrides,
  });
}

/** The example configuration, with e-mail addresses for the recipients named. */
function configNotifying(recipients: Record<string, string>): DsarConfig {
  const config = exampleConfig();
  config.privacyNotice.recipients = config.privacyNotice.recipients.map((r) => (recipients[r.name] ? { ...r, notifyEmail: recipients[r.name] } : r));
  return config;
}

beforeEach(() => {
  ctx = testContext();
  s3.on(ListObjectsV2Command).resolves({ Contents: STAGED.map((Key) => ({ Key })), IsTruncated: false });
  s3.on(DeleteObjectsCommand).resolves({});
});
afterEach(() => s3.reset());

describe('buildErasureReport', () => {
  it('lists every system with what was done to it and whether the read-back confirmed it', async () => {
    const report = await buildErasureReport(ctx, erasedRequest());

    expect(report.completedAt).toBe(NOW.toISOString());
    expect(report.systems.map((s) => [s.connectorId, s.confirmed])).toEqual([
      ['accounts', true],
      ['calls', true],
      ['salesforce', true],
      ['stripe', true],
      ['hubspot', true],
      ['google-analytics', 'not_verifiable'],
    ]);
    const stripe = report.systems.find((s) => s.connectorId === 'stripe')!;
    expect(stripe.displayName).toBe('Stripe (payments)');
    expect(stripe.items).toContainEqual({ object: 'charges', action: 'retained', count: 4, legalBasis: BOOKKEEPING, retentionPeriod: '5 years' });
    expect(report.notErased).toEqual([]);
  });

  it('does not call a system confirmed when its read-back found residue, failed, or never ran', async () => {
    const request = erasedRequest();
    request.erasureConfirmation!.connectors.hubspot = { found: { contacts: 1 }, residual: { contacts: 1 }, verifiable: true };
    request.erasureConfirmation!.connectors.salesforce = { found: {}, residual: {}, verifiable: true, error: 'ConnectorUnavailable: 503' };
    delete request.erasureConfirmation!.connectors.calls;

    const report = await buildErasureReport(ctx, request);

    const confirmed = Object.fromEntries(report.systems.map((s) => [s.connectorId, s.confirmed]));
    expect(confirmed).toMatchObject({ hubspot: false, salesforce: false, calls: false, accounts: true });
  });

  it('lists the processors the erasure reached through their API as told, with the time their erasure finished', async () => {
    const report = await buildErasureReport(ctx, erasedRequest());

    expect(report.recipientsNotified).toEqual([
      { name: 'Salesforce (customer and process management)', how: 'erasure_api', at: '2026-03-01T23:59:00.000Z' },
      { name: 'Stripe (payments)', how: 'erasure_api', at: FINISHED },
      { name: 'Google Analytics 4 (analytics)', how: 'erasure_api', at: NOW.toISOString() },
    ]);
  });

  it('does not list a processor as told when the erasure only kept its records (nothing was sent to it)', async () => {
    const request = erasedRequest();
    request.connectors!['google-analytics'] = outcome('google-analytics', [
      { object: 'user', action: 'retained', count: 1, legalBasis: 'fraud prevention', retentionPeriod: '14 months' },
    ]);

    const report = await buildErasureReport(ctx, request);

    expect(report.recipientsNotified.map((r) => r.name)).not.toContain('Google Analytics 4 (analytics)');
    expect(report.systems.find((s) => s.connectorId === 'google-analytics')!.items[0]!.action).toBe('retained');
  });

  it('emails each recipient that has a notify address and lists it as told', async () => {
    ctx = testContext(configNotifying({ 'Authorised resale partners': 'privacy@partners.example' }));

    const report = await buildErasureReport(ctx, erasedRequest());

    const notices = ctx.mail.to('privacy@partners.example');
    expect(notices).toHaveLength(1);
    expect(notices[0]!.subject).toBe(`Erasure notice under GDPR Art. 19 (${REQUEST_ID})`);
    expect(notices[0]!.text).toContain(SUBJECT_EMAIL);
    expect(report.recipientsNotified).toContainEqual({ name: 'Authorised resale partners', how: 'email', at: NOW.toISOString() });
    expect(ctx.mail.sent).toHaveLength(1);
  });

  it('does not list a recipient whose notice could not be sent, and still tells the others', async () => {
    ctx = testContext(configNotifying({ 'Authorised resale partners': 'privacy@partners.example', 'Public authorities': 'dpo@authority.example' }));
    ctx.mail.failNext = 1;

    const report = await buildErasureReport(ctx, erasedRequest());

    const told = report.recipientsNotified.filter((r) => r.how === 'email').map((r) => r.name);
    expect(told).toEqual(['Public authorities']);
    expect(ctx.mail.to('privacy@partners.example')).toHaveLength(0);
    expect(ctx.mail.to('dpo@authority.example')).toHaveLength(1);
  });

  it('accounts for every configured recipient: told, left to staff, or with nothing to be told (Art. 19)', async () => {
    ctx = testContext(configNotifying({ 'Authorised resale partners': 'privacy@partners.example' }));

    const report = await buildErasureReport(ctx, erasedRequest());

    expect(report.recipientsNotTold).toEqual([
      // HubSpot found nothing of hers: no erasure to pass on.
      { name: 'HubSpot', reason: 'nothing_erased', systems: ['HubSpot (communication and marketing)'] },
      // No address and no system of theirs the erasure reached.
      { name: 'Microsoft', reason: 'staff' },
      { name: 'Social media platforms (Facebook, LinkedIn, Instagram, YouTube)', reason: 'staff' },
      { name: 'Public authorities', reason: 'staff' },
      { name: 'A buyer in a merger or sale of the business', reason: 'staff' },
    ]);
    // Salesforce, Stripe and Google are told by the erasure of their systems, the partners by email.
    const accounted = [...report.recipientsNotified.map((r) => r.name), ...report.recipientsNotTold.map((r) => r.name)];
    for (const recipient of ctx.config.privacyNotice.recipients) {
      expect(accounted.some((name) => name.startsWith(recipient.name)), recipient.name).toBe(true);
    }
  });

  it('does not list our own product database among the recipients told', async () => {
    const request = erasedRequest();
    request.connectors!['product-db'] = outcome('product-db', [{ object: 'support_tickets', action: 'anonymized', count: 1 }]);

    const report = await buildErasureReport(ctx, request);

    expect(report.systems.map((s) => s.connectorId)).toContain('product-db');
    expect(report.recipientsNotified.map((r) => r.name)).not.toContain('Example Video product database');
  });

  it('leaves a recipient whose notice email failed to staff, and one whose system staff accepted as not erased', async () => {
    ctx = testContext(configNotifying({ 'Authorised resale partners': 'privacy@partners.example' }));
    ctx.mail.failNext = 1;
    const request = erasedRequest({ partialAcceptance: { by: 'dana', at: '2026-03-02T09:00:00.000Z', reason: 'offline' } });
    request.connectors!.salesforce = outcome('salesforce', undefined, { status: 'accepted_missing' });

    const report = await buildErasureReport(ctx, request);

    const byStaff = report.recipientsNotTold.filter((r) => r.reason === 'staff').map((r) => r.name);
    expect(byStaff).toEqual(expect.arrayContaining(['Salesforce', 'Authorised resale partners']));
    expect(report.recipientsNotified.map((r) => r.name)).not.toContain('Authorised resale partners');
    // The subject's report names Salesforce (its system held her data), not the partners (no system of theirs did).
    expect(report.recipientsNotTold.find((r) => r.name === 'Salesforce')).toEqual({ name: 'Salesforce', reason: 'staff', systems: ['Salesforce (customer and process management)'] });
    const text = erasureReportLines(report, translator('en')).join('\n');
    expect(text).toContain('Our staff will tell these recipients of your data about the erasure:\n  - Salesforce');
    expect(text).not.toMatch(/Authorised resale partners|Microsoft|Public authorities/);
  });

  it('lists a system staff accepted as not erased, with their reason, and not among the erased systems', async () => {
    const request = erasedRequest({ partialAcceptance: { by: 'dana', at: '2026-03-02T09:00:00.000Z', reason: 'The call archive is offline until April; erased then.' } });
    request.connectors!.calls = outcome('calls', undefined, { status: 'accepted_missing' });

    const report = await buildErasureReport(ctx, request);

    expect(report.notErased).toEqual([
      { connectorId: 'calls', displayName: 'Example Video call history', reason: 'The call archive is offline until April; erased then.' },
    ]);
    expect(report.systems.map((s) => s.connectorId)).not.toContain('calls');
  });

  it('says staff accepted it when a missing system has no recorded reason', async () => {
    const request = erasedRequest();
    request.connectors!.hubspot = outcome('hubspot', undefined, { status: 'accepted_missing' });

    const report = await buildErasureReport(ctx, request);

    expect(report.notErased).toEqual([{ connectorId: 'hubspot', displayName: 'HubSpot (communication and marketing)', reason: 'accepted by staff' }]);
  });

  it('has nothing to pass on to any recipient, and mails none, when the erasure erased nothing anywhere', async () => {
    ctx = testContext(configNotifying({ 'Public authorities': 'dpo@authority.example' }));
    const nothing = erasedRequest();
    for (const o of Object.values(nothing.connectors!)) o.erasure = [{ object: 'x', action: 'not_found', count: 0 }];

    const report = await buildErasureReport(ctx, nothing);

    expect(report.recipientsNotified).toEqual([]);
    expect(report.recipientsNotTold.every((r) => r.reason === 'nothing_erased')).toBe(true);
    expect(report.recipientsNotTold.map((r) => r.name)).toEqual(ctx.config.privacyNotice.recipients.map((r) => r.name));
    expect(ctx.mail.to('dpo@authority.example')).toEqual([]);
  });

  it('counts a system staff accepted as not erased as possibly erased, so recipients are still accounted as owed', async () => {
    const partly = erasedRequest({ partialAcceptance: { by: 'dana', at: '2026-03-02T09:00:00.000Z', reason: 'Timed out halfway.' } });
    for (const o of Object.values(partly.connectors!)) o.erasure = [{ object: 'x', action: 'not_found', count: 0 }];
    partly.connectors!.calls = outcome('calls', undefined, { status: 'accepted_missing' });

    const report = await buildErasureReport(ctx, partly);

    expect(report.recipientsNotTold.some((r) => r.reason === 'staff')).toBe(true);
  });
});

describe('closeErasure', () => {
  it('deletes the request’s staging data, stores the report and records it in the audit trail', async () => {
    await ctx.memory.create(erasedRequest());

    const report = await closeErasure(ctx, ctx.memory.stored());

    const list = s3.commandCalls(ListObjectsV2Command)[0]!.args[0].input;
    expect(list).toMatchObject({ Bucket: 'dsar-staging', Prefix: `staging/${REQUEST_ID}/` });
    const del = s3.commandCalls(DeleteObjectsCommand)[0]!.args[0].input;
    expect(del.Bucket).toBe('dsar-staging');
    expect(del.Delete?.Objects?.map((o) => o.Key)).toEqual(STAGED);
    expect(ctx.memory.stored().erasureReport).toEqual(report);
    const event = ctx.memory.events.find((e) => e.action === 'erasure.reported');
    expect(event?.detail).toEqual({ recipientsNotified: report.recipientsNotified.map((r) => r.name), notErased: [] });
  });

  it('says in the report that the suppression hash is kept when the subject opted out of marketing, and not otherwise', async () => {
    await ctx.memory.create(erasedRequest());
    expect((await closeErasure(ctx, ctx.memory.stored())).suppressionKept).toBeUndefined();

    const since = '2026-02-10T08:00:00.000Z';
    await ctx.suppressions.record(ctx.memory.stored().subjectHash, 'dsar_earlieroptout', since);
    const report = await closeErasure(ctx, ctx.memory.stored());

    expect(report.suppressionKept).toEqual({ since });
    expect(erasureReportLines(report, translator('en'))).toContain(
      'You opted out of marketing on 10 February 2026. So that we keep honouring that, we keep a coded (hashed) fingerprint of your email address on our suppression list: it is not erased with your other data, holds nothing else about you, and only stops us from marketing to that address again.',
    );
    expect(erasureReportLines(report, translator('nb')).join('\n')).toContain('Du reserverte deg mot markedsføring 10. februar 2026.');
    // The report mail says it too (the status page builds its report from the same paragraphs).
    await notifyOutcome(ctx, REQUEST_ID, { outcome: 'erased' });
    expect(ctx.mail.to(SUBJECT_EMAIL)[0]!.text).toContain('You opted out of marketing on 10 February 2026.');
  });

  it('fails before mailing any recipient when the copies cannot be deleted, so a retry mails them once', async () => {
    ctx = testContext(configNotifying({ 'Public authorities': 'dpo@authority.example' }));
    await ctx.memory.create(erasedRequest());
    s3.on(ListObjectsV2Command).rejects(new Error('S3 is down'));

    await expect(closeErasure(ctx, ctx.memory.stored())).rejects.toThrow('S3 is down');

    expect(ctx.mail.to('dpo@authority.example')).toEqual([]);
    expect(ctx.memory.stored().erasureReport).toBeUndefined();
  });

  it('records on the audit trail which recipients staff still have to tell', async () => {
    await ctx.memory.create(erasedRequest());

    await closeErasure(ctx, ctx.memory.stored());

    const outstanding = (await ctx.memory.auditTrail(REQUEST_ID)).find((e) => e.action === 'erasure.recipients_outstanding')!;
    expect(outstanding.detail).toEqual({
      recipients: ['Microsoft', 'Social media platforms (Facebook, LinkedIn, Instagram, YouTube)', 'Authorised resale partners', 'Public authorities', 'A buyer in a merger or sale of the business'],
    });
  });

  it('owes a re-check after the vendor’s window for a deletion the vendor completes later, and none for the others', async () => {
    const request = erasedRequest();
    request.connectors!.hubspot!.erasure = [{ object: 'contacts', action: 'deleted', count: 1, completion: { vendor: 'HubSpot', withinDays: 30 } }];
    // Google Analytics cannot be read back per person: its submitted deletion is reported, not re-checked.
    request.connectors!['google-analytics']!.erasure = [{ object: 'user', action: 'deleted', count: 1, completion: { vendor: 'Google', withinDays: 63 } }];
    await ctx.memory.create(request);

    await closeErasure(ctx, ctx.memory.stored());
    // A retried close (the report was not stored yet) owes the same re-check, not a second one.
    await closeErasure(ctx, ctx.memory.stored());

    const due = new Date(NOW.getTime() + (30 + RECHECK_MARGIN_DAYS) * 86_400_000).toISOString();
    expect([...ctx.memory.rechecks.values()]).toEqual([
      { requestId: REQUEST_ID, connectorId: 'hubspot', dueAt: due, objects: [{ object: 'contacts', vendor: 'HubSpot', withinDays: 30 }] },
    ]);
  });

  it('keeps no data of the subject in the report it stores', async () => {
    ctx = testContext(configNotifying({ 'Public authorities': 'dpo@authority.example' }));
    await ctx.memory.create(erasedRequest());

    await closeErasure(ctx, ctx.memory.stored());

    const stored = JSON.stringify(ctx.memory.stored().erasureReport);
    expect(stored).not.toContain(SUBJECT_EMAIL);
    expect(stored.toLowerCase()).not.toContain(SUBJECT_EMAIL.toLowerCase());
    expect(stored).not.toContain('Alice');
  });
});

describe('notifyOutcome for an erasure', () => {
  it('leaves no follow-up task on a request staff cancelled while the step ran', async () => {
    await ctx.memory.create(erasedRequest({ status: 'cancelled' }));

    await expect(notifyOutcome(ctx, REQUEST_ID, { outcome: 'erased' })).rejects.toThrow(/cancelled/);

    expect(await ctx.memory.todos.list(REQUEST_ID)).toEqual([]);
  });

  it('completes, mails the subject the report and closes the request with the retention fields', async () => {
    await ctx.memory.create(erasedRequest());

    const out = await notifyOutcome(ctx, REQUEST_ID, { outcome: 'erased' });

    expect(out).toEqual({ status: 'completed' });
    const mail = ctx.mail.to(SUBJECT_EMAIL);
    expect(mail).toHaveLength(1);
    expect(mail[0]!.subject).toBe(`Your data was erased (${REQUEST_ID})`);
    expect(mail[0]!.text).toContain('  - Card charges: 4 records kept (reason 1).');
    expect(mail[0]!.text).toContain(`  - 1. ${BOOKKEEPING}. For how long: 5 years.`);
    const stored = ctx.memory.stored();
    expect(stored.status).toBe('completed');
    expect(stored.closedAt).toBe(NOW.toISOString());
    expect(stored.purgePk).toBe('PURGE');
    expect(stored.purgeAfter).toBe('2028-03-02T10:00:00.000Z');
    expect(stored.erasureReport?.completedAt).toBe(NOW.toISOString());
    const outstanding = ctx.memory.events.find((e) => e.action === 'erasure.recipients_outstanding')!.detail!.recipients as string[];
    // One follow-up task per recipient our staff must tell (Art. 19), there before the request says it
    // completed: whoever sees it completed sees its tasks.
    expect(ctx.memory.actions()).toEqual([
      'erasure.earlier_copies_deleted',
      'erasure.recipients_outstanding',
      'erasure.reported',
      ...outstanding.map(() => 'todo.added'),
      'request.completed',
    ]);
  });

  it('tells the subject that the packages of her earlier requests were deleted, and their links no longer work', async () => {
    await ctx.memory.create(erasedRequest());
    const earlier = 'dsar_test0000000000003';
    await ctx.memory.create(
      requestRecord({ requestId: earlier, status: 'completed', package: { key: `exports/${earlier}/access-${earlier}.zip`, createdAt: '2026-03-01T10:00:00.000Z', expiresAt: '2026-03-08T10:00:00.000Z' } }),
    );

    await notifyOutcome(ctx, REQUEST_ID, { outcome: 'erased' });

    expect(ctx.memory.stored().erasureReport?.earlierPackagesDeleted).toBe(1);
    const token = new URL(ctx.mail.to(SUBJECT_EMAIL)[0]!.text.match(/(http\S+\/request\/status\S+)/)![1]!).searchParams.get('token')!;
    expect((await subjectStatus(ctx, REQUEST_ID, token)).erasureReport?.earlierPackagesDeleted).toBe(1);
    expect(ctx.mail.to(SUBJECT_EMAIL)[0]!.text).toContain(
      'We also deleted the copies of your data we had prepared for your earlier request: the download links in our earlier emails no longer work.',
    );
  });

  it('gives the status page the report with system names in the page\'s language, the request\'s when it names none', async () => {
    await ctx.memory.create(erasedRequest());
    await notifyOutcome(ctx, REQUEST_ID, { outcome: 'erased' });
    const token = new URL(ctx.mail.to(SUBJECT_EMAIL)[0]!.text.match(/(http\S+\/request\/status\S+)/)![1]!).searchParams.get('token')!;

    const names = async (lang?: string) => (await subjectStatus(ctx, REQUEST_ID, token, lang)).erasureReport!.systems.map((s) => s.displayName);

    expect(await names()).toContain('Stripe (payments)');
    expect(await names('nb')).toContain('Stripe (betalinger)');
    expect(await names('nb')).not.toContain('Stripe (payments)');
  });

  it('says nothing of earlier packages when there were none', async () => {
    await ctx.memory.create(erasedRequest());

    await notifyOutcome(ctx, REQUEST_ID, { outcome: 'erased' });

    expect(ctx.memory.stored().erasureReport?.earlierPackagesDeleted).toBeUndefined();
    expect(ctx.mail.to(SUBJECT_EMAIL)[0]!.text).not.toContain('download links in our earlier emails');
  });

  it('writes the report mail in Norwegian for a request filed in nb-NO, with the objects by name', async () => {
    await ctx.memory.create(erasedRequest({ locale: 'nb-NO' }));

    await notifyOutcome(ctx, REQUEST_ID, { outcome: 'erased' });

    const mail = ctx.mail.to(SUBJECT_EMAIL)[0]!;
    expect(mail.subject).toBe(`Opplysningene dine er slettet (${REQUEST_ID})`);
    expect(mail.text).toContain('  - Kortbelastninger: 4 oppføringer beholdt (grunn 1).');
    expect(mail.text).toContain('Vi har fortalt disse mottakerne av opplysningene dine om slettingen:');
  });

  it('links the report email to the status page, whose token opens the same report', async () => {
    await ctx.memory.create(erasedRequest());

    await notifyOutcome(ctx, REQUEST_ID, { outcome: 'erased' });

    const text = ctx.mail.to(SUBJECT_EMAIL)[0]!.text;
    const link = new URL(text.match(/(http\S+\/request\/status\S+)/)![1]!);
    expect(link.searchParams.get('id')).toBe(REQUEST_ID);
    const view = await subjectStatus(ctx, REQUEST_ID, link.searchParams.get('token')!);
    expect(view.erasureReport?.systems.map((s) => s.displayName)).toContain('Stripe (payments)');
    // The kind lets the page name Stripe's objects in the reader's language, as the mail does.
    expect(view.erasureReport?.systems.find((s) => s.displayName === 'Stripe (payments)')?.kind).toBe('stripe');
    await expect(subjectStatus(ctx, REQUEST_ID, 'not-the-token')).rejects.toMatchObject({ code: 'invalid_token' });
  });

  it('completes as partial when staff accepted a system as not erased, and tells the subject why', async () => {
    const request = erasedRequest({ partialAcceptance: { by: 'dana', at: '2026-03-02T09:00:00.000Z', reason: 'The archive is offline.' } });
    request.connectors!.calls = outcome('calls', undefined, { status: 'accepted_missing' });
    await ctx.memory.create(request);

    const out = await notifyOutcome(ctx, REQUEST_ID, { outcome: 'erased' });

    expect(out).toEqual({ status: 'completed_partial' });
    expect(ctx.memory.stored().status).toBe('completed_partial');
    expect(ctx.mail.to(SUBJECT_EMAIL)[0]!.text).toContain('  - Example Video call history: your data may still be there. Why: The archive is offline.');
  });

  it('builds the report once: a retried step neither closes the erasure again nor mails the report twice', async () => {
    ctx = testContext(configNotifying({ 'Public authorities': 'dpo@authority.example' }));
    await ctx.memory.create(erasedRequest());
    await notifyOutcome(ctx, REQUEST_ID, { outcome: 'erased' });
    const first = structuredClone(ctx.memory.stored().erasureReport);
    ctx.fixedClock.advance(2 * 24 * 3600_000);

    await notifyOutcome(ctx, REQUEST_ID, { outcome: 'erased' });

    expect(ctx.memory.stored().erasureReport).toEqual(first);
    // One mail per transition: the retry finds the closing mail claimed and sent, and leaves the link alone.
    expect(ctx.mail.to(SUBJECT_EMAIL)).toHaveLength(1);
    expect(ctx.mail.to('dpo@authority.example')).toHaveLength(1);
    expect(s3.commandCalls(ListObjectsV2Command)).toHaveLength(1);
    expect(ctx.memory.actions().filter((a) => a === 'erasure.reported')).toHaveLength(1);
  });
});
