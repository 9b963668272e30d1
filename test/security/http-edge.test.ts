/**
 * The HTTP edge and the package, attacked on the real embedded runtime: a formula smuggled into a CSV
 * row by a connector value, malformed paths, a large anonymous body on a staff route, the adapter's own
 * answers without security headers, loose content types, an assign without a body, hex numbers in
 * query strings.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request, type IncomingHttpHeaders } from 'node:http';
import { parse } from 'csv-parse/sync';
import { startTestRuntime, type TestRuntime } from '../support/runtime.ts';
import { unzipToText } from '../support/zip.ts';
import { BOB } from '../../infra/local/demo/people.ts';
import { SECURITY_HEADERS } from '../../functions/handlers/http.ts';
import { releasePackage } from '../support/release.ts';

let rt: TestRuntime;

beforeAll(async () => {
  rt = await startTestRuntime({ crowd: 20 });
});
afterAll(async () => {
  await rt?.cleanup();
});

function expectSecurityHeaders(get: (name: string) => string | null | undefined) {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
    if (name !== 'content-type') expect(get(name), name).toBe(value);
  }
}

/** Sends the headers and the first bytes of a body, then waits for the answer before sending more. */
function sendPartly(path: string, headers: Record<string, string | number>, first: number) {
  const { port } = new URL(rt.apiUrl);
  return new Promise<{ status: number; headers: IncomingHttpHeaders; sentBeforeAnswer: number }>((resolve, reject) => {
    let sent = 0;
    const req = request({ host: '127.0.0.1', port: Number(port), method: 'POST', path, headers }, (res) => {
      const answer = { status: res.statusCode!, headers: res.headers, sentBeforeAnswer: sent };
      res.resume();
      res.on('end', () => {
        req.destroy();
        resolve(answer);
      });
    });
    req.on('error', (err) => (sent < first ? reject(err) : undefined));
    req.write(Buffer.alloc(first, 0x7b));
    sent = first;
  });
}

// Numbers are written as they are (a negative amount starts with "-"): a number cannot hold a formula.
const NUMBER = /^-?\d+(\.\d+)?(e[+-]?\d+)?$/i;

/** Reads a CSV as a spreadsheet program does: a bare \n or \r outside quotes ends a row. */
const readCsv = (text: string) => parse(text, { bom: true, record_delimiter: ['\r\n', '\n', '\r'], relax_column_count: true }) as string[][];

describe('a formula behind a line break in a connector value', () => {
  const HOSTILE = "Preferred customer\n=cmd|' /C calc'!A0";

  it('stays inside one quoted cell of the package CSV, so no row starts with a formula', async () => {
    // The company's own Stripe account holds the value (the sandbox's API, as any Stripe user could write it).
    const stripe = rt.sandboxControl;
    const customer = [...stripe.stores.stripe.customers.values()].find((c) => String(c.email).toLowerCase() === BOB.email)!;
    const updated = await fetch(`${stripe.urls.stripe}/v1/customers/${customer.id as string}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stripe.credentials.stripe!.secret_key}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ description: HOSTILE }).toString(),
    });
    expect(updated.status).toBe(200);

    const id = await rt.fileAndVerify(BOB.email, 'access');
    await rt.approve(id, 'access');
    // Staff release the package (release: staff, the example's setting), finding nothing to withhold.
    await releasePackage(rt, id);
    expect((await rt.waitForStatus(id, ['completed', 'awaiting_staff'], 60_000)).request.status).toBe('completed');
    const mail = await rt.waitForMail(BOB.email, 'Your data is ready');
    const link = /(http:\/\/\S+\/v1\/downloads\/\S+)/.exec(mail.body.text!)![1]!;
    const presigned = (await fetch(link, { redirect: 'manual' })).headers.get('location')!;
    const files = await unzipToText(Buffer.from(await (await fetch(presigned)).arrayBuffer()));

    const data = JSON.parse(files.get('data.json')!);
    const csvs = [...files.keys()].filter((name) => name.endsWith('.csv'));
    expect(csvs.length).toBeGreaterThan(0);
    let found = 0;
    let dataRows = 0;
    for (const name of csvs) {
      const rows = readCsv(files.get(name)!);
      dataRows += rows.length - 1;
      for (const row of rows) {
        for (const cell of row) {
          if (!NUMBER.test(cell)) expect(cell, `${name}: ${JSON.stringify(cell)}`).not.toMatch(/^[=+\-@\t\r]/);
          if (cell === HOSTILE) found++;
        }
      }
    }
    expect(found).toBe(1);
    // One row per record (plus a header per file): no value was split into extra rows.
    const records = data.systems.flatMap((s: any) => s.objects).reduce((n: number, o: any) => n + o.records.length, 0);
    expect(dataRows).toBe(records);
  }, 120_000);
});

describe('paths', () => {
  it('answers 400 with a message for a malformed percent-encoding, on public and staff routes', async () => {
    const subject = await rt.api('GET', '/v1/requests/dsar_%E0%A4%A');
    const staff = await rt.api('GET', '/v1/admin/requests/dsar_%E0%A4%A', { token: rt.staffToken });

    for (const res of [subject, staff]) {
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ error: { code: 'malformed_path', message: 'the path holds a malformed percent-encoding' } });
      expectSecurityHeaders((n) => res.headers.get(n));
    }
  });
});

describe('order of checks on staff routes', () => {
  it('answers 401 to a 10 MB body without a token before the client has sent it', async () => {
    const TEN_MB = 10 * 1024 * 1024;

    const res = await sendPartly('/v1/admin/requests/dsar_abc12345/cancel', { 'content-type': 'application/json', 'content-length': TEN_MB }, 16 * 1024);

    expect(res.status).toBe(401);
    expect(res.sentBeforeAnswer).toBe(16 * 1024);
    expectSecurityHeaders((n) => res.headers[n] as string | undefined);
  });

  it('answers 413 to an oversized body before reading it', async () => {
    const res = await sendPartly('/v1/requests', { 'content-type': 'application/json', 'content-length': 10 * 1024 * 1024 }, 0);

    expect(res.status).toBe(413);
    expectSecurityHeaders((n) => res.headers[n] as string | undefined);
  });
});

describe('the adapter\'s own answers', () => {
  it.each([
    ['401 without a token', 'GET', '/v1/admin/requests', 401],
    ['404 for an unknown API path', 'GET', '/v1/nothing', 404],
    ['405 for a method the route does not have', 'DELETE', '/v1/requests', 405],
  ])('carry the security headers: %s', async (_, method, path, status) => {
    // The 404 and 405 probe routes the document does not have, on purpose.
    const res = await rt.api(method, path, { undocumented: status !== 401 });

    expect(res.status).toBe(status);
    expectSecurityHeaders((n) => res.headers.get(n));
  });
});

describe('strict input', () => {
  const filing = JSON.stringify({ type: 'access', email: 'strict-input@example.com' });

  it.each(['application/json-seq', 'application/json; charset=utf-16', 'text/plain'])('answers 415 with a message to the content type %j', async (type) => {
    const res = await rt.api('POST', '/v1/requests', { raw: filing, headers: { 'content-type': type } });

    expect(res.status).toBe(415);
    expect(res.body.error).toMatchObject({ code: 'unsupported_media_type', message: expect.stringContaining('application/json') });
  });

  describe('assign', () => {
    let id: string;
    beforeAll(async () => {
      const filed = await rt.api('POST', '/v1/requests', { raw: filing, headers: { 'content-type': 'Application/JSON; charset=UTF-8' } });
      expect(filed.status).toBe(202);
      id = filed.body.requestId;
    });
    const audit = async () => ((await rt.api('GET', `/v1/admin/requests/${id}`, { token: rt.staffToken })).body.audit as Array<{ action: string }>).map((a) => a.action);

    it('answers 400 to an empty body and to a null body, and writes nothing', async () => {
      const empty = await rt.api('POST', `/v1/admin/requests/${id}/assign`, { token: rt.staffToken });
      const nul = await rt.api('POST', `/v1/admin/requests/${id}/assign`, { token: rt.staffToken, raw: 'null' });

      for (const res of [empty, nul]) {
        expect(res.status).toBe(400);
        expect(res.body.error.message).toContain('assignee is required');
      }
      expect(await audit()).not.toContain('request.unassigned');
    });

    it('assigns, and hands the request back only when asked with assignee null', async () => {
      const assigned = await rt.api('POST', `/v1/admin/requests/${id}/assign`, { token: rt.staffToken, body: { assignee: 'dana@example-video.test' } });
      const back = await rt.api('POST', `/v1/admin/requests/${id}/assign`, { token: rt.staffToken, body: { assignee: null } });

      expect(assigned.status).toBe(200);
      expect(back.status).toBe(200);
      expect(await audit()).toEqual(expect.arrayContaining(['request.assigned', 'request.unassigned']));
    });
  });

  it('reads query numbers as decimal digits only', async () => {
    const hex = await rt.api('GET', '/v1/admin/metrics?year=0x7e8', { token: rt.staffToken });
    const decimal = await rt.api('GET', '/v1/admin/metrics?year=2024', { token: rt.staffToken });
    const hexLimit = await rt.api('GET', '/v1/admin/requests?limit=0x10', { token: rt.staffToken });

    expect(hex.status).toBe(400);
    expect(hex.body.error).toEqual({ code: 'invalid_year', message: 'year must be a four-digit year such as 2026' });
    expect(decimal.status).toBe(200);
    expect(hexLimit.status).toBe(400);
    expect(hexLimit.body.error.message).toContain('limit is a whole number');
  });
});
