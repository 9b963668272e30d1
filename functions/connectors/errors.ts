/**
 * Typed connector errors. Their `name` is what the state machine's `Retry` and `Catch` match on
 * (Lambda reports the error's name as `errorType`), so the names are part of the ASL contract.
 */
export type ConnectorErrorName =
  | 'ConnectorThrottled'
  | 'ConnectorUnavailable'
  | 'ConnectorAuthFailed'
  | 'ConnectorMisconfigured';

export abstract class ConnectorError extends Error {
  abstract override readonly name: ConnectorErrorName;
  /** Whether the state machine should try again. */
  abstract readonly transient: boolean;
  constructor(
    readonly connectorId: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${connectorId}: ${message}`, options);
  }
}

/** The vendor asked us to slow down; `retryAfterMs` is its hint when it gave one. */
export class ConnectorThrottled extends ConnectorError {
  readonly name = 'ConnectorThrottled' as const;
  readonly transient = true;
  constructor(connectorId: string, message: string, readonly retryAfterMs?: number, options?: { cause?: unknown }) {
    super(connectorId, message, options);
  }
}

/** Network failure, timeout or 5xx: worth another try. */
export class ConnectorUnavailable extends ConnectorError {
  readonly name = 'ConnectorUnavailable' as const;
  readonly transient = true;
}

/** Credentials rejected: needs a person, retrying will not help. */
export class ConnectorAuthFailed extends ConnectorError {
  readonly name = 'ConnectorAuthFailed' as const;
  readonly transient = false;
}

/** Configuration does not match the system (missing table, bad object name). */
export class ConnectorMisconfigured extends ConnectorError {
  readonly name = 'ConnectorMisconfigured' as const;
  readonly transient = false;
}

/**
 * The vendor answered, but not for everything asked: a batch or multi-status answer that leaves ids
 * unaccounted for, or a page that says there is more without a way to it. Named `ConnectorUnavailable`
 * on purpose: the state machine retries it like any transient failure (a vendor hiccup usually is one)
 * and, when it persists, surfaces it to staff as a failed connector. Never a silently shorter export.
 */
export class ConnectorIncompleteAnswer extends ConnectorUnavailable {}
