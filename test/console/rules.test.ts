import { describe, expect, it } from 'vitest';
import { allowedActions, needsTypedConfirmation } from '../../console/src/console/rules.ts';
import { DENIAL_REASON_LABEL, DENIAL_REASON_TEXT } from '../../console/src/shared/labels.ts';
import { DENIAL_REASONS } from '../../functions/domain/requests/staff.ts';
import { STATUSES } from '../../functions/domain/requests/model.ts';

const approver = ['approver'] as const;
const viewer = ['viewer'] as const;

describe('the actions the console offers', () => {
  it('It should offer approve, deny, extend, pause, assign and cancel on a request awaiting review', () => {
    expect(allowedActions({ status: 'awaiting_review' }, approver)).toEqual(['approve', 'deny', 'extend', 'pause', 'assign', 'cancel']);
  });

  it('It should offer retry only when a connector failed, and accept-partial when staff must decide', () => {
    expect(allowedActions({ status: 'awaiting_staff', connectors: [{ status: 'failed' }, { status: 'succeeded' }] }, approver)).toEqual([
      'retry',
      'accept-partial',
      'extend',
      'pause',
      'assign',
      'cancel',
    ]);
    expect(allowedActions({ status: 'awaiting_staff', connectors: [{ status: 'succeeded' }] }, approver)).not.toContain('retry');
  });

  it('It should not offer a second extension, and offer resume instead of pause while paused', () => {
    const actions = allowedActions({ status: 'in_progress', extension: { reason: 'complex' }, pause: { since: '2026-01-01' } }, approver);
    expect(actions).toEqual(['resume', 'assign', 'cancel']);
  });

  it('It should offer only assign and cancel before verification, and nothing but download once closed', () => {
    expect(allowedActions({ status: 'awaiting_verification' }, approver)).toEqual(['assign', 'cancel']);
    for (const status of ['completed', 'completed_partial', 'denied', 'cancelled', 'duplicate', 'unverified_closed']) {
      expect(allowedActions({ status }, approver), status).toEqual([]);
    }
    expect(allowedActions({ status: 'completed', package: { key: 'k' } }, approver)).toEqual(['download']);
  });

  it('It should give a viewer no state-changing action in any status', () => {
    for (const status of STATUSES) {
      expect(allowedActions({ status, connectors: [{ status: 'failed' }] }, viewer), status).toEqual([]);
    }
    // Reviewing the package is privileged: the API refuses viewers, so the console does not offer it.
    expect(allowedActions({ status: 'completed', package: { key: 'k' } }, viewer)).toEqual([]);
    expect(allowedActions({ status: 'awaiting_review' }, [])).toEqual([]);
  });

  it('It should ask for the typed request id only when approving an erasure', () => {
    expect(needsTypedConfirmation('approve', 'erasure')).toBe(true);
    expect(needsTypedConfirmation('approve', 'access')).toBe(false);
    expect(needsTypedConfirmation('deny', 'erasure')).toBe(false);
  });

  it('It should know every denial reason the API accepts, and no other', () => {
    expect(Object.keys(DENIAL_REASON_TEXT).sort()).toEqual(Object.keys(DENIAL_REASONS).sort());
    expect(Object.keys(DENIAL_REASON_LABEL).sort()).toEqual(Object.keys(DENIAL_REASONS).sort());
    expect(DENIAL_REASON_TEXT).toEqual(DENIAL_REASONS);
  });
});
