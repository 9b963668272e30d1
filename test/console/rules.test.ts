import { describe, expect, it } from 'vitest';
import { denialReasonsFor, needsTypedConfirmation, offeredActions } from '../../console/src/console/rules.ts';
import { DENIAL_REASON_LABEL, DENIAL_REASON_TEXT } from '../../console/src/shared/labels.ts';
import { DENIAL_REASONS } from '../../functions/domain/requests/model.ts';

describe('the actions the console offers', () => {
  it('It should offer exactly the actions the API says it would accept, in a fixed order', () => {
    expect(offeredActions({ actions: ['cancel', 'assign', 'extend', 'deny', 'approve'] })).toEqual(['approve', 'deny', 'extend', 'cancel', 'assign']);
  });

  it('It should offer nothing the API did not list: no pause when the law forbids it, nothing for a viewer', () => {
    // A CCPA request awaiting review, as the API answers it: no pause, because CCPA counts from receipt.
    expect(offeredActions({ actions: ['approve', 'deny', 'extend', 'assign', 'cancel'] })).not.toContain('pause');
    expect(offeredActions({ actions: [] })).toEqual([]);
    expect(offeredActions({})).toEqual([]);
  });

  it('It should leave out an action name it has no dialog for', () => {
    expect(offeredActions({ actions: ['approve', 'escalate-to-ceo'] })).toEqual(['approve']);
  });

  it('It should ask for the typed request id only when approving an erasure', () => {
    expect(needsTypedConfirmation('approve', 'erasure')).toBe(true);
    expect(needsTypedConfirmation('approve', 'access')).toBe(false);
    expect(needsTypedConfirmation('deny', 'erasure')).toBe(false);
  });

  it('It should offer only the agent-permission reason before the subject verified, as the API refuses every other then', () => {
    const all = Object.keys(DENIAL_REASON_LABEL);
    expect(denialReasonsFor({ status: 'awaiting_verification' }, all)).toEqual(['agent_permission_insufficient']);
    expect(denialReasonsFor({ status: 'awaiting_review' }, all)).toEqual(all);
  });

  it('It should know every denial reason the API accepts, and no other', () => {
    expect(Object.keys(DENIAL_REASON_TEXT).sort()).toEqual(Object.keys(DENIAL_REASONS).sort());
    expect(Object.keys(DENIAL_REASON_LABEL).sort()).toEqual(Object.keys(DENIAL_REASONS).sort());
    expect(DENIAL_REASON_TEXT).toEqual(DENIAL_REASONS);
  });
});
