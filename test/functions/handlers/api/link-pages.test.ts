/**
 * The status and download links answer people and programs differently: a browser gets a readable page
 * (what happened, what to do, in the right language), an API client the JSON error it always got.
 */
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { hashToken } from '#commons/tokens';
import type { DownloadItem } from '#domain/requests/model';
import { handler as downloadHandler } from '../../../../functions/handlers/api/download.ts';
import { handler as statusHandler } from '../../../../functions/handlers/api/get-request-status.ts';
import { REQUEST_ID, readOf, requestRecord } from '../../../support/in-memory-context.ts';
import { apiEvent, checked, lambdaContext } from '../support.ts';
import { stubHandlerEnv } from './env.ts';

const docs = mockClient(DynamoDBDocumentClient);

/** What Chromium sends when it follows a link. */
const BROWSER = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';
const download = checked(downloadHandler);
const status = checked(statusHandler);

const dlItem = (extra: Partial<DownloadItem> = {}) => ({
  requestId: REQUEST_ID,
  tokenHash: hashToken('dl'),
  key: `exports/${REQUEST_ID}/access.zip`,
  expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
  ...extra,
});

function given(options: { locale?: string; download?: Partial<DownloadItem> } = {}) {
  docs.reset();
  docs.on(GetCommand).resolves({});
  docs.on(PutCommand).resolves({});
  docs.on(QueryCommand).resolves({ Items: [] });
  docs
    .on(QueryCommand, readOf(REQUEST_ID))
    .resolves({ Items: [requestRecord({ statusTokenHash: hashToken('st'), ...(options.locale ? { locale: options.locale } : {}) })] });
  docs.on(GetCommand, { Key: { pk: `REQ#${REQUEST_ID}`, sk: 'DL' } }).resolves({ Item: dlItem(options.download) });
}

beforeAll(stubHandlerEnv);
beforeEach(() => given());
afterEach(() => docs.reset());

type Handler = typeof download;

async function call(h: Handler, route: string, id: string, token: string | undefined, headers: Record<string, string>) {
  const res = (await h(
    apiEvent({ method: 'GET', path: `${route}/${id}`, pathParameters: { id }, headers, ...(token ? { query: { token } } : {}) }),
    lambdaContext(),
  )) as APIGatewayProxyStructuredResultV2;
  return { status: res.statusCode!, headers: (res.headers ?? {}) as Record<string, string>, body: String(res.body ?? '') };
}

const fromBrowser = (h: Handler, route: string, id: string, token: string | undefined, language: string) =>
  call(h, route, id, token, { accept: BROWSER, 'accept-language': language });
const fromClient = (h: Handler, route: string, id: string, token: string | undefined, accept?: string) =>
  call(h, route, id, token, accept ? { accept } : {});

function expectPage(res: Awaited<ReturnType<typeof call>>, statusCode: number, lang: string, title: string) {
  expect(res.status).toBe(statusCode);
  expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
  expect(res.body).toContain(`<html lang="${lang}">`);
  expect(res.body).toContain(`<h1>${title}</h1>`);
  expect(res.body).not.toMatch(/<script|\sstyle=|\son\w+=/i);
  // Nothing but the site's stylesheet may load; no script at all.
  expect(res.headers['content-security-policy']).toBe(
    "default-src 'none'; style-src https://privacy.example-video.test/assets/style.css; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  );
}

describe('a download link opened in a browser', () => {
  it('says a wrong link is not valid, in the browser’s language, whatever the request’s language (a wrong link tells nothing)', async () => {
    given({ locale: 'nb-NO' });
    expectPage(await fromBrowser(download, '/v1/downloads', REQUEST_ID, 'guess', 'en-GB,en;q=0.9'), 403, 'en-GB', 'This download link is not valid');
    given({ locale: 'en-GB' });
    expectPage(await fromBrowser(download, '/v1/downloads', REQUEST_ID, 'guess', 'nb-NO,nb;q=0.9,en;q=0.5'), 403, 'nb-NO', 'Nedlastingslenken er ikke gyldig');
    const unknown = await fromBrowser(download, '/v1/downloads', 'dsar_unknown0000', 'dl', 'nb');
    expectPage(unknown, 404, 'nb-NO', 'Nedlastingslenken er ikke gyldig');
    expect(unknown.body).toContain('Åpne lenken fra e-posten om at opplysningene dine er klare');
  });

  it('says an expired link expired and the package was deleted, in the request’s language', async () => {
    given({ locale: 'nb-NO', download: { expiresAt: '2020-01-01T00:00:00.000Z' } });
    const nb = await fromBrowser(download, '/v1/downloads', REQUEST_ID, 'dl', 'en-GB');
    expectPage(nb, 410, 'nb-NO', 'Nedlastingslenken er utløpt');
    expect(nb.body).toContain('href="https://privacy.example-video.test/request/?lang=nb"');
    given({ locale: 'en-GB', download: { expiresAt: '2020-01-01T00:00:00.000Z' } });
    const en = await fromBrowser(download, '/v1/downloads', REQUEST_ID, 'dl', 'nb-NO');
    expectPage(en, 410, 'en-GB', 'This download link has expired');
    expect(en.body).toContain('You can make a new request');
  });

  it('says a package the subject’s erasure deleted was deleted for that reason, not that the link expired', async () => {
    given({ locale: 'nb-NO', download: { expiresAt: '2020-01-01T00:00:00.000Z', deletedFor: 'erasure' } });
    expectPage(await fromBrowser(download, '/v1/downloads', REQUEST_ID, 'dl', 'en'), 410, 'nb-NO', 'Pakken ble slettet fordi du ba oss slette opplysningene dine');
    given({ download: { expiresAt: '2020-01-01T00:00:00.000Z', deletedFor: 'erasure' } });
    const en = await fromBrowser(download, '/v1/downloads', REQUEST_ID, 'dl', 'en');
    expectPage(en, 410, 'en-GB', 'This package was deleted because you asked us to erase your data');
    expect(en.body).toContain('make a new request for access');
  });

  it('still downloads with a good link', async () => {
    const res = await fromBrowser(download, '/v1/downloads', REQUEST_ID, 'dl', 'nb');
    expect(res.status).toBe(302);
    expect(res.headers.location).toContain(`exports/${REQUEST_ID}/access.zip`);
  });

  it('answers a readable page, not a crash, when something fails on our side', async () => {
    docs.on(GetCommand, { Key: { pk: `REQ#${REQUEST_ID}`, sk: 'DL' } }).rejects(new Error('throttled'));
    expectPage(await fromBrowser(download, '/v1/downloads', REQUEST_ID, 'dl', 'nb'), 500, 'nb-NO', 'Vi kunne ikke sjekke lenken din');
  });
});

describe('a download link called by a program', () => {
  it('answers JSON with the reason’s code for Accept: application/json and when no preference is stated', async () => {
    given({ download: { expiresAt: '2020-01-01T00:00:00.000Z' } });
    for (const accept of ['application/json', undefined, '*/*']) {
      const res = await fromClient(download, '/v1/downloads', REQUEST_ID, 'dl', accept);
      expect(res.status).toBe(410);
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(JSON.parse(res.body).error.code).toBe('link_expired');
    }
    given({ download: { deletedFor: 'erasure', expiresAt: '2020-01-01T00:00:00.000Z' } });
    expect(JSON.parse((await fromClient(download, '/v1/downloads', REQUEST_ID, 'dl', 'application/json')).body).error.code).toBe('deleted_by_erasure');
    // JSON wins when a client lists both.
    expect((await fromClient(download, '/v1/downloads', REQUEST_ID, 'guess', 'application/json, text/html')).headers['content-type']).toContain('application/json');
  });
});

describe('a status link', () => {
  it('sends a browser with a good token on to the status page, and answers a program the JSON status', async () => {
    const page = await fromBrowser(status, '/v1/requests', REQUEST_ID, 'st', 'nb');
    expect(page.status).toBe(303);
    expect(page.headers.location).toBe(`https://privacy.example-video.test/request/status?id=${REQUEST_ID}&token=st`);
    const json = await fromClient(status, '/v1/requests', REQUEST_ID, 'st', 'application/json');
    expect(json.status).toBe(200);
    expect(JSON.parse(json.body)).toMatchObject({ requestId: REQUEST_ID, status: 'awaiting_verification' });
  });

  it('tells a browser a wrong or unknown status link is not valid, in its language, and a program the JSON error', async () => {
    expectPage(await fromBrowser(status, '/v1/requests', REQUEST_ID, 'nope', 'nb-NO'), 403, 'nb-NO', 'Lenken er ikke gyldig');
    expectPage(await fromBrowser(status, '/v1/requests', 'dsar_unknown0000', 'st', 'en'), 404, 'en-GB', 'This link is not valid');
    const json = await fromClient(status, '/v1/requests', REQUEST_ID, 'nope', 'application/json');
    expect([json.status, JSON.parse(json.body).error.code]).toEqual([403, 'invalid_token']);
  });
});
