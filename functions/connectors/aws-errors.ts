/** Maps AWS SDK errors from the company's own stores onto the typed connector errors. */
import {
  ConnectorAuthFailed,
  ConnectorError,
  ConnectorMisconfigured,
  ConnectorThrottled,
  ConnectorUnavailable,
} from './errors.ts';

const THROTTLING = new Set([
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'SlowDown',
  'TooManyRequestsException',
]);
const MISCONFIGURED = new Set(['ResourceNotFoundException', 'NoSuchBucket', 'ValidationException', 'InvalidBucketName']);
const AUTH = new Set(['AccessDeniedException', 'AccessDenied', 'UnrecognizedClientException', 'InvalidAccessKeyId', 'SignatureDoesNotMatch', 'ExpiredToken']);

export function mapAwsError(connectorId: string, err: unknown): ConnectorError {
  if (err instanceof ConnectorError) return err;
  const e = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const name = e?.name ?? 'Error';
  const message = `${name}: ${e?.message ?? String(err)}`;
  if (THROTTLING.has(name)) return new ConnectorThrottled(connectorId, message, undefined, { cause: err });
  if (MISCONFIGURED.has(name)) return new ConnectorMisconfigured(connectorId, message, { cause: err });
  if (AUTH.has(name)) return new ConnectorAuthFailed(connectorId, message, { cause: err });
  return new ConnectorUnavailable(connectorId, message, { cause: err });
}
