import { afterEach, describe, expect, it, vi } from 'vitest';
import { collect, inOrderAhead, limiter, mapInOrder } from '#connectors/concurrency';
import { VendorHttp } from '#connectors/http';

/** A promise settled from outside, so a test decides in which order calls finish. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets every queued microtask and callback run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('mapInOrder', () => {
  it('returns the results in the items’ order although the calls finish in reverse', async () => {
    const calls = [0, 1, 2, 3].map(() => deferred<string>());
    const all = mapInOrder([0, 1, 2, 3], 4, (i) => calls[i]!.promise);
    await settle();
    for (const i of [3, 2, 1, 0]) calls[i]!.resolve(`r${i}`);
    expect(await all).toEqual(['r0', 'r1', 'r2', 'r3']);
  });

  it('starts no more than the limit at once, and the next one only when one has finished', async () => {
    const calls = Array.from({ length: 10 }, () => deferred<number>());
    const started: number[] = [];
    const all = mapInOrder(Array.from({ length: 10 }, (_, i) => i), 3, (i) => {
      started.push(i);
      return calls[i]!.promise;
    });
    await settle();
    expect(started).toEqual([0, 1, 2]);
    calls[1]!.resolve(1);
    await settle();
    expect(started).toEqual([0, 1, 2, 3]);
    for (const [i, c] of calls.entries()) c.resolve(i);
    expect(await all).toHaveLength(10);
    expect(started).toHaveLength(10);
  });

  it('does not start the waiting calls after one has failed, and raises that failure', async () => {
    const started: number[] = [];
    const first = deferred<number>();
    const all = mapInOrder([0, 1, 2, 3], 1, (i) => {
      started.push(i);
      return i === 0 ? first.promise : Promise.resolve(i);
    });
    first.reject(new Error('vendor said no'));
    await expect(all).rejects.toThrow('vendor said no');
    expect(started).toEqual([0]);
  });

  it('shares one bound among the callers of one limiter', async () => {
    const run = limiter(2);
    const gate = deferred<void>();
    let inFlight = 0;
    let most = 0;
    const task = () => run(async () => {
      most = Math.max(most, ++inFlight);
      await gate.promise;
      inFlight--;
    });
    const both = Promise.all([mapInOrder([1, 2, 3], 3, task), mapInOrder([4, 5, 6], 3, task)]);
    await settle();
    expect(inFlight).toBe(2);
    gate.resolve();
    await both;
    expect(most).toBe(2);
  });
});

describe('inOrderAhead', () => {
  it('yields in the items’ order with at most `ahead` calls started beyond what was taken', async () => {
    const calls = Array.from({ length: 6 }, () => deferred<number>());
    const started: number[] = [];
    async function* items() {
      for (let i = 0; i < 6; i++) yield i;
    }
    const out = inOrderAhead(items(), 2, (i) => {
      started.push(i);
      return calls[i]!.promise;
    });
    const first = out.next();
    await settle();
    expect(started).toEqual([0, 1]);
    calls[1]!.resolve(1);
    calls[0]!.resolve(0);
    expect(await first).toEqual({ value: 0, done: false });
    for (const [i, c] of calls.entries()) c.resolve(i);
    expect([1, ...(await collect(out))]).toEqual([1, 1, 2, 3, 4, 5]);
    expect(started).toEqual([0, 1, 2, 3, 4, 5]);
  });
});

describe('VendorHttp with maxConcurrent', () => {
  it('keeps at most that many requests at the vendor however many are sent at once', async () => {
    const answers: Array<ReturnType<typeof deferred<Response>>> = [];
    vi.stubGlobal('fetch', () => {
      const answer = deferred<Response>();
      answers.push(answer);
      return answer.promise;
    });
    const http = new VendorHttp({ connectorId: 'vendor', maxConcurrent: 3 });
    const all = Promise.all(Array.from({ length: 10 }, (_, i) => http.json<{ i: number }>({ url: `http://vendor.test/${i}`, label: 'GET thing' })));
    let most = 0;
    for (let answered = 0; answered < 10; answered++) {
      await settle();
      most = Math.max(most, answers.length - answered);
      answers[answered]!.resolve(Response.json({ i: answered }));
    }
    expect((await all).map((r) => r.i)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(most).toBe(3);
  });
});
