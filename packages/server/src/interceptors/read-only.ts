import { getOption, type DescMethod, type DescService } from '@bufbuild/protobuf';
import { MethodOptions_IdempotencyLevel } from '@bufbuild/protobuf/wkt';
import type { Interceptor } from '@connectrpc/connect';
import { AmeideError } from '@ameide/errors';
import { read_only } from '@ameide/proto';

// Reading an option decodes the descriptor's extension bytes: once per service, not per call.
const readOnlyServices = new WeakMap<DescService, boolean>();

/** Whether the service is declared `option (ameide.common.v1.read_only) = true` (projections, the Graph). */
export function isReadOnlyService(service: DescService): boolean {
  let readOnly = readOnlyServices.get(service);
  if (readOnly === undefined) {
    readOnly = getOption(service, read_only);
    readOnlyServices.set(service, readOnly);
  }
  return readOnly;
}

/** Whether a method may be called on a read-only service: only those declared NO_SIDE_EFFECTS. */
export function isReadMethod(method: DescMethod): boolean {
  return method.idempotency === MethodOptions_IdempotencyLevel.NO_SIDE_EFFECTS;
}

/**
 * The one place mutations of read models are refused for RPCs: a method of a
 * service declared `read_only` in its proto answers `permission_denied` unless
 * the proto declares it `idempotency_level = NO_SIDE_EFFECTS`, before any
 * handler runs. (The other route, SQL, is closed by grants: the app role has
 * only SELECT on projection tables.)
 */
export function createReadOnlyInterceptor(): Interceptor {
  return (next) => async (req) => {
    if (isReadOnlyService(req.service) && !isReadMethod(req.method)) {
      throw new AmeideError(
        'permission_denied',
        `${req.service.typeName} is read-only: ${req.method.name} is not declared NO_SIDE_EFFECTS, so it is refused`,
        { reason: 'READ_ONLY_SERVICE', domain: 'ameide.server' },
      );
    }
    return await next(req);
  };
}
