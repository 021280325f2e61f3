import { create } from '@bufbuild/protobuf';
import type { ConnectRouter } from '@connectrpc/connect';
import { PlatformService, RequestContextSchema } from '@ameide/proto';
import { getRequestContext } from '../context/request-context.js';

/** Serves `ameide.platform.v1.PlatformService` (WhoAmI, GetVersion). */
export function registerPlatformService(
  router: ConnectRouter,
  options: { version: string; services: () => readonly string[] },
): void {
  router.service(PlatformService, {
    whoAmI(_req, ctx) {
      const rc = getRequestContext(ctx);
      return {
        context: create(RequestContextSchema, {
          tenantId: rc.tenantId,
          orgId: rc.orgId,
          userId: rc.userId,
          groups: [...rc.groups],
          traceId: rc.traceId,
        }),
      };
    },
    getVersion() {
      return { version: options.version, services: [...options.services()] };
    },
  });
}
