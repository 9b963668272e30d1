import { beforeEach, describe, expect, it } from 'vitest';
import type { ConnectorRegistry } from '#connectors/registry';
import type { Connector, DataRecord, Subject } from '#connectors/types';
import { beforeReview } from '#domain/workflow/before-review';
import { REQUEST_ID, requestRecord, testContext, verificationFor, type TestContext } from '../../../support/in-memory-context.ts';

let ctx: TestContext;
let asked: string[];
const verified = {
  status: 'awaiting_review' as const,
  verification: verificationFor(REQUEST_ID, '123456', { verifiedAt: '2026-03-02T10:05:00.000Z' }),
};
const record: DataRecord = { object: 'charges', id: 'ch_1', data: { email: 'alice@example.com' } };
/** Every connector holds one record; `asked` lists each count. */
const registry = {
  get: (id: string) =>
    ({
      id,
      async *access(_subject: Subject) {
        asked.push(id);
        yield record;
      },
    }) as unknown as Connector,
} as unknown as ConnectorRegistry;
const noAttribute = () => async () => [] as string[];
const options = { sleep: async () => {} };

beforeEach(() => {
  ctx = testContext();
  asked = [];
});

describe('the step between verification and review', () => {
  it('counts the preview for a request staff review, with no partner match, and hands on the summary only', async () => {
    await ctx.memory.create(requestRecord(verified));

    const out = await beforeReview(ctx, registry, noAttribute, REQUEST_ID, options);

    expect(out.matched).toBe(false);
    expect(out.preview).toMatchObject({ recorded: true, failed: [] });
    expect(out.preview!.records).toBe(asked.length);
    expect(asked.length).toBeGreaterThan(1);
    expect(await ctx.memory.preview(REQUEST_ID)).toBeDefined();
  });

  it("counts nothing for a resale partner's end user, whose request staff forward or review without it", async () => {
    await ctx.memory.create(requestRecord({ ...verified, partner: { id: 'p1', name: 'Partner', contactEmail: 'dpo@partner.test', by: 'domain', at: '2026-03-02T10:06:00.000Z' } } as never));

    const out = await beforeReview(ctx, registry, noAttribute, REQUEST_ID, options);

    expect(out).toEqual({ matched: true, partnerId: 'p1' });
    expect(asked).toEqual([]);
    expect(await ctx.memory.preview(REQUEST_ID)).toBeUndefined();
  });

  it('counts nothing for a type approved automatically: nobody would read it before the work starts', async () => {
    await ctx.memory.create(requestRecord({ ...verified, type: 'marketing_opt_out' }));

    const out = await beforeReview(ctx, registry, noAttribute, REQUEST_ID, options);

    expect(out).toEqual({ matched: false });
    expect(asked).toEqual([]);
  });

  it('goes on to the review without a preview when the preview fails, naming the error type only', async () => {
    // Not verified: the preview refuses to touch a connector, the step still answers.
    await ctx.memory.create(requestRecord({ status: 'awaiting_review' }));

    const out = await beforeReview(ctx, registry, noAttribute, REQUEST_ID, options);

    expect(out).toEqual({ matched: false, previewSkipped: { Error: 'Error' } });
    expect(asked).toEqual([]);
  });
});
