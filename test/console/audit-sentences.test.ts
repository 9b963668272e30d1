import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SENTENCES, auditSentence } from '../../console/src/console/audit-sentences.ts';
import { CLOSED_STATUSES } from '../../functions/domain/requests/model.ts';

const ROOT = join(import.meta.dirname, '../../functions');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** The third argument of a call whose opening parenthesis is at `open`. */
function thirdArgument(text: string, open: number): string {
  let depth = 0;
  let arg = 0;
  let start = open + 1;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (c === '(' || c === '{' || c === '[') depth++;
    else if (c === ')' || c === '}' || c === ']') {
      depth--;
      if (depth === 0) return arg === 2 ? text.slice(start, i) : '';
    } else if (c === ',' && depth === 1) {
      if (arg === 2) return text.slice(start, i);
      arg++;
      start = i + 1;
    }
  }
  return '';
}

/** Every audit event kind the server writes, read from the calls to `audit(requestId, actor, kind, ...)`. */
function auditKinds(): Set<string> {
  const files = sources(ROOT).map((f) => readFileSync(f, 'utf8'));
  const constants = new Map<string, string>();
  for (const text of files) for (const m of text.matchAll(/export const ([A-Z_]+) = '([a-z_]+\.[a-z_]+)'/g)) constants.set(m[1]!, m[2]!);
  const kinds = new Set<string>();
  for (const text of files) {
    for (const m of text.matchAll(/\.audit\(/g)) {
      const arg = thirdArgument(text, m.index + m[0].length - 1).trim();
      const literals = [...arg.matchAll(/'([a-z_]+\.[a-z_]+)'/g)].map((x) => x[1]!);
      if (literals.length) literals.forEach((k) => kinds.add(k));
      else if (constants.has(arg)) kinds.add(constants.get(arg)!);
      else if (arg === '`request.${status}`') for (const s of CLOSED_STATUSES) kinds.add(`request.${s}`);
      // The mail-events function files the kind its ACTIONS table gives for the SES event type.
      else if (arg === 'action' && text.includes('const ACTIONS')) for (const x of /const ACTIONS[^=]*= \{([^}]*)\}/.exec(text)![1]!.matchAll(/'([a-z_]+\.[a-z_]+)'/g)) kinds.add(x[1]!);
      else if (arg !== 'action') throw new Error(`an audit call whose kind this test cannot read: ${arg}`);
    }
  }
  return kinds;
}

describe('the audit trail in sentences', () => {
  it('has a sentence for every event kind the server writes', () => {
    const kinds = auditKinds();
    expect(kinds.size).toBeGreaterThan(40);
    const fallback = [...kinds].filter((k) => auditSentence({ at: '', actor: 'system', action: k }).includes(`: ${k.replaceAll('_', ' ')}`));
    expect(fallback).toEqual([]);
    // And no sentence for a kind nothing writes any more.
    expect(Object.keys(SENTENCES).filter((k) => !kinds.has(k))).toEqual([]);
  });

  it('says what a rectification did in each system', () => {
    expect(auditSentence({ at: '', actor: 'system', action: 'connector.succeeded', detail: { connectorId: 'stripe', records: 1, rectification: ['customers:phone:corrected'] } }, { stripe: 'Stripe' })).toBe(
      'Stripe: correction read back (customers:phone:corrected)',
    );
    expect(auditSentence({ at: '', actor: 'system', action: 'connector.succeeded', detail: { connectorId: 'ga', records: 0, rectification: 'not_applicable' } }, { ga: 'GA' })).toBe('GA: nothing to correct');
  });

  it('says which corrections staff chose where, and which they refused, without the values', () => {
    const detail = { corrections: { stripe: ['phone'], hubspot: ['phone', 'address'] }, refused: ['name'] };
    expect(auditSentence({ at: '', actor: 'anna@example.com', action: 'rectification.chosen', detail }, { stripe: 'Stripe', hubspot: 'HubSpot' })).toBe(
      'Staff anna@example.com chose the corrections: phone in Stripe; phone, address in HubSpot; refused: name',
    );
  });

  it('says who did what, in words', () => {
    expect(auditSentence({ at: '', actor: 'anna@example.com', action: 'review.approved', detail: { type: 'access' } })).toBe('Staff anna@example.com approved the request');
    expect(auditSentence({ at: '', actor: 'system', action: 'connector.succeeded', detail: { connectorId: 'hubspot', records: 12 } }, { hubspot: 'HubSpot' })).toBe('HubSpot: 12 records collected');
    expect(auditSentence({ at: '', actor: 'system', action: 'connector.succeeded', detail: { connectorId: 'stripe', erasure: ['customer:deleted:1', 'invoice:retained:4'] } }, { stripe: 'Stripe' })).toBe(
      'Stripe: customer deleted 1, invoice retained 4',
    );
    expect(auditSentence({ at: '', actor: 'anna@example.com', action: 'review.denied', detail: { reason: 'excessive', note: 'third this month' } })).toBe(
      'Staff anna@example.com denied the request: Excessive (repetitive) (third this month)',
    );
    expect(auditSentence({ at: '', actor: 'subject', action: 'request.filed', detail: { type: 'access', jurisdiction: 'GDPR', country: 'NO' } })).toBe('The subject filed an access request (GDPR, NO)');
    expect(auditSentence({ at: '', actor: 'system', action: 'request.completed' })).toBe('The workflow completed the request and told the subject');
  });

  it('tells a marketing opt-out in words: the filing, the list, and each system’s confirmation', () => {
    const names = { hubspot: 'HubSpot', stripe: 'Stripe' };
    expect(auditSentence({ at: '', actor: 'subject', action: 'request.filed', detail: { type: 'marketing_opt_out', jurisdiction: 'CCPA', country: 'US' } })).toBe(
      'The subject filed a marketing opt-out request (CCPA, US)',
    );
    expect(auditSentence({ at: '', actor: 'system', action: 'suppression.recorded', detail: {} })).toBe("The workflow put the subject's address, as a hash, on the marketing suppression list");
    expect(auditSentence({ at: '', actor: 'system', action: 'connector.succeeded', detail: { connectorId: 'hubspot', records: 2, suppression: ['subscription_preferences:2'] } }, names)).toBe(
      'HubSpot: marketing opt-out confirmed (subscription_preferences:2)',
    );
    expect(auditSentence({ at: '', actor: 'system', action: 'connector.succeeded', detail: { connectorId: 'stripe', records: 0, suppression: 'not_applicable' } }, names)).toBe(
      'Stripe: does not market, nothing to change',
    );
  });

  it('tells who was told of a restriction or its lifting under Art. 19, and who is left to staff', () => {
    expect(auditSentence({ at: '', actor: 'system', action: 'recipients.told', detail: { action: 'restriction', notified: ['Google'], byStaff: ['Microsoft'] } })).toBe(
      'The workflow passed the restriction on to its recipients (GDPR Art. 19): told Google; staff tell Microsoft',
    );
    expect(auditSentence({ at: '', actor: 'system', action: 'recipients.told', detail: { action: 'restriction_lifted', notified: [], byStaff: [] } })).toBe(
      'The workflow passed the lifting of the restriction on to its recipients (GDPR Art. 19): none concerned',
    );
    expect(auditSentence({ at: '', actor: 'system', action: 'recipients.told', detail: { action: 'rectification', notified: ['Stripe', 'HubSpot'], byStaff: [] } })).toBe(
      'The workflow passed the correction on to its recipients (GDPR Art. 19): told Stripe, HubSpot',
    );
  });

  it('reads an unknown kind as a sentence with its detail as text, never JSON', () => {
    const s = auditSentence({ at: '', actor: 'bo@example.com', action: 'tasks.ticked_off', detail: { task: 'tell Acme', done: { by: 'bo', at: '2026-12-06' } } });
    expect(s).toBe('Staff bo@example.com: tasks.ticked off (task: tell Acme; done: by bo, at 2026-12-06)');
    expect(s).not.toMatch(/[{}"]/);
  });
});
