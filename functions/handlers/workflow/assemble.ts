import { storeContext } from '#domain/store-context';
import { assemble } from '#domain/workflow/assemble';
import { requestIdInput, workflowHandler } from './steps.ts';

export const handler = workflowHandler(requestIdInput, ({ requestId }) => assemble(storeContext(), requestId));
