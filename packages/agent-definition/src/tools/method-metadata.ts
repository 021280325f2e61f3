import type { DescMethod } from '@bufbuild/protobuf';
import { MethodOptions_IdempotencyLevel } from '@bufbuild/protobuf/wkt';
import { ameideRegistry } from '@ameide/proto';

/** What the proto module says about a method a tool maps to. */
export interface MethodInfo {
  readonly rpc: string;
  readonly service: string;
  readonly method: DescMethod;
  /** Declared `idempotency_level = NO_SIDE_EFFECTS`: the only methods a `read` tool may call. */
  readonly readOnly: boolean;
  readonly unary: boolean;
}

/** Looks up `package.Service/Method` in the proto module's descriptors. */
export function methodInfo(rpc: string): MethodInfo | undefined {
  const [service, name] = rpc.split('/');
  if (!service || !name) return undefined;
  const desc = ameideRegistry.getService(service);
  const method = desc?.methods.find((m) => m.name === name);
  if (!method) return undefined;
  return {
    rpc,
    service,
    method,
    readOnly: method.idempotency === MethodOptions_IdempotencyLevel.NO_SIDE_EFFECTS,
    unary: method.methodKind === 'unary',
  };
}
