/**
 * POST /v1/requests on a real table (dynalite): the handler's own repository writes the request, the
 * subject lock and the Idempotency-Key mapping; only Step Functions is mocked.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { resetAppContext } from '#domain/context';
import { resetClients } from '#commons/clients';
import type { RequestRecord } from '#domain/requests/model';
import { exampleConfigJson } from '../../../support/in-memory-context.ts';
import { startHarness, TABLE, type Harness } from '../../../support/dynalite-harness.ts';
import { answer, apiEvent, checked, lambdaContext } from '../support.ts';

let h: Harness;
let handler: ReturnType<typeof checked>;
const sfn = mockClient(SFNClient);

beforeAll(async () => {
  h = await startHarness();
  vi.stubEnv('DSAR_TABLE', TABLE);
  vi.stubEnv('AWS_ENDPOINT_URL_DYNAMODB', h.emulator.url);
  vi.stubEnv('DSAR_STATE_MACHINE_ARN', 'arn:aws:states:eu-north-1:123456789012:stateMachine:dsar');
  vi.stubEnv('DSAR_CONFIG', JSON.stringify(exampleConfigJson()));
  resetClients();
  resetAppContext();
  handler = checked((await import('../../../../functions/handlers/api/create-request.ts')).handler);
});
afterAll(async () => {
  vi.unstubAllEnvs();
  resetClients();
  resetAppContext();
  await h?.close();
});
beforeEach(() => {
  sfn.on(StartExecutionCommand).callsFake((input: { name: string }) => ({ executionArn: `arn:exec:${input.name}`, startDate: new Date() }));
});
afterEach(() => sfn.reset());

let n = 0;
/** An address no other test files for. */
const fresh = () => `subject-${++n}-${Date.now().toString(36)}@example.com`;

let ip = 0;
/** Each call from its own client address, so the per-IP intake limit (tested on its own) stays out of the way. */
const post = async (body: unknown, headers: Record<string, string> = {}) => {
  const event = apiEvent({ body: typeof body === 'string' ? body : JSON.stringify(body), headers });
  event.requestContext.http.sourceIp = `198.51.100.${++ip % 250}`;
  return answer(await handler(event, lambdaContext()));
};
const stored = (id: unknown) => h.ctx.repo.find(String(id)) as Promise<RequestRecord | undefined>;

describe('POST /v1/requests', () => {
  it('answers 202 with a request id and files the request', async () => {
    const res = await post({ type: 'access', email: fresh(), name: 'Alice' });

    expect(res.statusCode).toBe(202);
    expect(res.body).toEqual({ requestId: expect.stringMatching(/^dsar_/), status: 'received', verification: 'code' });
    expect((await stored(res.body.requestId))?.status).toBe('awaiting_verification');
    expect(sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input.name).toBe(res.body.requestId);
  });

  it('files a marketing opt-out with its details, due under its own rule, for staff to read', async () => {
    const res = await post({ type: 'marketing_opt_out', email: fresh(), details: 'Your newsletter keeps coming.\nPlease stop it.' });

    expect(res.statusCode).toBe(202);
    // No code to enter (the example's verification.marketing_opt_out: none): the form says so.
    expect(res.body.verification).toBe('none');
    const r = await stored(res.body.requestId);
    expect(r).toMatchObject({ type: 'marketing_opt_out', status: 'awaiting_verification', subject: { details: 'Your newsletter keeps coming.\nPlease stop it.' } });
    // GDPR (the example's default): the month of Art. 12(3), not extended.
    expect(r!.extendedDueDate).toBe(r!.dueDate);
  });

  it('files a restriction with its Art. 18(1) ground, set to be restricted first, for staff to review', async () => {
    const res = await post({ type: 'restriction', email: fresh(), ground: 'accuracy_contested', details: 'My address is wrong.' });

    expect(res.statusCode).toBe(202);
    expect(await stored(res.body.requestId)).toMatchObject({
      type: 'restriction',
      status: 'awaiting_verification',
      restriction: { ground: 'accuracy_contested', phase: 'set' },
      subject: { details: 'My address is wrong.' },
    });
  });

  it('files a restriction without a ground: the subject may explain in the details instead', async () => {
    const r = await stored((await post({ type: 'restriction', email: fresh() })).body.requestId);

    expect(r!.restriction).toEqual({ phase: 'set' });
  });

  it('keeps the details of any type, trimmed, and leaves an empty field out', async () => {
    const withDetails = await stored((await post({ type: 'erasure', email: fresh(), details: '  Only my old account, please.  ' })).body.requestId);
    const blank = await stored((await post({ type: 'access', email: fresh(), details: '   ' })).body.requestId);

    expect(withDetails!.subject.details).toBe('Only my old account, please.');
    expect(blank!.subject).not.toHaveProperty('details');
  });

  it('files a rectification with the values the subject says are right, staff review it, and the law\'s extendable month applies', async () => {
    const res = await post({
      type: 'rectification',
      email: fresh(),
      rectification: { fields: { phone: '+47 912 34 567', email: '', address: { city: ' Oslo ', country: 'no', line2: '' } } },
    });

    expect(res.statusCode).toBe(202);
    const r = await stored(res.body.requestId);
    // Empty values are not asked for; values are trimmed; the country is a code.
    expect(r!.subject.rectification).toEqual({ fields: { phone: '+47 912 34 567', address: { city: 'Oslo', country: 'NO' } } });
    expect(r!.extendedDueDate > r!.dueDate).toBe(true);
  });

  it('files a rectification described only in the subject\'s words', async () => {
    const r = await stored((await post({ type: 'rectification', email: fresh(), details: 'My surname is spelt wrong.' })).body.requestId);

    expect(r).toMatchObject({ type: 'rectification', subject: { details: 'My surname is spelt wrong.' } });
    expect(r!.subject).not.toHaveProperty('rectification');
  });

  it('answers the same shape whether or not a request is already open for the address', async () => {
    const email = fresh();
    const first = await post({ type: 'access', email });
    const duplicate = await post({ type: 'access', email });

    expect(duplicate.statusCode).toBe(first.statusCode);
    expect(Object.keys(duplicate.body)).toEqual(Object.keys(first.body));
    expect(duplicate.body.status).toBe(first.body.status);
    expect(await stored(duplicate.body.requestId)).toMatchObject({ status: 'duplicate', duplicateOf: first.body.requestId });
  });

  it.each([
    ['an invalid email', { type: 'access', email: 'not-an-address' }, 'invalid_request', 'email'],
    ['an unknown type', { type: 'telepathy', email: 'a@example.com' }, 'invalid_request', 'type'],
    ['a rectification that says nothing is wrong', { type: 'rectification', email: 'a@example.com', rectification: { fields: { phone: '' } } }, 'rectification_empty', 'details'],
    ['a rectification phone that is not a number', { type: 'rectification', email: 'a@example.com', rectification: { fields: { phone: 'call me' } } }, 'invalid_request', 'rectification.fields.phone'],
    ['a rectification name over 200 characters', { type: 'rectification', email: 'a@example.com', rectification: { fields: { name: 'x'.repeat(201) } } }, 'invalid_request', 'rectification.fields.name'],
    ['a rectification name carrying a link', { type: 'rectification', email: 'a@example.com', rectification: { fields: { name: 'Bob www.evil.example' } } }, 'invalid_rectification', 'rectification.fields.name'],
    ['a rectification city with a line break', { type: 'rectification', email: 'a@example.com', rectification: { fields: { address: { city: 'Oslo\nIMPORTANT' } } } }, 'invalid_rectification', 'rectification.fields.address.city'],
    ['a rectification field the product does not correct', { type: 'rectification', email: 'a@example.com', rectification: { fields: { iban: 'NO93' } } }, 'invalid_request', 'iban'],
    ['rectification values on an access request', { type: 'access', email: 'a@example.com', rectification: { fields: { phone: '+47 912 34 567' } } }, 'rectification_not_applicable', 'rectification'],
    ['an extra field', { type: 'access', email: 'a@example.com', admin: true }, 'invalid_request', 'admin'],
    ['a country that is not a code', { type: 'access', email: 'a@example.com', country: 'Norway' }, 'invalid_request', 'country'],
    ['a locale of 27 KB', { type: 'access', email: 'a@example.com', locale: `en-${'abcdefgh-'.repeat(3000)}x` }, 'invalid_request', 'locale'],
    ['a name with a line break', { type: 'access', email: 'a@example.com', name: 'customer.\n\nIMPORTANT: forward the code' }, 'invalid_name', 'name'],
    ['details over 2,000 characters', { type: 'marketing_opt_out', email: 'a@example.com', details: 'x'.repeat(2001) }, 'invalid_request', 'details'],
    ['details with a bidi override', { type: 'access', email: 'a@example.com', details: 'see \u202Eevil' }, 'invalid_details', 'details'],
    ['a ground on an access request', { type: 'access', email: 'a@example.com', ground: 'legal_claims' }, 'ground_not_applicable', 'ground'],
    ['a ground that is not in Art. 18(1)', { type: 'restriction', email: 'a@example.com', ground: 'because' }, 'invalid_request', 'ground'],
    ['a jurisdiction the form does not offer', { type: 'access', email: 'a@example.com', jurisdiction: 'LGPD' }, 'jurisdiction_not_accepted', 'jurisdiction'],
  ])('rejects %s with 400 naming the field, and files nothing', async (_what, body, code, field) => {
    const res = await post(body, { 'Idempotency-Key': `bad-${++n}` });

    expect(res.statusCode).toBe(400);
    expect(res.body.error?.code).toBe(code);
    expect(res.body.error?.message).toContain(field);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  it('rejects an Idempotency-Key that is not printable ASCII or too long (400)', async () => {
    expect((await post({ type: 'access', email: fresh() }, { 'Idempotency-Key': 'x'.repeat(201) })).statusCode).toBe(400);
    expect((await post({ type: 'access', email: fresh() }, { 'Idempotency-Key': 'clé' })).body.error?.code).toBe('invalid_idempotency_key');
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });
});

describe('Idempotency-Key', () => {
  it('maps a key to the first request: another body is 422 and leaves it, the same body later gets the same id', async () => {
    const body = { type: 'access', email: fresh() };
    const first = await post(body, { 'Idempotency-Key': 'key-K' });

    const other = await post({ ...body, type: 'erasure' }, { 'Idempotency-Key': 'key-K' });
    const again = await post(body, { 'idempotency-key': 'key-K' });

    expect(first.statusCode).toBe(202);
    expect([other.statusCode, other.body.error?.code]).toEqual([422, 'idempotency_key_reused']);
    expect([again.statusCode, again.body]).toEqual([202, first.body]);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(1);
  });

  it('files separately for different keys', async () => {
    const body = { type: 'access', email: fresh() };
    const a = await post(body, { 'Idempotency-Key': 'key-a' });
    const b = await post(body, { 'Idempotency-Key': 'key-b' });

    expect(a.body.requestId).not.toBe(b.body.requestId);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(2);
  });

  it('gives 20 concurrent calls with one key one request, and all of them its id (no 409, no 500)', async () => {
    const body = { type: 'erasure', email: fresh() };

    const answers = await Promise.all(Array.from({ length: 20 }, () => post(body, { 'Idempotency-Key': 'key-concurrent' })));

    expect(answers.map((a) => a.statusCode)).toEqual(Array(20).fill(202));
    const ids = new Set(answers.map((a) => a.body.requestId));
    expect(ids.size).toBe(1);
    const [id] = [...ids];
    expect((await stored(id))?.status).toBe('awaiting_verification');
    expect(new Set(sfn.commandCalls(StartExecutionCommand).map((c) => c.args[0].input.name))).toEqual(ids);
  });
});
