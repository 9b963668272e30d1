import { describe, expect, it } from 'vitest';
import { offeredActions, offeredPartnerActions, offeredRestrictionActions } from '../../console/src/console/rules.ts';

describe('the partner panel’s actions', () => {
  it('are the processor-mode actions the API offers, in the panel’s order', () => {
    const detail = { actions: ['not-partner', 'cancel', 'forward', 'partner-instruction', 'assign'] };
    expect(offeredPartnerActions(detail)).toEqual(['forward', 'partner-instruction', 'not-partner']);
  });

  it('stay out of the general action bar, which has no dialogs for them', () => {
    expect(offeredActions({ actions: ['forward', 'partner-instruction', 'not-partner', 'cancel'] })).toEqual(['cancel']);
  });

  it('are none when the API offers none', () => {
    expect(offeredPartnerActions({ actions: ['approve', 'deny'] })).toEqual([]);
    expect(offeredPartnerActions({})).toEqual([]);
  });
});

describe('the restriction panel’s actions', () => {
  it('are the restriction actions the API offers, in the panel’s order, and stay out of the action bar', () => {
    expect(offeredRestrictionActions({ actions: ['lift', 'cancel', 'announce-lifting'] })).toEqual(['announce-lifting', 'lift']);
    expect(offeredRestrictionActions({ actions: ['forward', 'approve'] })).toEqual([]);
    expect(offeredRestrictionActions({})).toEqual([]);
    expect(offeredActions({ actions: ['announce-lifting', 'lift', 'cancel'] })).toEqual(['cancel']);
  });
});
