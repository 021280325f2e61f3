/**
 * The closed set of error codes of the platform. They are the Connect codes by
 * name, so an error keeps its meaning on every hop: domain → ConnectError →
 * SDK.
 */
export const ErrorCode = {
  Canceled: 'canceled',
  Unknown: 'unknown',
  InvalidArgument: 'invalid_argument',
  DeadlineExceeded: 'deadline_exceeded',
  NotFound: 'not_found',
  AlreadyExists: 'already_exists',
  PermissionDenied: 'permission_denied',
  ResourceExhausted: 'resource_exhausted',
  FailedPrecondition: 'failed_precondition',
  Aborted: 'aborted',
  OutOfRange: 'out_of_range',
  Unimplemented: 'unimplemented',
  Internal: 'internal',
  Unavailable: 'unavailable',
  DataLoss: 'data_loss',
  Unauthenticated: 'unauthenticated',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

const allCodes: ReadonlySet<string> = new Set(Object.values(ErrorCode));

/** One invalid field of a request. */
export interface FieldViolation {
  readonly field: string;
  readonly description: string;
}

/** The expected and actual version of an optimistic concurrency check. */
export interface VersionConflict {
  readonly subject: string;
  readonly subjectId: string;
  readonly expectedVersion: bigint;
  readonly actualVersion: bigint;
}

export interface AmeideErrorOptions {
  /** Stable UPPER_SNAKE_CASE reason, e.g. `TOKEN_EXPIRED`. */
  readonly reason?: string;
  /** Service or primitive that raised the error, e.g. `ameide.transformation`. */
  readonly domain?: string;
  readonly fieldViolations?: readonly FieldViolation[];
  readonly conflict?: VersionConflict;
  readonly metadata?: Readonly<Record<string, string>>;
  readonly cause?: unknown;
}

// A registered symbol, so the guard works across duplicated copies of this
// package and inside the Temporal workflow sandbox.
const brand = Symbol.for('ameide.error');

/**
 * The one error type of Ameide. Domain code throws it, the service host maps it
 * onto a ConnectError with typed details, and the SDK turns ConnectErrors back
 * into it.
 */
export class AmeideError extends Error {
  // `string`, not the literal: subclasses (PersistenceError, ...) name themselves.
  override readonly name: string = 'AmeideError';
  readonly code: ErrorCode;
  readonly reason: string;
  readonly domain: string;
  readonly fieldViolations: readonly FieldViolation[];
  readonly conflict: VersionConflict | undefined;
  readonly metadata: Readonly<Record<string, string>>;
  readonly [brand] = true;

  constructor(code: ErrorCode, message: string, options: AmeideErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.reason = options.reason ?? code.toUpperCase();
    this.domain = options.domain ?? 'ameide';
    this.fieldViolations = options.fieldViolations ?? [];
    this.conflict = options.conflict;
    this.metadata = options.metadata ?? {};
  }

  /**
   * Wraps anything thrown into an AmeideError. AmeideErrors pass through;
   * everything else becomes `internal` (the original is kept as `cause`, never
   * in the message, so internals do not leak to callers).
   */
  static from(reason: unknown): AmeideError {
    if (isAmeideError(reason)) return reason;
    return new AmeideError(ErrorCode.Internal, 'internal error', { cause: reason });
  }

  /** `invalid_argument` naming the offending fields. */
  static invalidArgument(
    message: string,
    fieldViolations: readonly FieldViolation[] = [],
    options: AmeideErrorOptions = {},
  ): AmeideError {
    return new AmeideError(ErrorCode.InvalidArgument, message, {
      reason: 'INVALID_ARGUMENT',
      ...options,
      fieldViolations,
    });
  }

  /** `aborted` carrying the expected and the actual version. */
  static versionConflict(conflict: VersionConflict, options: AmeideErrorOptions = {}): AmeideError {
    return new AmeideError(
      ErrorCode.Aborted,
      `${conflict.subject} ${conflict.subjectId}: expected version ${conflict.expectedVersion}, actual version ${conflict.actualVersion}`,
      { reason: 'VERSION_CONFLICT', ...options, conflict },
    );
  }
}

/** True for an AmeideError from any copy of this package. */
export function isAmeideError(value: unknown): value is AmeideError {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[brand] === true
  );
}

/** True when `value` is one of the closed set of codes. */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && allCodes.has(value);
}
