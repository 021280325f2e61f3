import type { DescMessage, DescService } from '@bufbuild/protobuf';
import { Code, ConnectError, type Interceptor } from '@connectrpc/connect';
import { AmeideError, type FieldViolation } from '@ameide/errors';
import { findInputViolations } from '../input/find-input-violations.js';
import { malformedBinaryError, rawRequestKey } from '../input/malformed-binary.js';

export interface InputValidationOptions {
  /**
   * Services whose requests follow the input rules; default: every service of
   * the Ameide contract (`ameide.*`). Others on the same host (the Connect
   * conformance service, test doubles) keep their own contract.
   */
  readonly appliesTo?: (service: DescService) => boolean;
}

/**
 * Innermost interceptor: refuses a request that breaks the input rules (see
 * `findInputViolations`) with `invalid_argument` naming every offending field,
 * before the handler runs, so bad input never reaches a store, SQL or Temporal
 * and nothing is written. Streamed requests are checked message by message as
 * the handler reads them; a streamed message that is not valid protobuf binary
 * is refused the same way.
 */
export function createInputValidationInterceptor(
  options: InputValidationOptions = {},
): Interceptor {
  const applies = options.appliesTo ?? ((s: DescService) => s.typeName.startsWith('ameide.'));
  return (next) => (req) => {
    const schema = req.method.input;
    const check = applies(req.service);
    if (!req.stream) {
      if (check) refuseInvalidInput(schema, req.message);
      return next(req);
    }
    const messages = req.message;
    const raw = req.contextValues.get(rawRequestKey);
    async function* checked() {
      try {
        for await (const m of messages) {
          if (check) refuseInvalidInput(schema, m);
          yield m;
        }
      } catch (err) {
        // Binary that does not parse is the caller's fault in every service.
        if (err instanceof ConnectError && err.code === Code.Internal) {
          const mapped = malformedBinaryError(schema, err, raw?.());
          if (mapped) throw mapped;
        }
        throw err;
      }
    }
    return next({ ...req, message: checked() });
  };
}

/** Throws `invalid_argument` listing what breaks the input rules in `message`. */
export function refuseInvalidInput(schema: DescMessage, message: object): void {
  const violations = findInputViolations(schema, message);
  if (violations.length > 0) throw invalidRequest(schema, violations);
}

function invalidRequest(schema: DescMessage, violations: readonly FieldViolation[]): AmeideError {
  const [first] = violations;
  const more = violations.length > 1 ? ` (and ${violations.length - 1} more)` : '';
  return AmeideError.invalidArgument(
    `invalid ${schema.name}: ${first!.field} ${first!.description}${more}`,
    violations,
    { reason: 'INVALID_INPUT', domain: 'ameide' },
  );
}
