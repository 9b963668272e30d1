import { appContext } from '#domain/context';
import { recordReceipt } from '#domain/workflow/receipt';
import { requestIdInput, workflowHandler } from './steps.ts';

export const handler = workflowHandler(requestIdInput, ({ requestId }) => recordReceipt(appContext(), requestId));
