/**
 * Logger and metrics, configured once (Powertools). Log request ids, never a subject's email, name or data.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';

export const logger = new Logger({ serviceName: 'dsar' });
export const metrics = new Metrics({ namespace: 'Dsar', serviceName: 'dsar' });
