/** Collect: the collect phase for one connector (see #domain/workflow/collect). */
import { collect } from '#domain/workflow/collect';
import { connectorStepHandler } from './connector-step.ts';

export const handler = connectorStepHandler(collect);
