/** GET /v1/admin/requests/{id}/agent-permission: a short-lived, audited link to the agent's signed permission (approver role). */
import { appContext } from '#domain/context';
import { permissionLink } from '#domain/agents/permission-link';
import { httpHandler, requestIdFrom } from '../http.ts';

export const handler = httpHandler({ staffRole: 'approver' }, async ({ path, staff }) => ({
  status: 200,
  body: await permissionLink(appContext(), requestIdFrom(path), staff!.id),
}));
