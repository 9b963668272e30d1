/**
 * Data goes only to the subject: the one mail the product ever sends to an agent is the acknowledgement
 * with their status-only link. This reads every `mailer.send(` in functions/ and holds each recipient to
 * the list of who may get mail, so a new mail path that writes to `agent.email` (or anything else) fails
 * here until it is looked at. The end-to-end test (test/e2e/agent-request.test.ts) shows the same on the
 * runtime: the agent's inbox holds the acknowledgement only.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('../../../../', import.meta.url).pathname;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** Each `mailer.send(<recipient>, <mail builder>(` in the source: file, recipient and the mail it builds. */
function mailCalls() {
  const calls: Array<{ file: string; to: string; mail: string }> = [];
  for (const file of sources(join(ROOT, 'functions'))) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/mailer\s*\.send\(\s*([^,]+?)\s*,\s*([A-Za-z]+)/g)) {
      calls.push({ file: relative(ROOT, file), to: m[1]!, mail: m[2]! });
    }
  }
  return calls;
}

/** Who may be mailed: the subject's own address, staff, Art. 19 recipients, the escalation digests' staff, and the agent's acknowledgement. */
const ALLOWED = [
  /\.subject\.email$/,
  /^config\.email\.staff$/,
  /^ctx\.config\.email\.staff$/,
  /^recipient\.notifyEmail$/,
  // Processor mode: the resale partner's configured privacy contact (the controller) gets the forwarded request.
  /^partner\.contact\.email$/,
  // A marketing opt-out: the configured third parties the data was sold or shared with (11 CCR 7026(f)).
  /^thirdParty\.contact\.email!$/,
];

describe('who the product mails', () => {
  const calls = mailCalls();

  it('finds the mail paths it checks', () => {
    expect(calls.length).toBeGreaterThan(10);
  });

  it('mails an agent only the acknowledgement with their status link', () => {
    const toAgent = calls.filter((c) => /agent/i.test(c.to));
    expect(toAgent).toEqual([{ file: 'functions/domain/agents/agent-receipt.ts', to: 'agent.email', mail: 'agentAcknowledgement' }]);
  });

  it('sends every other mail to the subject’s own address, to staff, or to a configured recipient', () => {
    const others = calls.filter((c) => !/agent/i.test(c.to));
    const unexplained = others.filter((c) => {
      if (ALLOWED.some((re) => re.test(c.to))) return false;
      const text = readFileSync(join(ROOT, c.file), 'utf8');
      // A local `to`: it must be the subject's address, or the escalation digest's staff recipients.
      // (The digest's recipients are the staff of its request lines and of its follow-up tasks.)
      if (c.to === 'to') {
        return (
          !/const to = request\.subject\.email;/.test(text) &&
          // Art. 19: the configured recipient's own notice address (art19/recipients.ts).
          !/const to = recipient\.notifyEmail;/.test(text) &&
          !/for \(const \[to, list\] of \[\.\.\.byRecipient\]/.test(text) &&
          !/const recipients = \[\.\.\.new Set\(\[\.\.\.byRecipient\.keys\(\), \.\.\.tasksByRecipient\.keys\(\)\]\)\]/.test(text)
        );
      }
      return true;
    });
    expect(unexplained).toEqual([]);
  });
});
