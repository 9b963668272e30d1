/**
 * Shared pieces of the connector tests: subjects, a configuration for a sandbox (and for the demo's account
 * table and S3 store), the dependencies a registry would give, and checks that an export holds nobody else's data.
 */
import { vi } from 'vitest';
import type { DynamoDbConnectorConfig, ErasurePolicy, S3ConnectorConfig, SaasConnectorConfig } from '#commons/config';
import type { ConnectorContext, ConnectorDeps, DataRecord, PolicyFor, Subject } from '#connectors/types';
import type { Sandboxes } from '../../../infra/local/sandboxes/index.ts';

export const ctx: ConnectorContext = { requestId: 'req-test' };

export const QUOTED = "o'brien+dsar@example.com";

export function subjectOf(email: string): Subject {
  return { email, normalizedEmail: email.trim().toLowerCase() };
}

export function saasConfig(
  kind: SaasConnectorConfig['kind'],
  baseUrl: string,
  settings: Record<string, unknown> = {},
): SaasConnectorConfig {
  return {
    id: kind,
    displayName: kind,
    enabled: true,
    kind,
    baseUrl,
    credentials: kind,
    settings,
    erasure: { action: 'delete' },
    objects: {},
  };
}

/** The DynamoDB connector of the demo's account store, found by email on its `by-email` index. */
export const ACCOUNTS_CONFIG: DynamoDbConnectorConfig = {
  id: 'accounts',
  kind: 'dynamodb',
  displayName: 'Accounts',
  enabled: true,
  tableName: 'demo-accounts',
  objectName: 'account',
  lookup: { indexName: 'by-email', partitionKey: 'email' },
  keyAttributes: ['accountId'],
  erasure: { action: 'delete' },
  objects: {},
};

/** The S3 connector of the demo's call history: a folder per account id from the account store. */
export const CALLS_CONFIG: S3ConnectorConfig = {
  id: 'calls',
  kind: 's3',
  displayName: 'Calls',
  enabled: true,
  bucket: 'demo-call-history',
  prefixTemplate: 'users/{subjectKey}/',
  subjectKey: { from: 'connector', connectorId: 'accounts', attribute: 'accountId' },
  objectName: 'call',
  erasure: { action: 'delete' },
  objects: {},
};

/** The sandbox's Google Analytics settings, with the user and client ids taken from the account store. */
export function gaSettings(sb: Sandboxes, quotaHintMs: number): Record<string, unknown> {
  return {
    ...sb.settings.googleAnalytics,
    identifiers: [
      { type: 'userId', from: { connectorId: 'accounts', attribute: 'gaUserId' } },
      { type: 'clientId', from: { connectorId: 'accounts', attribute: 'gaClientId' } },
    ],
    quotaHintMs,
  };
}

/** What the registry would give: the sandbox's credentials, and GA user and client ids from the demo people. */
export function depsFor(sb: Sandboxes, credentials: Record<string, Record<string, string>> = sb.credentials): ConnectorDeps {
  return {
    credentials: async (name) => {
      const c = credentials[name];
      if (!c) throw new Error(`no credentials named ${name}`);
      return c;
    },
    resolveIdentifier: async (subject, _connectorId, attribute) =>
      sb.people
        .filter((p) => p.email.toLowerCase() === subject.normalizedEmail && p.systems.has('google-analytics'))
        .map((p) => (attribute === 'gaClientId' ? p.gaClientId : p.gaUserId)),
  };
}

export async function collect(records: AsyncIterable<DataRecord>): Promise<DataRecord[]> {
  const out: DataRecord[] = [];
  for await (const r of records) out.push(r);
  return out;
}

/** Every string in a record that looks like an email address. */
export function emailsIn(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') {
    if (/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value)) out.push(value);
  } else if (Array.isArray(value)) {
    for (const v of value) emailsIn(v, out);
  } else if (value && typeof value === 'object') {
    for (const v of Object.values(value)) emailsIn(v, out);
  }
  return out;
}

/** Asserts that every email-shaped value in the records is the subject's address (any case). */
export function foreignEmails(records: DataRecord[], email: string): string[] {
  return records.flatMap((r) => emailsIn(r.data)).filter((e) => e.toLowerCase() !== email.toLowerCase());
}

export function policies(map: Record<string, ErasurePolicy>, fallback: ErasurePolicy = { action: 'delete' }): PolicyFor {
  return (object) => map[object] ?? fallback;
}

export const BOOKKEEPING = {
  action: 'retain',
  legalBasis: 'Bookkeeping Act § 13 (accounting records)',
  retentionPeriod: '5 years after the end of the financial year',
} as const satisfies ErasurePolicy;

export function countBy(records: DataRecord[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of records) counts[r.object] = (counts[r.object] ?? 0) + 1;
  return counts;
}

/** Runs `run` with a fetch that shows `see` every request (its URL and init) before making it. */
export async function watchRequests<T>(see: (url: string, init?: RequestInit) => void, run: () => Promise<T>): Promise<T> {
  const original = globalThis.fetch;
  globalThis.fetch = ((input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) => {
    see(input instanceof Request ? input.url : String(input), init);
    return original(input, init);
  }) as typeof fetch;
  try {
    return await run();
  } finally {
    globalThis.fetch = original;
  }
}

/** Counts the requests whose URL contains `part`, made while `run` runs. */
export async function countRequests<T>(part: string, run: () => Promise<T>): Promise<{ result: T; count: number }> {
  let count = 0;
  const result = await watchRequests((url) => {
    if (url.includes(part)) count++;
  }, run);
  return { result, count };
}

/**
 * The delays of the timers armed from now on, among them the connector's throttling waits: a test asserts
 * the wait the connector asked for, never how long it took (a busy machine stretches that). Call
 * `vi.restoreAllMocks()` after.
 */
export function recordTimers(): () => number[] {
  const spy = vi.spyOn(globalThis, 'setTimeout');
  return () => spy.mock.calls.map(([, ms]) => ms ?? 0);
}

/**
 * Runs `run` with a fetch that counts the requests to URLs containing `part` that are in flight at once:
 * the most there ever were, and how many there were in all.
 */
export async function recordInFlight<T>(part: string, run: () => Promise<T>): Promise<{ result: T; most: number; total: number }> {
  const original = globalThis.fetch;
  let now = 0;
  let most = 0;
  let total = 0;
  globalThis.fetch = (async (input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) => {
    if (!String(input instanceof Request ? input.url : input).includes(part)) return original(input, init);
    total++;
    most = Math.max(most, ++now);
    try {
      const res = await original(input, init);
      // The body is part of the exchange: the request is in flight until it has been read.
      const body = await res.arrayBuffer();
      return new Response(body.byteLength ? body : null, { status: res.status, headers: res.headers });
    } finally {
      now--;
    }
  }) as typeof fetch;
  try {
    return { result: await run(), most, total };
  } finally {
    globalThis.fetch = original;
  }
}
