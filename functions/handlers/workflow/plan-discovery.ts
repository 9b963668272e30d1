import { appContext } from '#domain/context';
import { planDiscovery } from '#domain/workflow/discover';
import { requestIdInput, workflowHandler } from './steps.ts';

export const handler = workflowHandler(requestIdInput, ({ requestId }) => planDiscovery(appContext(), requestId));
