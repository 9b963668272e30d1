/** ActWithConnector: the act phase for one connector (erase, suppress marketing, restrict, rectify), dispatched on the request's stored type. */
import { actWithConnector } from '#domain/workflow/act';
import { connectorStepHandler } from './connector-step.ts';

export const handler = connectorStepHandler(actWithConnector);
