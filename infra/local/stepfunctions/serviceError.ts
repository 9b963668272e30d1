/**
 * An error the endpoint returns to the client in the AWS JSON 1.0 shape.
 * `type` is the Step Functions exception name (ExecutionAlreadyExists, TaskDoesNotExist, ...):
 * the AWS SDK maps it to the exception class of the same name.
 */
export class ServiceError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly statusCode = 400,
  ) {
    super(message);
    this.name = type;
  }
}

export function requireString(body: Record<string, unknown>, field: string): string {
  const value = body[field];
  if (typeof value !== 'string' || value.length === 0) {
    throw new ServiceError('ValidationException', `1 validation error detected: '${field}' must be a non-empty string`);
  }
  return value;
}

export function optionalString(body: Record<string, unknown>, field: string): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') {
    throw new ServiceError('ValidationException', `1 validation error detected: '${field}' must be a string`);
  }
  return value;
}
