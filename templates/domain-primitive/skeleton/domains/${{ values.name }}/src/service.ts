import type { ConnectRouter, HandlerContext } from '@connectrpc/connect';
import { create, type DescMessage, type DescService, type Message } from '@bufbuild/protobuf';
import { getRequestContext } from '@ameide/context';
import { AmeideError } from '@ameide/errors';
import { idempotencyOfCall } from '@ameide/events';
import type { DomainContext, ${{ values.entity }}Domain, Versioned } from './domain.js';
import type { ${{ values.entity }}, ${{ values.entity }}Status } from './${{ values.entity | lower }}/${{ values.entity | lower }}.js';

/** The service this package implements (its descriptor comes from the proto, by name). */
export const SERVICE_NAME = 'ameide.${{ values.name }}.v1.${{ values.entity }}Service';

function contextOf(ctx: HandlerContext, request?: Message): DomainContext {
  const rc = getRequestContext(ctx);
  return {
    tenantId: rc.tenantId,
    correlationId: rc.traceId || 'untraced',
    ...(request ? { idempotency: idempotencyOfCall(ctx, request) } : {}),
  };
}

type Fields = Record<string, unknown>;

/**
 * Serves `${{ values.entity }}Service` (proto/ameide/${{ values.name }}/v1/) from the domain.
 * The descriptor is the proto's, handed in by whoever hosts the domain (`ameide dev` builds it
 * from the Buf module, generated code would do as well), so the proto stays the one source of
 * the API. Tenants come from the request context, never from the request.
 */
export function serviceRoutes(options: { domain: ${{ values.entity }}Domain; service: DescService }) {
  const { domain, service } = options;
  if (service.typeName !== SERVICE_NAME) {
    throw new Error(`serviceRoutes serves ${SERVICE_NAME}, not ${service.typeName}`);
  }
  const message = service.file.messages.find((m) => m.name === '${{ values.entity }}');
  if (!message) throw new Error(`${SERVICE_NAME}: message ${{ values.entity }} is missing`);
  const toProto = (v: Versioned<${{ values.entity }}>): Message =>
    create(message as DescMessage, {
      id: v.value.id,
      title: v.value.title,
      status: v.value.status,
      version: v.version,
    });
  const reply = (output: DescMessage, fields: Fields): Message => create(output, fields);
  const handlers: Record<string, (req: Message & Fields, ctx: HandlerContext) => Promise<Fields>> = {
    async create${{ values.entity }}(req, ctx) {
      return { ${{ values.entity | lower }}: toProto(await domain.create(contextOf(ctx, req), { title: String(req.title) })) };
    },
    async rename${{ values.entity }}(req, ctx) {
      const expected = BigInt(req.expectedVersion as bigint);
      return {
        ${{ values.entity | lower }}: toProto(
          await domain.rename(contextOf(ctx, req), String(req.id), String(req.title), expected > 0n ? expected : undefined),
        ),
      };
    },
    async archive${{ values.entity }}(req, ctx) {
      return { ${{ values.entity | lower }}: toProto(await domain.archive(contextOf(ctx, req), String(req.id))) };
    },
    async get${{ values.entity }}(req, ctx) {
      return { ${{ values.entity | lower }}: toProto(await domain.get(contextOf(ctx), String(req.id))) };
    },
    async list${{ values.entity }}s(req, ctx) {
      const status = String(req.status);
      if (status !== '' && status !== 'active' && status !== 'archived') {
        throw AmeideError.invalidArgument('status must be active, archived or empty', [
          { field: 'status', description: 'active, archived or empty' },
        ]);
      }
      const items = await domain.list(
        contextOf(ctx),
        status ? { status: status as ${{ values.entity }}Status } : {},
      );
      return { ${{ values.entity | lower }}s: items.map(toProto) };
    },
  };
  return (router: ConnectRouter) => {
    for (const method of service.methods) {
      const handle = handlers[method.localName];
      if (!handle || method.methodKind !== 'unary') {
        throw new Error(`${SERVICE_NAME}/${method.name} has no handler in this package`);
      }
      // A descriptor built at run time has no generated types: the handler takes and returns
      // messages of the method's own schemas.
      const impl = async (req: Message, ctx: HandlerContext) =>
        reply(method.output, await handle(req as Message & Fields, ctx));
      router.rpc(method, impl as Parameters<typeof router.rpc>[1]);
    }
  };
}
