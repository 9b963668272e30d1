import { appContext } from '#domain/context';
import { planConnectors } from '#domain/workflow/plan';
import { requestIdInput, workflowHandler } from './steps.ts';

export const handler = workflowHandler(requestIdInput, ({ requestId }) => planConnectors(appContext(), requestId));
