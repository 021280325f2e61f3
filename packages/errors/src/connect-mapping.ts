import { create } from '@bufbuild/protobuf';
import { Code, ConnectError } from '@connectrpc/connect';
import { BadRequestSchema, ErrorInfoSchema, VersionConflictSchema } from '@ameide/proto';
import { AmeideError, ErrorCode, isAmeideError, type AmeideErrorOptions } from './ameide-error.js';

const toConnectCode: Record<ErrorCode, Code> = {
  canceled: Code.Canceled,
  unknown: Code.Unknown,
  invalid_argument: Code.InvalidArgument,
  deadline_exceeded: Code.DeadlineExceeded,
  not_found: Code.NotFound,
  already_exists: Code.AlreadyExists,
  permission_denied: Code.PermissionDenied,
  resource_exhausted: Code.ResourceExhausted,
  failed_precondition: Code.FailedPrecondition,
  aborted: Code.Aborted,
  out_of_range: Code.OutOfRange,
  unimplemented: Code.Unimplemented,
  internal: Code.Internal,
  unavailable: Code.Unavailable,
  data_loss: Code.DataLoss,
  unauthenticated: Code.Unauthenticated,
};

const fromConnectCode = new Map<Code, ErrorCode>(
  Object.entries(toConnectCode).map(([k, v]) => [v, k as ErrorCode]),
);

/**
 * Turns an AmeideError into a ConnectError with typed details (ErrorInfo,
 * BadRequest, VersionConflict). Anything that is not an AmeideError or a
 * ConnectError becomes `internal` with a generic message.
 */
export function toConnectError(reason: unknown): ConnectError {
  if (reason instanceof ConnectError && !isAmeideError(reason)) return reason;
  const err = AmeideError.from(reason);
  const details: NonNullable<ConstructorParameters<typeof ConnectError>[3]> = [
    {
      desc: ErrorInfoSchema,
      value: create(ErrorInfoSchema, {
        reason: err.reason,
        domain: err.domain,
        metadata: { ...err.metadata },
      }),
    },
  ];
  if (err.fieldViolations.length > 0) {
    details.push({
      desc: BadRequestSchema,
      value: create(BadRequestSchema, {
        fieldViolations: err.fieldViolations.map((v) => ({ ...v })),
      }),
    });
  }
  if (err.conflict) {
    details.push({
      desc: VersionConflictSchema,
      value: create(VersionConflictSchema, { ...err.conflict }),
    });
  }
  return new ConnectError(err.message, toConnectCode[err.code], undefined, details);
}

/**
 * Turns a ConnectError (or anything thrown by a transport) back into an
 * AmeideError, decoding the typed details the host attached.
 */
export function fromConnectError(reason: unknown): AmeideError {
  if (isAmeideError(reason)) return reason;
  const ce = ConnectError.from(reason);
  const code = fromConnectCode.get(ce.code) ?? ErrorCode.Unknown;
  const info = ce.findDetails(ErrorInfoSchema)[0];
  const badRequest = ce.findDetails(BadRequestSchema)[0];
  const conflict = ce.findDetails(VersionConflictSchema)[0];
  const options: AmeideErrorOptions = {
    cause: reason,
    ...(info ? { reason: info.reason, domain: info.domain, metadata: info.metadata } : {}),
    ...(badRequest
      ? {
          fieldViolations: badRequest.fieldViolations.map((v) => ({
            field: v.field,
            description: v.description,
          })),
        }
      : {}),
    ...(conflict
      ? {
          conflict: {
            subject: conflict.subject,
            subjectId: conflict.subjectId,
            expectedVersion: conflict.expectedVersion,
            actualVersion: conflict.actualVersion,
          },
        }
      : {}),
  };
  return new AmeideError(code, ce.rawMessage, options);
}
