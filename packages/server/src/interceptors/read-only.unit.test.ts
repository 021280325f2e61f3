import { create, type DescMethod, type DescService } from '@bufbuild/protobuf';
import { MethodOptions_IdempotencyLevel } from '@bufbuild/protobuf/wkt';
import { createContextValues, type UnaryRequest } from '@connectrpc/connect';
import { isAmeideError } from '@ameide/errors';
import { ameideServices, GraphService, OrderService } from '@ameide/proto';
import { describe, expect, it } from 'vitest';
import { createReadOnlyInterceptor, isReadMethod, isReadOnlyService } from './read-only.js';

function requestFor(service: DescService, method: DescMethod): UnaryRequest {
  return {
    stream: false,
    service,
    method,
    requestMethod: 'POST',
    url: `http://localhost/${service.typeName}/${method.name}`,
    signal: new AbortController().signal,
    header: new Headers(),
    contextValues: createContextValues(),
    message: create(method.input),
  } as unknown as UnaryRequest;
}

const served = () =>
  Promise.resolve({
    stream: false,
    message: {},
    header: new Headers(),
    trailer: new Headers(),
  } as never);

describe('read-only services', () => {
  it('are declared in the proto for the Graph and the order-to-cash read model, and only there', () => {
    const readOnly = ameideServices()
      .filter(isReadOnlyService)
      .map((s) => s.typeName);
    expect(readOnly).toEqual([
      'ameide.graph.v1.GraphService',
      'ameide.projections.v1.OrderToCashService',
    ]);
    expect(isReadOnlyService(OrderService)).toBe(false);
  });

  it('declare every one of their methods NO_SIDE_EFFECTS, so every route of them passes', async () => {
    const intercept = createReadOnlyInterceptor()(served);
    for (const service of ameideServices().filter(isReadOnlyService)) {
      for (const method of service.methods) {
        expect(isReadMethod(method), `${service.typeName}/${method.name}`).toBe(true);
        await expect(intercept(requestFor(service, method))).resolves.toBeDefined();
      }
    }
  });

  it('refuse a method that is not NO_SIDE_EFFECTS with permission_denied before the handler runs', async () => {
    let ran = false;
    const intercept = createReadOnlyInterceptor()(async () => {
      ran = true;
      return served();
    });
    const method = GraphService.method.getNeighbours;
    // The same method as if a mutation had been added to the service without the option.
    const mutation = {
      ...method,
      name: 'AddNode',
      idempotency: MethodOptions_IdempotencyLevel.IDEMPOTENCY_UNKNOWN,
    } as DescMethod;
    const err: unknown = await intercept(requestFor(GraphService, mutation)).catch(
      (e: unknown) => e,
    );
    expect(isAmeideError(err) && err.code).toBe('permission_denied');
    expect((err as Error).message).toContain('ameide.graph.v1.GraphService is read-only: AddNode');
    expect(ran).toBe(false);
  });

  it('leave other services alone', async () => {
    const intercept = createReadOnlyInterceptor()(served);
    await expect(
      intercept(requestFor(OrderService, OrderService.method.createOrder)),
    ).resolves.toBeDefined();
  });
});
