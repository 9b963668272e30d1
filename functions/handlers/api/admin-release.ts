/**
 * GET /v1/admin/requests/{id}/contents?connector=&object=&offset=&limit=: what a package awaiting release
 * holds, with a page of one object's records; POST .../withhold {connectorId, object, recordId?, field?,
 * reason, note?}: leave a part out, with the reason the subject reads (the package is rebuilt). Both need
 * the approver role (the contents disclose the subject's data); every call is audited. The release is
 * the staff action `release` of admin-act.
 */
import * as z from 'zod/mini';
import '#commons/zod';
import { storeContext } from '#domain/store-context';
import { WITHHOLDING_REASONS } from '#domain/requests/model';
import { PREVIEW_LIMIT, packageContents, withhold } from '#domain/release/index';
import { actionInput, decimalInteger, httpHandler, requestIdFrom, validate } from '../http.ts';

const name = (what: string) => z.string().check(z.trim(), z.minLength(1, `${what} is required`), z.maxLength(200));

/** The body of each action, by the action in the path (test/docs/openapi-zod.test.ts holds docs/openapi.yaml to them). */
export const bodies = {
  withhold: z.strictObject({
    connectorId: name('connectorId'),
    object: name('object'),
    recordId: z.optional(name('recordId')),
    field: z.optional(name('field')),
    reason: z.enum(WITHHOLDING_REASONS, { error: `reason must be one of ${WITHHOLDING_REASONS.join(', ')}` }),
    note: z.optional(z.string().check(z.trim(), z.maxLength(2000))),
  }),
};
type Action = keyof typeof bodies;

const contentsQuery = z.object({
  connector: z.optional(z.string().check(z.maxLength(200))),
  object: z.optional(z.string().check(z.maxLength(200))),
  offset: z.optional(decimalInteger(0, 10_000_000, 'offset is a whole number from 0')),
  limit: z.optional(decimalInteger(1, PREVIEW_LIMIT, `limit is a whole number from 1 to ${PREVIEW_LIMIT}`)),
});

export const handler = httpHandler({ staffRole: 'approver', body: z.unknown() }, async ({ event, path, query, body, staff }) => {
  const ctx = storeContext();
  const id = requestIdFrom(path);
  const actor = staff!.id;
  // One function serves two routes; the route key (or the path locally) names the one called.
  const action = event.routeKey?.split('/').pop() ?? event.rawPath.split('/').pop();
  if (action === 'contents') {
    const q = validate(contentsQuery, query, 'invalid_query');
    return { status: 200, body: await packageContents(ctx, id, actor, q) };
  }
  const input = actionInput(bodies, action as Action, body);
  return { status: 200, body: await withhold(ctx, id, actor, input) };
});
