import { AmeideError, type FieldViolation } from '@ameide/errors';

/** The Connect codes (AmeideError codes) persistence errors carry. */
export type PersistenceErrorCode =
  'invalid_argument' | 'failed_precondition' | 'aborted' | 'internal';

/** The closed set of reasons, each with its fixed code. */
export const PersistenceErrorReason = {
  /** A tenant id is missing, too long or has characters outside `[A-Za-z0-9._-]`. */
  InvalidTenantId: 'INVALID_TENANT_ID',
  /** A schema, table or role name is not a plain lower-case SQL identifier. */
  InvalidIdentifier: 'INVALID_IDENTIFIER',
  /** Options given to a factory are unusable. */
  InvalidOptions: 'INVALID_OPTIONS',
  /** A transaction handle was used after its transaction ended. */
  TransactionClosed: 'TRANSACTION_CLOSED',
  /** The database was called (not the `tx`) inside one of its own transactions. */
  NestedDatabaseCall: 'NESTED_DATABASE_CALL',
  /** COMMIT rolled back because a statement in the transaction had failed. */
  TransactionAborted: 'TRANSACTION_ABORTED',
  /** The database was used after `close()`. */
  DatabaseClosed: 'DATABASE_CLOSED',
  /** The app role does not exist. */
  RoleNotFound: 'ROLE_NOT_FOUND',
  /** The app role is a superuser, has BYPASSRLS, can become such a role, or owns tables. */
  RoleCanBypassRls: 'ROLE_CAN_BYPASS_RLS',
  /** Migration files are malformed, duplicated or have gaps. */
  MigrationInvalid: 'MIGRATION_INVALID',
  /** An applied migration is no longer in the given set. */
  MigrationMissing: 'MIGRATION_MISSING',
  /** An applied migration was edited after it was applied. */
  MigrationChecksumMismatch: 'MIGRATION_CHECKSUM_MISMATCH',
  /** A migration's SQL failed; its transaction was rolled back. */
  MigrationFailed: 'MIGRATION_FAILED',
} as const;

export type PersistenceErrorReason =
  (typeof PersistenceErrorReason)[keyof typeof PersistenceErrorReason];

const codeOf: Record<PersistenceErrorReason, PersistenceErrorCode> = {
  INVALID_TENANT_ID: 'invalid_argument',
  INVALID_IDENTIFIER: 'invalid_argument',
  INVALID_OPTIONS: 'invalid_argument',
  TRANSACTION_CLOSED: 'failed_precondition',
  NESTED_DATABASE_CALL: 'failed_precondition',
  TRANSACTION_ABORTED: 'aborted',
  DATABASE_CLOSED: 'failed_precondition',
  ROLE_NOT_FOUND: 'failed_precondition',
  ROLE_CAN_BYPASS_RLS: 'failed_precondition',
  MIGRATION_INVALID: 'failed_precondition',
  MIGRATION_MISSING: 'failed_precondition',
  MIGRATION_CHECKSUM_MISMATCH: 'failed_precondition',
  MIGRATION_FAILED: 'internal',
};

export interface PersistenceErrorOptions {
  /** Context worth logging: role, schema, script, checksums, ... */
  readonly metadata?: Readonly<Record<string, string>>;
  /** For invalid input: which field and why. */
  readonly fieldViolations?: readonly FieldViolation[];
  readonly cause?: unknown;
}

// A registered symbol, so the guards work across duplicated copies of this package.
const brand = Symbol.for('ameide.persistence.error');

/**
 * The error of `@ameide/persistence`: an `AmeideError` (domain
 * `ameide.persistence`) whose `reason` is one of a closed set that fixes its
 * `code`, so the service host maps it onto Connect like any other. Errors
 * raised by Postgres itself pass through unchanged; read their SQLSTATE with
 * {@link sqlStateOf}.
 */
export class PersistenceError extends AmeideError {
  override readonly name: string = 'PersistenceError';
  declare readonly code: PersistenceErrorCode;
  declare readonly reason: PersistenceErrorReason;
  readonly [brand] = true;

  constructor(
    reason: PersistenceErrorReason,
    message: string,
    options: PersistenceErrorOptions = {},
  ) {
    super(codeOf[reason], message, { ...options, reason, domain: 'ameide.persistence' });
  }
}

/** Where a {@link MigrationError} happened and, for edits, both checksums. */
export interface MigrationErrorContext {
  readonly schema: string;
  readonly script?: string;
  readonly version?: number;
  /** Checksum recorded in `schema_history` when the migration was applied. */
  readonly appliedChecksum?: string;
  /** Checksum of the migration as given now. */
  readonly currentChecksum?: string;
}

/** A migration run was refused or failed. Nothing of the offending migration is applied. */
export class MigrationError extends PersistenceError {
  override readonly name: string = 'MigrationError';
  readonly context: MigrationErrorContext;

  constructor(
    reason: Extract<PersistenceErrorReason, `MIGRATION_${string}`>,
    message: string,
    context: MigrationErrorContext,
    cause?: unknown,
  ) {
    const metadata: Record<string, string> = {};
    for (const [key, value] of Object.entries(context)) {
      if (value !== undefined) metadata[key] = String(value);
    }
    super(reason, message, cause === undefined ? { metadata } : { metadata, cause });
    this.context = context;
  }
}

/** True for a {@link PersistenceError} (or subclass) from any copy of this package. */
export function isPersistenceError(value: unknown): value is PersistenceError {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[brand] === true
  );
}

/** True for a {@link MigrationError} from any copy of this package. */
export function isMigrationError(value: unknown): value is MigrationError {
  return isPersistenceError(value) && value.reason.startsWith('MIGRATION_');
}
