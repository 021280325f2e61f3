import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { RequestContext } from '@ameide/context';
import { pricingReference, sha256, testGuest } from '@ameide/extensions-runtime/testing';
// README-START
import { createExtensionRuntime, validateModule } from '@ameide/extensions-runtime';

async function priceOrder(module: Uint8Array, hash: string, context: RequestContext) {
  // At publish time: refuse a module the sandbox would refuse, naming each rule it breaks.
  const violations = validateModule(module, { maxMemoryPages: 32, entryPoint: 'run' });
  if (violations.length > 0) throw new Error(violations.map((v) => v.description).join('\n'));

  // In the host: one runtime per process; host calls run as the caller, never as the platform.
  const runtime = createExtensionRuntime({
    poolSize: 2,
    hostCalls: (method, request, ctx) => callPlatformAs(ctx, method, request),
  });
  try {
    const { output } = await runtime.invoke({
      extension: {
        name: 'pricing',
        version: '1.0.0',
        hash,
        module,
        entryPoint: 'run',
        limits: {
          maxMemoryPages: 32,
          timeoutMs: 200,
          maxInputBytes: 65_536,
          maxOutputBytes: 65_536,
        },
        allowedHostCalls: ['ameide.sales.v1.OrderService/GetOrder'],
      },
      input: { lines: [{ sku: 'A-1', qty: 12, unitPrice: 9.99 }] },
      context,
    });
    return output;
  } finally {
    await runtime.close();
  }
}
// README-END

function callPlatformAs(_ctx: RequestContext, _method: string, _request: unknown): Promise<never> {
  return Promise.reject(new Error('the pricing example makes no host calls'));
}

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('README', () => {
  it('shows the example that this test runs', () => {
    const test = readFileSync(new URL(import.meta.url), 'utf8');
    const example = test.split('// README-START\n')[1]!.split('// README-END')[0]!;
    expect(readme).toContain(example.trim());
  });

  it('the example validates and runs the pricing extension', async () => {
    const module = await testGuest('pricing');
    const context = { tenantId: 'acme', orgId: '', userId: 'alice', groups: [], traceId: '' };
    await expect(priceOrder(module, sha256(module), context)).resolves.toEqual(
      pricingReference({ lines: [{ sku: 'A-1', qty: 12, unitPrice: 9.99 }] }),
    );
  }, 120_000);
});
