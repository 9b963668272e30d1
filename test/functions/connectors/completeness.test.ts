import { describe, expect, it } from 'vitest';
import { accountFor, checkTotal, listIn, nextCursor } from '#connectors/completeness';
import { ConnectorIncompleteAnswer, ConnectorUnavailable } from '#connectors/errors';

const idOf = (o: { id: string }) => o.id;

describe('accountFor', () => {
  it('returns the records asked for and the ids the vendor said do not exist', () => {
    const answer = accountFor('hubspot', 'POST notes/batch/read', {
      asked: ['1', '2', '3'],
      returned: [{ id: '1' }, { id: '3' }],
      idOf,
      notFound: ['2'],
    });
    expect(answer).toEqual({ found: [{ id: '1' }, { id: '3' }], notFound: ['2'] });
  });

  it('fails when an id is neither returned nor reported not found, naming the count and the vendor codes but no ids', () => {
    const err = (() => {
      try {
        accountFor('hubspot', 'POST notes/batch/read', { asked: ['alice@example.com', '2'], returned: [{ id: '2' }], idOf, failures: ['INTERNAL_ERROR'] });
      } catch (e) {
        return e;
      }
    })() as Error;
    expect(err).toBeInstanceOf(ConnectorIncompleteAnswer);
    expect(err.message).toBe('hubspot: POST notes/batch/read left 1 of 2 requested records unaccounted for (INTERNAL_ERROR)');
    expect(err.message).not.toContain('alice');
  });

  it('does not let records nobody asked for, or a not-found for an id it did not ask about, fill a gap', () => {
    const run = () => accountFor('x', 'batch', { asked: ['1', '2'], returned: [{ id: '1' }, { id: '9' }], idOf, notFound: ['8'] });
    expect(run).toThrow(ConnectorIncompleteAnswer);
  });

  it('is named ConnectorUnavailable, so the state machine retries it and then hands it to staff', () => {
    const err = new ConnectorIncompleteAnswer('stripe', 'x');
    expect(err).toBeInstanceOf(ConnectorUnavailable);
    expect([err.name, err.transient]).toEqual(['ConnectorUnavailable', true]);
  });
});

describe('nextCursor', () => {
  it('follows a page that has more and a cursor, and stops at the real end', () => {
    expect(nextCursor('x', 'GET list', { more: true, cursor: 'c2', size: 100, previous: 'c1' })).toBe('c2');
    expect(nextCursor('x', 'GET list', { more: false, size: 3 })).toBeUndefined();
    expect(nextCursor('x', 'GET list', { more: false, size: 0 })).toBeUndefined();
  });

  it.each([
    ['more without a cursor', { more: true, cursor: undefined, size: 100 }, 'said there is more but gave no cursor to it'],
    ['more with a null cursor', { more: true, cursor: null, size: 100 }, 'said there is more but gave no cursor to it'],
    ['more with an empty page', { more: true, cursor: 'c2', size: 0 }, 'said there is more but returned an empty page'],
    ['the same cursor again', { more: true, cursor: 'c1', size: 10, previous: 'c1' }, 'returned the same page cursor again'],
  ])('treats %s as a listing cut short', (_name, page, message) => {
    expect(() => nextCursor('x', 'GET list', page)).toThrow(new ConnectorIncompleteAnswer('x', `GET list ${message}`));
  });

  it('lets an empty page lead on where the store allows it (S3 listings)', () => {
    expect(nextCursor('calls', 'ListObjectsV2', { more: true, cursor: 't', size: 0, emptyMayContinue: true })).toBe('t');
  });
});

describe('checkTotal', () => {
  it('accepts as many records as the total or more, and an answer without a total', () => {
    expect(() => checkTotal('x', 'query', 5, 5)).not.toThrow();
    expect(() => checkTotal('x', 'query', 6, 5)).not.toThrow();
    expect(() => checkTotal('x', 'query', 0, undefined)).not.toThrow();
  });

  it('fails a listing that ended before its total', () => {
    expect(() => checkTotal('salesforce', 'query Contact', 3, 4)).toThrow(new ConnectorIncompleteAnswer('salesforce', 'query Contact ended after 3 of 4 records'));
  });
});

describe('listIn', () => {
  it('passes a list and fails on anything else', () => {
    expect(listIn('x', 'GET', [1])).toEqual([1]);
    expect(() => listIn('x', 'GET charges', undefined, 'data')).toThrow(new ConnectorIncompleteAnswer('x', 'GET charges answered without its data list'));
    expect(() => listIn('x', 'GET', { results: [] })).toThrow(ConnectorIncompleteAnswer);
  });
});
