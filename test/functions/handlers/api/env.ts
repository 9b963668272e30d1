/** The environment the API handlers read, set before any handler builds its context. */
import { vi } from 'vitest';
import { resetAppContext } from '#domain/context';
import { exampleConfigJson } from '../../../support/in-memory-context.ts';

export function stubHandlerEnv(): void {
  vi.stubEnv('DSAR_TABLE', 'dsar-test-table');
  vi.stubEnv('DSAR_STAGING_BUCKET', 'dsar-staging');
  vi.stubEnv('DSAR_EXPORTS_BUCKET', 'dsar-exports');
  vi.stubEnv('DSAR_STATE_MACHINE_ARN', 'arn:aws:states:eu-north-1:123456789012:stateMachine:dsar');
  vi.stubEnv('DSAR_CONFIG', JSON.stringify(exampleConfigJson()));
  resetAppContext();
}
