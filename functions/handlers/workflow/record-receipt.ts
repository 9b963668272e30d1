import { appContext } from '#domain/context';
import { recordReceipt, usualReceipt } from '#domain/workflow/receipt';
import { requestIdInput, workflowHandler } from './steps.ts';

// A duplicate or a reopened run leaves as an error the workflow catches into its own way on.
export const handler = workflowHandler(requestIdInput, async ({ requestId }) => usualReceipt(await recordReceipt(appContext(), requestId)));
