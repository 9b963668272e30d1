import { appContext } from '#domain/context';
import { approveAutomatically } from '#domain/workflow/approve';
import { requestIdInput, workflowHandler } from './steps.ts';

export const handler = workflowHandler(requestIdInput, ({ requestId }) => approveAutomatically(appContext(), requestId));
