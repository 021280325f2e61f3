import { describe, expect, it } from 'vitest';
import { lintExtensionDefinition } from './extension-definition.js';

const valid = {
  schemaVersion: 1,
  name: 'volume-discount',
  module: { sha256: 'a'.repeat(64) },
  abiVersion: 1,
  entryPoint: 'price',
  extensionPoints: ['sales.order-line-pricing'],
  limits: { maxMemoryPages: 2 },
  allowedHostCalls: ['ameide.sales.v1.OrderService/GetOrder'],
};

function findings(patch: Record<string, unknown>) {
  return lintExtensionDefinition({ ...valid, ...patch }).violations.map(
    (v) => `${v.field}: ${v.description}`,
  );
}

describe('lintExtensionDefinition', () => {
  it('accepts a valid definition and fills the default limits', () => {
    const { definition, violations } = lintExtensionDefinition(valid);
    expect(violations).toEqual([]);
    expect(definition?.limits).toEqual({
      maxMemoryPages: 2,
      timeoutMs: 1000,
      maxInputBytes: 64 * 1024,
      maxOutputBytes: 64 * 1024,
    });
  });

  it('names the field of a schema violation (EXD001)', () => {
    expect(findings({ name: 'Volume Discount', module: { sha256: 'xyz' } })).toEqual([
      'content.name: EXD001: lower-case letters, digits and dashes, starting with a letter',
      'content.module.sha256: EXD001: 64 lower-case hex digits',
    ]);
    expect(findings({ extensionPoints: ['sales.everything'] })[0]).toMatch(
      /^content\.extensionPoints\.0: EXD001/,
    );
  });

  it('refuses an ABI this platform does not run (EXD002)', () => {
    expect(findings({ abiVersion: 2 })).toEqual([
      'content.abiVersion: EXD002: ABI version 2 is not supported; this platform runs 1',
    ]);
  });

  it('refuses limits above the tenant policy (EXD003)', () => {
    expect(findings({ limits: { maxMemoryPages: 257, timeoutMs: 60_000 } })).toEqual([
      "content.limits.maxMemoryPages: EXD003: 257 is above the tenant policy's 256",
      "content.limits.timeoutMs: EXD003: 60000 is above the tenant policy's 5000",
    ]);
  });

  it('refuses host calls that are no unary RPC of the platform, or call extensions (EXD004, EXD005)', () => {
    expect(
      findings({
        allowedHostCalls: [
          'ameide.sales.v1.OrderService/Nope',
          'ameide.events.v1.EventService/TailEvents',
          'ameide.extensions.v1.ExtensionService/InvokeExtension',
          'ameide.sales.v1.OrderService/GetOrder',
          'ameide.sales.v1.OrderService/GetOrder',
        ],
      }),
    ).toEqual([
      'content.allowedHostCalls.0: EXD004: no RPC ameide.sales.v1.OrderService/Nope in the proto module',
      expect.stringMatching(/^content\.allowedHostCalls\.1: EXD004: .* host calls are unary RPCs$/),
      expect.stringMatching(/^content\.allowedHostCalls\.2: EXD004: .*may not call extensions/),
      'content.allowedHostCalls.4: EXD005: ameide.sales.v1.OrderService/GetOrder is listed twice',
    ]);
  });
});
