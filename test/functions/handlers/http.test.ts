import { afterEach, describe, expect, it, vi } from 'vitest';
import { logger } from '#commons/observability';
import { z } from 'zod';
import { RequestError, conflict } from '#commons/errors';
import { RequestNotFound } from '#domain/requests/repository';
import { MAX_BODY_BYTES, decimalInteger, httpHandler, redactEmails, requestIdFrom, staffFromEvent } from '../../../functions/handlers/http.ts';
import { answer, apiEvent, lambdaContext, offContract } from './support.ts';

const body = z.strictObject({ email: z.email(), count: z.number().int().optional() });
const echo = httpHandler({ body }, async ({ body: b }) => ({ status: 200, body: { got: b } }));
// The shared middleware, on made-up routes: these answers are not the API's, so no contract applies.
const call = async (h: typeof echo, init: Parameters<typeof apiEvent>[0]) => answer(await offContract(h)(apiEvent(init), lambdaContext()));

describe('httpHandler: bodies', () => {
  it('parses a JSON body and answers with it', async () => {
    const res = await call(echo, { body: '{"email":"a@example.com"}' });

    expect(res.statusCode).toBe(200);
    expect(res.body).toEqual({ got: { email: 'a@example.com' } });
  });

  it('reads a base64-encoded body', async () => {
    const res = await call(echo, { body: Buffer.from('{"email":"b@example.com"}').toString('base64'), base64: true });

    expect(res.body).toEqual({ got: { email: 'b@example.com' } });
  });

  it('answers 400 malformed_json for a body that is not JSON', async () => {
    const res = await call(echo, { body: '{"email": ' });

    expect(res.statusCode).toBe(400);
    expect(res.body.error?.code).toBe('malformed_json');
  });

  it('answers 413 for a body over 64 KiB, before parsing it', async () => {
    const res = await call(echo, { body: `{"email":"${'a'.repeat(MAX_BODY_BYTES)}"}` });

    expect(MAX_BODY_BYTES).toBe(65_536);
    expect(res.statusCode).toBe(413);
    expect(res.body.error?.code).toBe('body_too_large');
  });

  it('answers 415 for a body that is not application/json', async () => {
    const res = await call(echo, { body: 'email=a@example.com', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });

    expect(res.statusCode).toBe(415);
    expect(res.body.error?.code).toBe('unsupported_media_type');
  });

  it.each(['Application/JSON; charset=utf-8', 'application/json;charset=UTF-8', 'application/json; charset="utf-8"', 'application/json'])(
    'accepts the content type %j',
    async (type) => {
      const res = await call(echo, { body: '{"email":"a@example.com"}', headers: { 'Content-Type': type } });

      expect(res.statusCode).toBe(200);
    },
  );

  it.each(['application/json-seq', 'application/json; charset=utf-16', 'application/jsonx', 'application/json, text/plain', 'application/json; foo=bar', 'text/json'])(
    'answers 415 with a message for the content type %j',
    async (type) => {
      const res = await call(echo, { body: '{"email":"a@example.com"}', headers: { 'Content-Type': type } });

      expect(res.statusCode).toBe(415);
      expect(res.body.error).toMatchObject({ code: 'unsupported_media_type', message: expect.stringContaining('application/json') });
    },
  );

  it('answers 400 invalid_request naming the field for a schema violation', async () => {
    const res = await call(echo, { body: '{"email":"nope","count":1.5}' });

    expect(res.statusCode).toBe(400);
    expect(res.body.error?.code).toBe('invalid_request');
    expect(res.body.error?.message).toMatch(/email: /);
    expect(res.body.error?.message).toMatch(/count: /);
    expect(res.body.error?.details?.issues).toHaveLength(2);
  });

  it('answers 400 for an unknown field', async () => {
    const res = await call(echo, { body: '{"email":"a@example.com","admin":true}' });

    expect(res.statusCode).toBe(400);
    expect(res.body.error?.message).toContain('admin');
  });
});

describe('httpHandler: errors', () => {
  afterEach(() => vi.restoreAllMocks());
  const failing = (err: unknown) => httpHandler({}, async () => {
    throw err;
  });

  it('maps a RequestError to its status, code and message', async () => {
    const res = await call(failing(conflict('wrong_state', 'request is denied')), {});

    expect(res.statusCode).toBe(409);
    expect(res.body).toEqual({ error: { code: 'wrong_state', message: 'request is denied' } });
  });

  it('maps RequestNotFound to 404', async () => {
    const res = await call(failing(new RequestNotFound('request dsar_x does not exist')), {});

    expect(res.statusCode).toBe(404);
    expect(res.body.error?.code).toBe('not_found');
  });

  it('answers 500 with a generic message that says nothing about the cause', async () => {
    const err = new Error('ConnectionRefused to dynamodb.internal:8000 table dsar-prod secret');
    err.stack = 'Error: at secretFunction (/var/task/index.js:1:1)';

    const res = await call(failing(err), {});

    expect(res.statusCode).toBe(500);
    expect(res.body.error?.code).toBe('internal_error');
    const text = JSON.stringify(res.body);
    expect(text).not.toMatch(/ConnectionRefused|dsar-prod|secretFunction|dynamodb/);
  });

  it('logs an unexpected error by its name and a message with email addresses redacted', async () => {
    const logged = vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    const err = new Error('Email address is not verified. The following identities failed the check in region EU-NORTH-1: Alice.Andersen+dsar@Example.com, <bob@example.org>');
    err.name = 'MessageRejected';

    const res = await call(failing(err), {});

    expect(res.statusCode).toBe(500);
    expect(logged).toHaveBeenCalledTimes(1);
    const text = JSON.stringify(logged.mock.calls[0]);
    expect(text).toContain('MessageRejected');
    expect(text).toContain('Email address is not verified');
    expect(text).not.toMatch(/Alice\.Andersen|Example\.com|bob@|example\.org/i);
  });

  it.each([
    ['IdempotencyValidationError', 422],
    ['IdempotencyAlreadyInProgressError', 409],
  ])('maps %s to %i', async (name, status) => {
    const err = new Error('x');
    err.name = name;

    expect((await call(failing(err), {})).statusCode).toBe(status);
  });

  it('sends the security headers on success and on error', async () => {
    const ok = await call(echo, { body: '{"email":"a@example.com"}' });
    const bad = await call(echo, { body: '{' });

    for (const res of [ok, bad]) {
      expect(res.headers).toMatchObject({
        'content-type': 'application/json; charset=utf-8',
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
        'strict-transport-security': expect.stringContaining('max-age='),
        'referrer-policy': 'no-referrer',
        'content-security-policy': expect.stringContaining("default-src 'none'"),
      });
    }
  });
});

describe('httpHandler: staff', () => {
  const approverOnly = httpHandler({ staffRole: 'approver' }, async ({ staff }) => ({ status: 200, body: staff }));
  const viewerRoute = httpHandler({ staffRole: 'viewer' }, async ({ staff }) => ({ status: 200, body: staff }));

  it('reads roles from the "[approver viewer]" string API Gateway makes of an array claim', () => {
    const staff = staffFromEvent(apiEvent({ claims: { sub: 'u1', email: 'dana@example.test', 'cognito:groups': '[approver viewer]' } }));

    expect(staff).toEqual({ id: 'dana@example.test', roles: ['approver', 'viewer'] });
  });

  it('reads roles from an array claim, ignoring groups that are not roles', () => {
    const staff = staffFromEvent(apiEvent({ claims: { sub: 'u1', 'cognito:username': 'dana', 'cognito:groups': ['viewer', 'admins'] } }));

    expect(staff).toEqual({ id: 'dana', roles: ['viewer'] });
  });

  it('has no staff without a sub claim', () => {
    expect(staffFromEvent(apiEvent({ claims: { email: 'x@example.test' } }))).toBeUndefined();
    expect(staffFromEvent(apiEvent({}))).toBeUndefined();
  });

  it('answers 401 without claims', async () => {
    const res = await call(approverOnly, {});

    expect(res.statusCode).toBe(401);
    expect(res.body.error?.code).toBe('unauthorized');
  });

  it('answers 403 when a viewer calls an approver route', async () => {
    const res = await call(approverOnly, { claims: { sub: 'u1', 'cognito:groups': '[viewer]' } });

    expect(res.statusCode).toBe(403);
    expect(res.body.error?.code).toBe('role_required');
  });

  it('answers 403 to a signed-in user with no role', async () => {
    expect((await call(viewerRoute, { claims: { sub: 'u1' } })).statusCode).toBe(403);
  });

  it('lets an approver use viewer routes and passes the staff identity on', async () => {
    const res = await call(viewerRoute, { claims: { sub: 'u1', email: 'dana@example.test', 'cognito:groups': '[approver]' } });

    expect(res.statusCode).toBe(200);
    expect(res.body).toEqual({ id: 'dana@example.test', roles: ['approver'] });
  });
});

describe('redactEmails', () => {
  it('replaces every address and leaves the rest of the text', () => {
    expect(redactEmails('to a@b.co and "x.y+z@sub.example.org"; at @mention or user@ end')).toBe(
      'to [email redacted] and "[email redacted]"; at @mention or user@ end',
    );
  });
});

describe('httpHandler: path parameters', () => {
  const byId = httpHandler({}, async ({ path }) => ({ status: 200, body: { id: requestIdFrom(path) } }));

  it.each([
    ['a % that starts no valid escape', 'dsar_%E0%A4%A'],
    ['a stray %', 'dsar_%zz'],
    ['a lone surrogate', 'dsar_\uD800abc'],
    ['a replacement character a lenient decoder left', 'dsar_\uFFFDabc'],
  ])('answers 400 malformed_path with a message for %s', async (_, id) => {
    const res = await call(byId, { method: 'GET', pathParameters: { id } });

    expect(res.statusCode).toBe(400);
    expect(res.body.error).toEqual({ code: 'malformed_path', message: 'the path holds a malformed percent-encoding' });
  });

  it('passes a well-formed parameter on', async () => {
    expect((await call(byId, { method: 'GET', pathParameters: { id: 'dsar_abc12345' } })).body).toEqual({ id: 'dsar_abc12345' });
  });
});

describe('decimalInteger', () => {
  const year = decimalInteger(2000, 2100, 'year must be a four-digit year');

  it('reads decimal digits', () => {
    expect(year.parse('2024')).toBe(2024);
  });

  it.each(['0x7e8', '2.024e3', ' 2024', '2024 ', '+2024', '', '0b11111101000', '2024.0', '1999', '2101'])('refuses %j', (text) => {
    const parsed = year.safeParse(text);

    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.message).toBe('year must be a four-digit year');
  });
});

describe('requestIdFrom', () => {
  it('accepts a request id and answers 404 for anything else', () => {
    expect(requestIdFrom({ id: 'dsar_abc12345' })).toBe('dsar_abc12345');
    expect(() => requestIdFrom({ id: '../etc/passwd' })).toThrow(RequestError);
    expect(() => requestIdFrom({})).toThrow(expect.objectContaining({ status: 404 }));
  });
});
