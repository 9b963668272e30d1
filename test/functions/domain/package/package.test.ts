import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import yauzl from 'yauzl';
import { parse } from 'csv-parse/sync';
import { connectorName, parseConfig, type DsarConfig } from '#commons/config';
import type { DataRecord } from '#connectors/types';
import type { AssembleResult } from '#domain/package/types';
import { StagingWriter } from '../../../../functions/domain/staging/index.ts';
import { assemblePackage, DATA_SCHEMA_ID, type AssembleInput, type PackageSource } from '../../../../functions/domain/package/index.ts';
import shippedSchema from '../../../../functions/domain/package/data.schema.json' with { type: 'json' };
import { s3rverClient, startS3rver, type S3rverHandle } from '../../../support/s3rver.ts';

const STAGING = 'dsar-staging';
const EXPORTS = 'dsar-exports';
const NOW = new Date('2026-03-10T09:30:00Z');

const config: DsarConfig = parseConfig({
  organisation: {
    name: 'Example Video AS',
    address: 'Eksempelgata 1, 0150 Oslo, Norway',
    country: 'NO',
    timezone: 'Europe/Oslo',
    dpo: { name: 'Data Protection Officer', email: 'privacy@example-video.test' },
    privacyNoticeUrl: 'https://example-video.test/privacy',
  },
  supervisoryAuthority: { name: 'Datatilsynet', address: 'PO Box 8177, 0034 Oslo, Norway', url: 'https://www.datatilsynet.no/' },
  privacyNotice: {
    purposes: ['Operating and delivering the service'],
    categories: ['Contact details', 'Call history'],
    recipients: [
      { name: 'Stripe', role: 'processor', purpose: 'payments', country: 'US', thirdCountry: true },
      { name: 'Authorised resale partners', role: 'third party', purpose: 'delivering the service' },
    ],
    retention: ['Call history: two years by default.'],
    sources: ['You, directly, when you sign up.'],
    transfers: 'Transfers to the US rely on the EU-US Data Privacy Framework and standard contractual clauses.',
    automatedDecisions: 'We make no decisions about you by automated means alone.',
    rights: 'Write to privacy@example-video.test to exercise your rights.',
  },
  jurisdictions: { default: 'GDPR', defaultCountry: 'NO' },
  email: {
    from: 'privacy@example-video.test',
    staff: ['dpo@example-video.test'],
    publicBaseUrl: 'https://privacy.example-video.test',
    consoleBaseUrl: 'https://console.example-video.test',
  },
  connectors: [
    {
      id: 'accounts',
      kind: 'dynamodb',
      displayName: 'Account store',
      tableName: 'accounts',
      objectName: 'account',
      lookup: { partitionKey: 'email' },
      keyAttributes: ['id'],
      objects: {
        account: {
          category: 'Contact details',
          origin: 'provided',
          fieldOrigins: { churnRisk: 'inferred', 'address.geo': 'derived', lastLoginIp: 'observed' },
        },
      },
    },
    {
      id: 'calls',
      kind: 's3',
      displayName: 'Call history',
      bucket: 'calls-bucket',
      prefixTemplate: 'users/{subjectKey}/',
      subjectKey: { from: 'email' },
      objectName: 'call',
      objects: { call: { category: 'Call history', origin: 'observed' } },
    },
    {
      id: 'analytics',
      kind: 'google-analytics',
      displayName: 'Google Analytics',
      baseUrl: 'https://analytics.example.test',
      credentials: 'ga',
      objects: {
        events: { category: 'Usage data', origin: 'observed', fieldOrigins: { predictedChurn: 'inferred' } },
        segments: { category: 'Profiling', origin: 'inferred' },
        scores: { category: 'Profiling', origin: 'derived', fieldOrigins: { declaredInterest: 'provided' } },
      },
    },
    { id: 'hubspot', kind: 'hubspot', displayName: 'HubSpot', baseUrl: 'https://hubspot.example.test', credentials: 'hs' },
    { id: 'salesforce', kind: 'salesforce', displayName: 'Salesforce', baseUrl: 'https://sf.example.test', credentials: 'sf' },
  ],
});

const CALLS = 650; // more than the report shows per object
// Titles a connector could hand back: a formula, and formulas behind a line break that would start a row.
const HOSTILE_TITLES: Record<number, string> = {
  3: '@SUM(1+1)',
  4: "x\n=cmd|' /C calc'!A0",
  5: 'y\r+HYPERLINK("http://evil.test")',
  6: 'z\r\n-2+3',
};
const staged: Record<string, DataRecord[]> = {
  accounts: [
    {
      object: 'account',
      id: 'acc-1',
      data: {
        name: '<script>alert("x")</script> Alice',
        email: 'alice@example.com',
        note: '=HYPERLINK("http://evil.test","click")',
        phone: '+4712345678',
        churnRisk: 0.82,
        lastLoginIp: '192.0.2.1',
        address: { city: 'Oslo', geo: { lat: 59.9, lon: 10.7 }, lines: ['Eksempelgata 1', '0150'] },
      },
    },
  ],
  calls: Array.from({ length: CALLS }, (_, i) => ({
    object: 'call',
    id: `call-${i}`,
    data: { startedAt: `2026-01-01T10:${String(i % 60).padStart(2, '0')}:00Z`, durationSeconds: i, participants: ['bob@example.com'], title: HOSTILE_TITLES[i] ?? `Call ${i}` },
  })),
  analytics: [
    { object: 'events', id: 'ev-1', data: { page: '/pricing', predictedChurn: 'high' } },
    { object: 'events', id: 'ev-2', data: { page: '/signup' } },
    { object: 'segments', id: 'seg-1', data: { segment: 'likely buyer' } },
    { object: 'segments', id: 'seg-2', data: { segment: 'power user' }, origin: 'observed' },
    { object: 'scores', id: 'sc-1', data: { score: 91, declaredInterest: 'video' } },
    { object: 'scores', id: 'sc-2', data: { score: 12 } },
    { object: '../../etc/passwd', id: 'odd-1', data: { x: 'y' } },
  ],
};

let s3rver: S3rverHandle;
const sources: PackageSource[] = [];

beforeAll(async () => {
  s3rver = await startS3rver({ buckets: [STAGING, EXPORTS] });
  for (const [connectorId, records] of Object.entries(staged)) {
    const writer = new StagingWriter({ s3: s3rver.s3, bucket: STAGING, requestId: 'dsar_pkg', connectorId });
    for (const r of records) await writer.write(r);
    const result = await writer.close();
    sources.push({
      connectorId,
      displayName: connectorName(config, connectorId),
      objects: Object.entries(result.stagingKeys).map(([object, stagingKey]) => ({ object, stagingKey, count: result.objects[object]! })),
    });
  }
  // HubSpot ran and found nothing.
  sources.push({ connectorId: 'hubspot', displayName: 'HubSpot', objects: [] });
});

afterAll(async () => {
  await s3rver.close();
});

function input(type: 'access' | 'portability', key: string, overrides: Partial<AssembleInput> = {}): AssembleInput {
  return {
    s3: s3rver.s3,
    stagingBucket: STAGING,
    exportsBucket: EXPORTS,
    key,
    request: {
      requestId: 'dsar_pkg',
      type,
      receivedDate: '2026-03-01',
      dueDate: '2026-04-01',
      jurisdiction: 'GDPR',
      subject: { email: 'alice@example.com', name: 'Alice Example' },
    },
    config,
    sources,
    missing: [{ connectorId: 'salesforce', displayName: 'Salesforce', reason: 'The Salesforce API was unavailable; accepted by staff on 2026-03-09.' }],
    now: NOW,
    ...overrides,
  };
}

/** Reads every entry of a ZIP from the exports bucket (small test packages only). */
async function readZip(key: string): Promise<Map<string, string>> {
  const res = await s3rver.s3.send(new GetObjectCommand({ Bucket: EXPORTS, Key: key }));
  const buffer = Buffer.from(await res.Body!.transformToByteArray());
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(buffer, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err);
      const out = new Map<string, string>();
      zip.on('entry', (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (e, stream) => {
          if (e || !stream) return reject(e);
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            const content = Buffer.concat(chunks);
            // Entries are deflated before the ZIP is written, so their CRC-32 is ours to get right: unzip checks it.
            if (crc32(content) !== entry.crc32) return reject(new Error(`${entry.fileName}: stored CRC-32 does not match its content`));
            if (entry.compressionMethod !== 8) return reject(new Error(`${entry.fileName}: not deflated`));
            out.set(entry.fileName, content.toString('utf8'));
            zip.readEntry();
          });
        });
      });
      zip.on('end', () => resolve(out));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

/**
 * Reads a CSV as a spreadsheet program does: a bare `\n` or `\r` outside quotes ends a row too, so a
 * field the writer left unquoted with a line break in it shows up here as an extra row.
 */
function parseCsv(text: string): string[][] {
  return parse(text, { bom: true, record_delimiter: ['\r\n', '\n', '\r'], relax_column_count: true }) as string[][];
}

type Schema = { [k: string]: unknown };
/** The subset of JSON Schema 2020-12 the shipped schema uses: type, required, properties, items, const, enum, $ref, additionalProperties. */
function validate(schema: Schema, value: unknown, root: Schema, path = '$'): string[] {
  if (typeof schema.$ref === 'string') {
    const target = schema.$ref.replace('#/', '').split('/').reduce<unknown>((s, k) => (s as Schema)[k], root);
    return validate(target as Schema, value, root, path);
  }
  const errors: string[] = [];
  const type = schema.type;
  const typeOf = Array.isArray(value) ? 'array' : value === null ? 'null' : Number.isInteger(value) ? 'integer' : typeof value;
  if (type && !(type === typeOf || (type === 'number' && typeOf === 'integer'))) return [`${path}: expected ${String(type)}, got ${typeOf}`];
  if ('const' in schema && schema.const !== value) errors.push(`${path}: expected ${String(schema.const)}`);
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) errors.push(`${path}: ${String(value)} not in enum`);
  if (typeOf === 'object') {
    const obj = value as Record<string, unknown>;
    for (const k of (schema.required as string[] | undefined) ?? []) if (!(k in obj)) errors.push(`${path}: missing ${k}`);
    const props = (schema.properties as Record<string, Schema> | undefined) ?? {};
    for (const [k, v] of Object.entries(obj)) {
      if (props[k]) errors.push(...validate(props[k], v, root, `${path}.${k}`));
      else if (schema.additionalProperties === false) errors.push(`${path}: unexpected ${k}`);
    }
  }
  if (typeOf === 'array' && schema.items) (value as unknown[]).forEach((v, i) => errors.push(...validate(schema.items as Schema, v, root, `${path}[${i}]`)));
  return errors;
}

interface ExportJson {
  schema: string;
  generatedAt: string;
  request: { requestId: string; type: string; subject: { email: string } };
  systems: Array<{ connectorId: string; displayName: string; objects: Array<{ object: string; category: string; origin: string; count: number; records: Array<{ id: string; data: Record<string, unknown> }> }> }>;
  notIncluded: Array<{ connectorId: string; reason: string }>;
}

describe('assemblePackage for an access request', () => {
  let files: Map<string, string>;
  let result: AssembleResult;

  beforeAll(async () => {
    result = await assemblePackage(input('access', 'exports/dsar_pkg/access.zip', { sse: 'AES256' }));
    files = await readZip(result.key);
  });

  it('uploads one ZIP with the report, data.json, schema.json, a CSV per object and a README', async () => {
    expect([...files.keys()]).toEqual(result.files);
    expect(result.files).toEqual([
      'report.html',
      'data.json',
      'schema.json',
      'csv/accounts/account.csv',
      'csv/calls/call.csv',
      'csv/analytics/events.csv',
      'csv/analytics/segments.csv',
      'csv/analytics/scores.csv',
      'csv/analytics/etc_passwd.csv',
      'README.txt',
    ]);
    const head = await s3rver.s3.send(new HeadObjectCommand({ Bucket: EXPORTS, Key: result.key }));
    expect(head.ContentLength).toBe(result.bytes);
    expect(head.ContentType).toBe('application/zip');
    expect(result.records).toBe(1 + CALLS + 7);
  });

  it('keeps every file name inside the ZIP whatever the object is called', () => {
    for (const name of files.keys()) {
      expect(name.startsWith('/')).toBe(false);
      expect(name.split('/')).not.toContain('..');
    }
  });

  it('writes a data.json that follows the shipped schema and holds every staged record exactly once', () => {
    const data = JSON.parse(files.get('data.json')!) as ExportJson;
    expect(validate(shippedSchema as Schema, data, shippedSchema as Schema)).toEqual([]);
    expect(data.schema).toBe(DATA_SCHEMA_ID);
    expect((shippedSchema as Schema).$id).toBe(DATA_SCHEMA_ID);
    expect(JSON.parse(files.get('schema.json')!)).toEqual(shippedSchema);
    expect(data.generatedAt).toBe(NOW.toISOString());
    expect(data.request).toMatchObject({ requestId: 'dsar_pkg', type: 'access', subject: { email: 'alice@example.com' } });

    for (const [connectorId, records] of Object.entries(staged)) {
      const system = data.systems.find((s) => s.connectorId === connectorId)!;
      for (const r of records) {
        const object = system.objects.find((o) => o.object === r.object)!;
        const matches = object.records.filter((x) => x.id === r.id);
        expect(matches).toHaveLength(1);
        expect(matches[0]!.data).toEqual(r.data);
      }
    }
    const calls = data.systems.find((s) => s.connectorId === 'calls')!.objects[0]!;
    expect(calls).toMatchObject({ object: 'call', category: 'Call history', origin: 'observed', count: CALLS });
    const odd = data.systems.find((s) => s.connectorId === 'analytics')!.objects.find((o) => o.object === '../../etc/passwd')!;
    expect(odd).toMatchObject({ category: 'Google Analytics', origin: 'provided', count: 1 });
    expect(data.systems.find((s) => s.connectorId === 'hubspot')!.objects).toEqual([]);
    expect(data.notIncluded).toEqual([expect.objectContaining({ connectorId: 'salesforce' })]);
  });

  it('writes every staged record once into its CSV, with flattened columns and the id first', () => {
    for (const [connectorId, records] of Object.entries(staged)) {
      const byObject = Map.groupBy(records, (r) => r.object);
      for (const [object, objectRecords] of byObject) {
        const name = object === '../../etc/passwd' ? 'etc_passwd' : object;
        const rows = parseCsv(files.get(`csv/${connectorId}/${name}.csv`)!);
        expect(rows[0]![0]).toBe('id');
        const ids = rows.slice(1).map((r) => r[0]);
        expect(ids.sort()).toEqual(objectRecords.map((r) => r.id).sort());
      }
    }
    const [header, row] = parseCsv(files.get('csv/accounts/account.csv')!);
    const cell = (column: string) => row![header!.indexOf(column)];
    expect(header).toEqual(['id', 'name', 'email', 'note', 'phone', 'churnRisk', 'lastLoginIp', 'address.city', 'address.geo.lat', 'address.geo.lon', 'address.lines']);
    expect(cell('address.city')).toBe('Oslo');
    expect(cell('address.lines')).toBe('["Eksempelgata 1","0150"]');
    expect(cell('churnRisk')).toBe('0.82');
  });

  it('prefixes CSV cells that a spreadsheet would run as a formula with a single quote', () => {
    const [header, row] = parseCsv(files.get('csv/accounts/account.csv')!);
    expect(row![header!.indexOf('note')]).toBe(`'=HYPERLINK("http://evil.test","click")`);
    expect(row![header!.indexOf('phone')]).toBe(`'+4712345678`);
    const calls = parseCsv(files.get('csv/calls/call.csv')!);
    expect(calls.find((r) => r[0] === 'call-3')![calls[0]!.indexOf('title')]).toBe(`'@SUM(1+1)`);
    expect(files.get('README.txt')).toMatch(/single\s+quote/);
  });

  it('keeps a value holding a line break in one quoted cell, so no row of any CSV starts with a formula', () => {
    for (const [name, text] of files) {
      if (!name.endsWith('.csv')) continue;
      const rows = parseCsv(text);
      for (const row of rows) for (const cell of row) expect(cell, `${name}: ${JSON.stringify(cell)}`).not.toMatch(/^[=+\-@\t\r]/);
    }
    const calls = parseCsv(files.get('csv/calls/call.csv')!);
    expect(calls).toHaveLength(CALLS + 1);
    const title = (id: string) => calls.find((r) => r[0] === id)![calls[0]!.indexOf('title')];
    expect(title('call-4')).toBe(HOSTILE_TITLES[4]);
    expect(title('call-5')).toBe(HOSTILE_TITLES[5]);
    expect(title('call-6')).toBe(HOSTILE_TITLES[6]);
  });

  it('writes a self-contained report with every value escaped', () => {
    const html = files.get('report.html')!;
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Alice');
    expect(html).not.toMatch(/<(link|img|iframe)\b|src=/i);
    expect(html).toContain("default-src 'none'");
    expect(html).toContain('<style>');
  });

  it('shows the organisation, the request, and the data system by system, after a summary', () => {
    const html = files.get('report.html')!;
    expect(html).toContain('Example Video AS');
    expect(html).toContain('dsar_pkg');
    expect(html).toContain('1 March 2026');
    expect(html).toContain('1 April 2026');
    for (const system of ['accounts', 'calls', 'analytics']) expect(html).toContain(`<section class="system" id="system-${system}">`);
    expect(html.indexOf('id="summary"')).toBeLessThan(html.indexOf('id="system-accounts"'));
    expect(html).toContain('We searched these systems and found nothing about you: HubSpot.');
  });

  it('shows the first 500 records of a large object and says where the rest are', () => {
    const html = files.get('report.html')!;
    const calls = html.slice(html.indexOf('id="system-calls"'), html.indexOf('id="system-analytics"'));
    expect(calls.match(/<details class="record">/g)).toHaveLength(500);
    expect(calls).toContain('Call 499');
    expect(calls).not.toContain('Call 500');
    expect(calls).toContain(`Shown here: the first 500 of ${CALLS}. All of them are in data.json and in csv/calls/call.csv.`);
  });

  it('states the Art. 15 information: purposes, categories, recipients, retention, rights, complaint, sources, automated decisions, transfers', () => {
    const html = files.get('report.html')!;
    for (const id of ['rights', 'complaint', 'recipients', 'automated-decisions', 'transfers', 'sources']) expect(html).toContain(`id="${id}"`);
    // This configuration has no art15 blocks: each system states the privacy notice's facts, and says so.
    expect(html).toContain('<dt>Why we have it</dt><dd>Operating and delivering the service</dd>');
    expect(html).toContain('<dd>Call history: two years by default.</dd>');
    expect(html).toContain('For this system we give the general information of our privacy notice.');
    expect(html).toContain('Stripe: payments (processes data on our behalf; United States)');
    expect(html).toContain('Datatilsynet');
    expect(html).toContain('PO Box 8177, 0034 Oslo, Norway');
    expect(html).toMatch(/correct.*erase.*restrict.*Object/s);
    expect(html).toContain('We make no decisions about you by automated means alone.');
  });

  it('lists the connectors staff accepted as missing, with the reason', () => {
    const html = files.get('report.html')!;
    const section = html.slice(html.indexOf('id="not-included"'));
    expect(section).toContain('<li><strong>Salesforce</strong>: The Salesforce API was unavailable; accepted by staff on 2026-03-09.</li>');
  });
});

describe('assemblePackage with parts staff withheld before release', () => {
  let files: Map<string, string>;
  let data: ExportJson;

  beforeAll(async () => {
    const withheld = [
      { connectorId: 'calls', object: 'call', recordId: 'call-7', reason: 'third_party' },
      { connectorId: 'accounts', object: 'account', field: 'note', reason: 'staff_remarks' },
      { connectorId: 'accounts', object: 'account', recordId: 'acc-1', field: 'address.geo', reason: 'other', note: 'Kept by court order 12/2026.' },
      { connectorId: 'analytics', object: 'segments', reason: 'legal_privilege' },
    ];
    const result = await assemblePackage(input('access', 'exports/dsar_pkg/withheld.zip', { withheld, request: { ...input('access', '').request, locale: 'nb-NO' } }));
    files = await readZip(result.key);
    data = JSON.parse(files.get('data.json')!) as ExportJson;
  });

  const objectOf = (connectorId: string, object: string) =>
    data.systems.find((s) => s.connectorId === connectorId)!.objects.find((o) => o.object === object);

  it('leaves the withheld record, fields and object out of data.json and the CSVs', () => {
    const calls = objectOf('calls', 'call')!;
    expect(calls.records.map((r) => r.id)).not.toContain('call-7');
    expect(calls.count).toBe(CALLS - 1);
    expect(files.get('csv/calls/call.csv')!).not.toMatch(/^call-7,/m);
    const account = objectOf('accounts', 'account')!.records[0]!.data as Record<string, any>;
    expect(account).not.toHaveProperty('note');
    expect(account.address).toEqual({ city: 'Oslo', lines: ['Eksempelgata 1', '0150'] });
    expect(files.get('csv/accounts/account.csv')!.split('\r\n')[0]).not.toMatch(/note|address\.geo/);
    expect(objectOf('analytics', 'segments')).toBeUndefined();
    expect(objectOf('analytics', 'events')!.records).toHaveLength(2);
  });

  it("says in the report, in the subject's language, what was withheld and why, without any withheld value", () => {
    const html = files.get('report.html')!;
    const section = html.slice(html.indexOf('id="withheld"'));
    expect(section).toContain('Hva vi holdt tilbake, og hvorfor');
    // Objects and fields as the field dictionary names them, not by the system's API names.
    expect(section).toContain('Call history, Call: oppføringen call-7');
    expect(section).toContain('personvernforordningen artikkel 15 nr. 4');
    expect(section).toContain('Account store, Account: feltet «Note» i alle oppføringer');
    expect(section).toContain('Account store, Account: feltet «Address, geo» i oppføringen acc-1');
    expect(section).toContain('En annen grunn: Kept by court order 12/2026.');
    expect(section).toContain('Google Analytics, Segments: alle oppføringer av denne typen');
    expect(html).not.toContain('click');
    expect(html).not.toContain('likely buyer');
  });

  it('says the same in README.txt of a portability package, which has no report', async () => {
    const withheld = [{ connectorId: 'calls', object: 'call', recordId: 'call-7', reason: 'third_party' }];
    const zip = await readZip((await assemblePackage(input('portability', 'exports/dsar_pkg/withheld-port.zip', { withheld, missing: [] }))).key);
    const readme = zip.get('README.txt')!;
    expect(readme).toContain('What we withheld and why (GDPR Article 15(4), 20(4))');
    expect(readme).toContain('  - Call history, Call: the record call-7');
    expect(JSON.parse(zip.get('data.json')!).systems.find((s: any) => s.connectorId === 'calls').objects[0].records.map((r: any) => r.id)).not.toContain('call-7');
  });

  it('names nothing withheld when nothing was', async () => {
    const plain = await readZip((await assemblePackage(input('access', 'exports/dsar_pkg/plain.zip'))).key);
    expect(plain.get('report.html')).not.toContain('id="withheld"');
  });
});

describe('assemblePackage for a portability request', () => {
  let files: Map<string, string>;
  let data: ExportJson;
  let result: AssembleResult;

  beforeAll(async () => {
    result = await assemblePackage(input('portability', 'exports/dsar_pkg/portability.zip', { missing: [] }));
    files = await readZip(result.key);
    data = JSON.parse(files.get('data.json')!) as ExportJson;
  });

  const objectOf = (connectorId: string, object: string) =>
    data.systems.find((s) => s.connectorId === connectorId)!.objects.find((o) => o.object === object);

  it('ships data.json, schema.json, CSVs and a README, and no HTML report', () => {
    expect(result.files).not.toContain('report.html');
    expect(result.files).toEqual(expect.arrayContaining(['data.json', 'schema.json', 'README.txt', 'csv/accounts/account.csv', 'csv/calls/call.csv']));
    expect(validate(shippedSchema as Schema, data, shippedSchema as Schema)).toEqual([]);
    expect(data.request.type).toBe('portability');
    expect(files.get('README.txt')).toContain('Article 20');
  });

  it('drops the inferred and derived fields of provided and observed objects', () => {
    const account = objectOf('accounts', 'account')!.records[0]!.data;
    expect(account).not.toHaveProperty('churnRisk');
    expect(account.lastLoginIp).toBe('192.0.2.1');
    expect(account.address).toEqual({ city: 'Oslo', lines: ['Eksempelgata 1', '0150'] });
    expect(objectOf('analytics', 'events')!.records).toEqual([
      { id: 'ev-1', data: { page: '/pricing' } },
      { id: 'ev-2', data: { page: '/signup' } },
    ]);
    const [header] = parseCsv(files.get('csv/accounts/account.csv')!);
    expect(header).not.toContain('churnRisk');
    expect(header).not.toContain('address.geo.lat');
  });

  it('drops inferred and derived objects, except fields explicitly provided and records the connector marked observed', () => {
    expect(objectOf('analytics', 'segments')!.records).toEqual([{ id: 'seg-2', data: { segment: 'power user' }, origin: 'observed' }]);
    expect(objectOf('analytics', 'scores')!.records).toEqual([{ id: 'sc-1', data: { declaredInterest: 'video' } }]);
    expect(objectOf('analytics', 'scores')!.count).toBe(1);
    expect(files.get('csv/analytics/scores.csv')).not.toContain('91');
  });

  it('keeps every provided or observed record exactly once', () => {
    const calls = objectOf('calls', 'call')!;
    expect(calls.count).toBe(CALLS);
    expect(new Set(calls.records.map((r) => r.id)).size).toBe(CALLS);
    expect(parseCsv(files.get('csv/calls/call.csv')!)).toHaveLength(CALLS + 1);
    expect(result.records).toBe(1 + CALLS + 2 + 1 + 1 + 1);
  });
});

describe('assemblePackage when something goes wrong', () => {
  it('fails, and leaves no package behind, when a staged object cannot be read', async () => {
    const broken: PackageSource = { connectorId: 'calls', displayName: 'Call history', objects: [{ object: 'call', stagingKey: 'staging/dsar_pkg/calls/gone.jsonl', count: 3 }] };

    await expect(assemblePackage(input('access', 'exports/dsar_pkg/broken.zip', { sources: [broken] }))).rejects.toThrow();

    await expect(s3rver.s3.send(new HeadObjectCommand({ Bucket: EXPORTS, Key: 'exports/dsar_pkg/broken.zip' }))).rejects.toThrow();
  });

  it('aborts the upload when a staged object fails half way through the ZIP', async () => {
    // A client whose second download of the call history (the one data.json streams) fails.
    const flaky = s3rverClient(s3rver.endpoint);
    let downloads = 0;
    flaky.middlewareStack.add(
      (next, context) => async (args) => {
        const key = (args.input as { Key?: string }).Key ?? '';
        if (context.commandName === 'GetObjectCommand' && key.endsWith('/calls/call.jsonl') && ++downloads === 2) {
          throw Object.assign(new Error('connection reset'), { name: 'TimeoutError' });
        }
        return next(args);
      },
      { step: 'initialize' },
    );

    await expect(assemblePackage(input('access', 'exports/dsar_pkg/half.zip', { s3: flaky }))).rejects.toThrow('connection reset');

    expect(downloads).toBe(2);
    await expect(s3rver.s3.send(new HeadObjectCommand({ Bucket: EXPORTS, Key: 'exports/dsar_pkg/half.zip' }))).rejects.toThrow();
    flaky.destroy();
  });

  it('builds a package with no data at all when no system found anything', async () => {
    const result = await assemblePackage(input('access', 'exports/dsar_pkg/empty.zip', { sources: [{ connectorId: 'hubspot', displayName: 'HubSpot', objects: [] }], missing: [] }));
    const files = await readZip(result.key);

    expect(result.records).toBe(0);
    expect(result.files).toEqual(['report.html', 'data.json', 'schema.json', 'README.txt']);
    expect(JSON.parse(files.get('data.json')!).systems).toEqual([{ connectorId: 'hubspot', displayName: 'HubSpot', objects: [] }]);
    expect(files.get('report.html')).toContain('We found no personal data about you in the 1 system we searched.');
  });
});

describe('assemblePackage reading the staged records', () => {
  it('downloads each staged object twice, once to plan and once for data.json and the CSV together', async () => {
    const counting = s3rverClient(s3rver.endpoint);
    const downloads = new Map<string, number>();
    counting.middlewareStack.add(
      (next, context) => async (args) => {
        const key = (args.input as { Key?: string }).Key ?? '';
        if (context.commandName === 'GetObjectCommand') downloads.set(key, (downloads.get(key) ?? 0) + 1);
        return next(args);
      },
      { step: 'initialize' },
    );

    const result = await assemblePackage(input('access', 'exports/dsar_pkg/reads.zip', { s3: counting }));
    counting.destroy();

    const stagedKeys = sources.flatMap((s) => s.objects.map((o) => o.stagingKey));
    expect(stagedKeys.length).toBeGreaterThan(3);
    expect(Object.fromEntries(downloads)).toEqual(Object.fromEntries(stagedKeys.map((k) => [k, 2])));
    const files = await readZip(result.key);
    expect(parseCsv(files.get('csv/calls/call.csv')!)).toHaveLength(CALLS + 1);
  });

  it('leaves no spooled CSV behind in the temporary directory, after success and after failure', async () => {
    const previous = process.env.TMPDIR;
    const dir = await mkdtemp(join(tmpdir(), 'pkg-spool-test-'));
    process.env.TMPDIR = dir;
    try {
      await assemblePackage(input('access', 'exports/dsar_pkg/spool-ok.zip'));
      // Fails the records pass, after the accounts' CSV was spooled, while the calls' one is being written.
      const flaky = s3rverClient(s3rver.endpoint);
      let downloads = 0;
      flaky.middlewareStack.add(
        (next, context) => async (args) => {
          const key = (args.input as { Key?: string }).Key ?? '';
          if (context.commandName === 'GetObjectCommand' && key.endsWith('/calls/call.jsonl') && ++downloads === 2) throw new Error('connection reset');
          return next(args);
        },
        { step: 'initialize' },
      );
      await expect(assemblePackage(input('access', 'exports/dsar_pkg/spool-broken.zip', { s3: flaky }))).rejects.toThrow('connection reset');
      flaky.destroy();

      expect(await readdir(dir)).toEqual([]);
    } finally {
      if (previous === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = previous;
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('assemblePackage on worker threads', () => {
  // 650 calls in slices of 100 records: seven slices of the call history, spread over two threads.
  const threads = { sliceRecords: 100, workers: 2 };

  it('writes the very same files from slices on worker threads as from one read in this thread, for access and portability', async () => {
    for (const type of ['access', 'portability'] as const) {
      const single = await assemblePackage(input(type, `exports/dsar_pkg/${type}-one.zip`, { parallel: { workers: 1 } }));
      const sliced = await assemblePackage(input(type, `exports/dsar_pkg/${type}-sliced.zip`, { parallel: threads }));

      expect(sliced.files).toEqual(single.files);
      expect(sliced.records).toBe(single.records);
      expect(await readZip(sliced.key), type).toEqual(await readZip(single.key));
    }
  });

  it('fails, and leaves no package behind, when a thread meets an unreadable line', async () => {
    const key = 'staging/dsar_pkg/calls/torn.jsonl';
    const lines = staged.calls!.map((r) => JSON.stringify(r));
    lines[500] = '{"object":"call","id":"torn",';
    await s3rver.s3.send(new PutObjectCommand({ Bucket: STAGING, Key: key, Body: `${lines.join('\n')}\n` }));
    const torn: PackageSource = { connectorId: 'calls', displayName: 'Call history', objects: [{ object: 'call', stagingKey: key, count: lines.length }] };

    await expect(assemblePackage(input('access', 'exports/dsar_pkg/torn.zip', { sources: [torn], parallel: threads }))).rejects.toThrow(`staged object ${key} has an unreadable line`);

    await expect(s3rver.s3.send(new HeadObjectCommand({ Bucket: EXPORTS, Key: 'exports/dsar_pkg/torn.zip' }))).rejects.toThrow();
  });
});
