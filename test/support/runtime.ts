/**
 * Helpers for end-to-end tests: start the real embedded runtime on ephemeral ports in a temp folder,
 * call its API, and read the mails its SES emulator caught.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EPHEMERAL_PORTS, startRuntime, type Runtime, type RuntimeOptions } from '../../infra/local/runtime.ts';
import { CODE_LINE } from './code-mail.ts';
import { checkExchange, operationFor } from './contract.ts';

export interface ApiOptions {
  body?: unknown;
  token?: string;
  headers?: Record<string, string>;
  raw?: string;
  /** The test probes a route or method the document does not have on purpose (the edge's 404/405): nothing is checked, but the route must really be undocumented. */
  undocumented?: boolean;
}

export interface TestRuntime extends Runtime {
  /** Calls the API; every request and answer is checked against docs/openapi.yaml (test/support/contract.ts). */
  api(method: string, path: string, options?: ApiOptions): Promise<{ status: number; body: any; headers: Headers }>;
  mails(to?: string): Promise<Mail[]>;
  waitForMail(to: string, subjectIncludes: string, timeoutMs?: number): Promise<Mail>;
  waitForStatus(requestId: string, status: string | string[], timeoutMs?: number): Promise<any>;
  codeFor(requestId: string, to: string): Promise<string>;
  /** Files a request as the subject and verifies it with the mailed code; resolves once it awaits review. */
  /** `locale` is the language tag the public form sends (the subject's browser language). */
  fileAndVerify(email: string, type: string, locale?: string): Promise<string>;
  /** Staff approve; an erasure names its own id, as the API requires; a rectification corrects what the subject asked. */
  approve(requestId: string, type: string): Promise<void>;
  cleanup(): Promise<void>;
}

export interface Mail {
  messageId: string;
  from: string;
  destination: { to: string[] };
  subject: string;
  body: { text?: string; html?: string };
  at: number;
}

export async function startTestRuntime(options: RuntimeOptions & { keepDir?: string } = {}): Promise<TestRuntime> {
  const dir = options.keepDir ?? mkdtempSync(join(tmpdir(), 'dsar-e2e-'));
  const runtime = await startRuntime({
    dataDir: join(dir, 'data'),
    ports: EPHEMERAL_PORTS,
    crowd: 200,
    retryIntervalScale: 0.01,
    sweepIntervalMs: 0,
    ...options,
  });
  const api: TestRuntime['api'] = async (method, path, opts = {}) => {
    const headers: Record<string, string> = {
      ...(opts.body !== undefined || opts.raw !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
      ...opts.headers,
    };
    const sent = opts.raw !== undefined ? opts.raw : opts.body !== undefined ? JSON.stringify(opts.body) : undefined;
    if (opts.undocumented) {
      let documented = true;
      try {
        operationFor(method, path);
      } catch {
        documented = false;
      }
      if (documented) throw new Error(`${method} ${path} is marked undocumented but docs/openapi.yaml describes it`);
    }
    const res = await fetch(`${runtime.apiUrl}${path}`, {
      method,
      redirect: 'manual',
      headers,
      ...(sent !== undefined ? { body: sent } : {}),
    });
    const text = await res.text();
    if (!opts.undocumented) {
      checkExchange({
        method,
        path,
        requestBody: sent,
        requestContentType: Object.entries(headers).find(([k]) => k.toLowerCase() === 'content-type')?.[1],
        status: res.status,
        responseContentType: res.headers.get('content-type') ?? undefined,
        responseBody: text,
      });
    }
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON
    }
    return { status: res.status, body, headers: res.headers };
  };
  const mails = async (to?: string): Promise<Mail[]> => {
    const res = await fetch(`${runtime.mailUrl}/store`);
    const all = ((await res.json()) as { emails: Mail[] }).emails;
    return to ? all.filter((m) => m.destination.to.includes(to)) : all;
  };
  const waitFor = async <T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = await probe();
      if (found !== undefined) return found;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const waitForMail: TestRuntime['waitForMail'] = (to, subjectIncludes, timeoutMs = 15_000) =>
    waitFor(`a mail to ${to} about "${subjectIncludes}"`, async () => (await mails(to)).find((m) => m.subject.includes(subjectIncludes)), timeoutMs);
  const waitForStatus: TestRuntime['waitForStatus'] = (requestId, status, timeoutMs = 20_000) => {
    const wanted = Array.isArray(status) ? status : [status];
    let last = '';
    return waitFor(
      `request ${requestId} to be ${wanted.join('/')}`,
      async () => {
        const r = await api('GET', `/v1/admin/requests/${requestId}`, { token: runtime.staffToken });
        last = r.body?.request?.status;
        // A request is up for review once the workflow asked for it (review.requested), not while the
        // preview of what approval will touch is still being counted: staff could not approve it yet.
        if (last === 'awaiting_review' && !r.body.audit?.some((e: { action: string }) => e.action === 'review.requested')) return undefined;
        return wanted.includes(last) ? r.body : undefined;
      },
      timeoutMs,
    ).catch((err: Error) => {
      throw new Error(`${err.message} (last status: ${last})`);
    });
  };
  const codeFor: TestRuntime['codeFor'] = async (requestId, to) => {
    const mail = await waitFor(
      `a verification code for ${requestId}`,
      async () => (await mails(to)).reverse().find((m) => CODE_LINE.test(m.body.text ?? '') && m.body.text!.includes(requestId)),
      15_000,
    );
    return CODE_LINE.exec(mail.body.text ?? '')![1]!;
  };
  const fileAndVerify: TestRuntime['fileAndVerify'] = async (email, type, locale) => {
    const filed = await api('POST', '/v1/requests', { body: { type, email, ...(locale ? { locale } : {}) } });
    if (filed.status !== 202) throw new Error(`filing answered ${filed.status}: ${JSON.stringify(filed.body)}`);
    const id = filed.body.requestId as string;
    const verified = await api('POST', `/v1/requests/${id}/verify`, { body: { code: await codeFor(id, email) } });
    if (verified.status !== 200) throw new Error(`verifying answered ${verified.status}: ${JSON.stringify(verified.body)}`);
    await waitForStatus(id, 'awaiting_review');
    return id;
  };
  const approve: TestRuntime['approve'] = async (requestId, type) => {
    const body = type === 'erasure' ? { confirmRequestId: requestId } : type === 'rectification' ? { rectification: await asTheSubjectAsked(requestId) } : {};
    const res = await api('POST', `/v1/admin/requests/${requestId}/approve`, { token: runtime.staffToken, body });
    if (res.status !== 200) throw new Error(`approving answered ${res.status}: ${JSON.stringify(res.body)}`);
  };
  /**
   * A rectification's approval as staff would give it by default: every value the systems showed
   * corrected to what the subject asked; where that changes nothing, the first field asked refused.
   */
  const asTheSubjectAsked = async (requestId: string) => {
    const detail = (await api('GET', `/v1/admin/requests/${requestId}`, { token: runtime.staffToken })).body;
    const asked = (detail.request.subject.rectification?.fields ?? {}) as Record<string, unknown>;
    const corrections = (detail.rectification?.systems ?? []).flatMap((s: { connectorId: string; values: Array<{ object: string; recordId: string; field: string; value: unknown }> }) =>
      s.values.filter((v) => asked[v.field] !== undefined && JSON.stringify(asked[v.field]) !== JSON.stringify(v.value)).map((v) => ({ connectorId: s.connectorId, object: v.object, recordId: v.recordId, field: v.field, value: asked[v.field] })),
    );
    const refusals = corrections.length ? [] : [{ field: detail.rectification?.fieldsAsked?.[0] ?? 'name', reason: 'The data we hold is accurate.' }];
    return { corrections, refusals };
  };
  return {
    ...runtime,
    api,
    mails,
    waitForMail,
    waitForStatus,
    codeFor,
    fileAndVerify,
    approve,
    cleanup: async () => {
      await runtime.stop();
      if (!options.keepDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
