import { appContext } from '#domain/context';
import { assemble } from '#domain/workflow/assemble';
import { requestIdInput, workflowHandler } from './steps.ts';

export const handler = workflowHandler(requestIdInput, ({ requestId }) => assemble(appContext(), requestId));
