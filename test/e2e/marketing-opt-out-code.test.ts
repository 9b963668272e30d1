/**
 * The opt-out where the installation asks for the code (`verification.marketing_opt_out: code`), on the
 * real embedded runtime: nothing changes in any system until the code is entered, and then the opt-out
 * runs as usual. A CCPA opt-out still needs no code there: 11 CCR §7026(d) allows asking nothing more.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALICE, BOB } from '../../infra/local/demo/people.ts';
import { startTestRuntime, type TestRuntime } from '../support/runtime.ts';

let rt: TestRuntime;

beforeAll(async () => {
  rt = await startTestRuntime({
    crowd: 5,
    configOverrides: (config) => ({
      ...config,
      verification: { ...config.verification, marketing_opt_out: 'code' },
      jurisdictions: { ...config.jurisdictions, askSubject: true },
    }),
  });
});
afterAll(async () => {
  await rt?.cleanup();
});

const subscribed = (email: string) => rt.sandboxControl.stores.hubspot.preferences.get(email)!.filter((s) => s.status === 'SUBSCRIBED').length;

describe('an opt-out where the configuration asks for the code', () => {
  it('changes nothing until the code is entered, then stops marketing', async () => {
    const before = subscribed(ALICE.email);
    expect(before).toBeGreaterThan(0);
    const filed = await rt.api('POST', '/v1/requests', { body: { type: 'marketing_opt_out', email: ALICE.email } });
    expect(filed.body).toMatchObject({ status: 'received', verification: 'code' });
    const id = filed.body.requestId as string;

    const code = await rt.codeFor(id, ALICE.email);
    const waiting = await rt.api('GET', `/v1/admin/requests/${id}`, { token: rt.staffToken });
    expect(waiting.body.request.status).toBe('awaiting_verification');
    expect(waiting.body.request.verificationWaived).toBeUndefined();
    expect(subscribed(ALICE.email)).toBe(before);
    const ack = (await rt.mails(ALICE.email)).find((m) => m.subject.includes(`(${id})`) && m.subject.startsWith('We received'))!;
    expect(ack.body.text).toContain('nothing happens until the code is entered');

    expect((await rt.api('POST', `/v1/requests/${id}/verify`, { body: { code } })).status).toBe(200);
    const done = await rt.waitForStatus(id, 'completed', 60_000);

    expect(subscribed(ALICE.email)).toBe(0);
    const actions = done.audit.map((e: any) => e.action);
    expect(actions).toContain('verification.succeeded');
    expect(actions).not.toContain('verification.waived');
  }, 90_000);

  it('still asks no code of a CCPA subject, and says on the trail that the law waived it', async () => {
    const filed = await rt.api('POST', '/v1/requests', { body: { type: 'marketing_opt_out', email: BOB.email, jurisdiction: 'CCPA', country: 'US' } });
    expect(filed.body).toMatchObject({ verification: 'none' });
    const id = filed.body.requestId as string;

    const done = await rt.waitForStatus(id, 'completed', 60_000);

    expect(subscribed(BOB.email)).toBe(0);
    expect(done.audit.find((e: any) => e.action === 'verification.waived')).toMatchObject({ detail: { reason: 'law', law: '11 CCR §7026(d)' } });
    expect(done.audit.map((e: any) => e.action)).not.toContain('verification.code_sent');
  }, 90_000);
});
