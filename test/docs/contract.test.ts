/**
 * The contract check itself (test/support/contract.ts), which every handler and end-to-end test runs:
 * it must fail a wrong answer, or those tests prove nothing about the document.
 */
import { describe, expect, it } from 'vitest';
import { httpHandler } from '../../functions/handlers/http.ts';
import { ContractViolation, checkExchange, type Exchange } from '../support/contract.ts';
import { answer, apiEvent, checked, lambdaContext } from '../functions/handlers/support.ts';

const ID = 'dsar_test0000000001';
const exchange = (x: Partial<Exchange>): Exchange => ({
  method: 'POST',
  path: '/v1/requests',
  requestBody: JSON.stringify({ type: 'access', email: 'a@example.com' }),
  requestContentType: 'application/json',
  status: 202,
  responseContentType: 'application/json; charset=utf-8',
  responseBody: JSON.stringify({ requestId: ID, status: 'received', verification: 'code' }),
  ...x,
});
const violation = (x: Partial<Exchange>) => {
  try {
    checkExchange(exchange(x));
    return undefined;
  } catch (err) {
    return err instanceof ContractViolation ? err.message : `not a violation: ${String(err)}`;
  }
};

describe('the contract check', () => {
  it('passes an answer the document describes', () => {
    expect(violation({})).toBeUndefined();
  });

  it('fails a route or a method the document does not have', () => {
    expect(violation({ path: '/v1/nothing' })).toMatch(/no such path/);
    expect(violation({ method: 'DELETE' })).toMatch(/method is not documented/);
  });

  it('fails a status the operation does not declare', () => {
    expect(violation({ status: 201 })).toMatch(/status the document does not declare/);
  });

  it('fails a body off the schema: a wrong value, a missing field, a field the document does not list', () => {
    expect(violation({ responseBody: JSON.stringify({ requestId: ID, status: 'filed' }) })).toMatch(/allowed values/);
    expect(violation({ responseBody: JSON.stringify({ status: 'received', verification: 'code' }) })).toMatch(/requestId/);
    expect(violation({ responseBody: JSON.stringify({ requestId: ID, status: 'received', verification: 'code', email: 'a@example.com' }) })).toMatch(/additional properties.*email/);
  });

  it('fails a content type other than the declared one, and a body where the document declares none', () => {
    expect(violation({ responseContentType: 'text/plain' })).toMatch(/content type text\/plain/);
    expect(violation({ method: 'GET', path: `/v1/downloads/${ID}?token=t`, requestBody: undefined, status: 302, responseBody: '{"url":"x"}' })).toMatch(/declares no content/);
  });

  it('fails a request body the document rejects when the API accepts it, and lets the API refuse it', () => {
    const extra = JSON.stringify({ type: 'access', email: 'a@example.com', phone: '1' });
    expect(violation({ requestBody: extra })).toMatch(/request: body does not match.*yet the API answered 202/);
    expect(violation({ requestBody: extra, status: 400, responseBody: JSON.stringify({ error: { code: 'invalid_request', message: 'm' } }) })).toBeUndefined();
  });

  it('fails a handler test whose handler answers what the document does not promise', async () => {
    const wrong = checked(httpHandler({}, async () => ({ status: 202, body: { requestId: ID, status: 'queued' } })));

    await expect(wrong(apiEvent({ body: JSON.stringify({ type: 'access', email: 'a@example.com' }) }), lambdaContext())).rejects.toThrow(ContractViolation);
  });

  it('refuses to read an answer that did not go through the check', async () => {
    const unchecked = httpHandler({}, async () => ({ status: 202, body: { requestId: ID, status: 'received', verification: 'code' } }));

    const result = await unchecked(apiEvent(), lambdaContext());
    expect(() => answer(result)).toThrow(/checked\(\)/);
  });
});
