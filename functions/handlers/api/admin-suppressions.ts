/**
 * POST /v1/admin/suppressions/check {emails}: which of these addresses opted out of marketing (the
 * suppression list, ../../domain/suppression/list.ts), for the company's imports, syncs and sign-up
 * flows to call before they turn marketing on for anyone. Any staff role (or the integration's own staff
 * identity); the answer names only the addresses asked about, never the list.
 */
import * as z from 'zod/mini';
import '#commons/zod';
import { appContext } from '#domain/context';
import { CHECK_MAX_ADDRESSES, suppressedAmong } from '#domain/suppression/list';
import { httpHandler } from '../http.ts';

export const checkSuppressionsBody = z.strictObject({
  emails: z
    .array(z.pipe(z.string().check(z.trim(), z.maxLength(254)), z.email({ error: 'each entry of emails must be an email address' })))
    .check(z.minLength(1, 'emails must list at least one address'), z.maxLength(CHECK_MAX_ADDRESSES, `emails lists at most ${CHECK_MAX_ADDRESSES} addresses; check a larger import in batches`)),
});

export const handler = httpHandler({ staffRole: 'viewer', body: checkSuppressionsBody }, async ({ body }) => ({
  status: 200,
  body: { suppressed: await suppressedAmong(appContext().suppressions, body.emails) },
}));
