/** GET /v1/admin/requests/{id}/package: a short-lived link to the request's package for review (approver role). */
import { appContext } from '#domain/context';
import { packageReviewUrl } from '#domain/release/review-link';
import { httpHandler, requestIdFrom } from '../http.ts';

export const handler = httpHandler({ staffRole: 'approver' }, async ({ path, staff }) => ({
  status: 200,
  body: await packageReviewUrl(appContext(), requestIdFrom(path), staff!.id),
}));
