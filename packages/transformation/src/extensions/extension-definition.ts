import { z } from 'zod';
import { ameideRegistry } from '@ameide/proto';
import type { FieldViolation } from '@ameide/errors';

/**
 * Extension points the platform calls. A definition lists the ones it
 * implements; the platform finds a tenant's extension for a point among its
 * published definitions.
 */
export const ExtensionPoint = {
  /** Sales: may lower an order line's unit price, within bounds the domain enforces. */
  SalesOrderLinePricing: 'sales.order-line-pricing',
  /** Processes: a service task bound to ExtensionService/InvokeExtension. */
  ProcessServiceTask: 'process.service-task',
} as const;
export type ExtensionPoint = (typeof ExtensionPoint)[keyof typeof ExtensionPoint];

/** The guest ABI versions this platform runs (packages/extensions-runtime/ABI.md). */
export const SUPPORTED_ABI_VERSIONS: readonly number[] = [1];

/** Upper bounds of the declared limits (the tenant policy of this platform). */
export const EXTENSION_POLICY = {
  /** 64 KiB pages: 16 MiB. */
  maxMemoryPages: 256,
  maxTimeoutMs: 5_000,
  maxInputBytes: 1024 * 1024,
  maxOutputBytes: 1024 * 1024,
  maxModuleBytes: 8 * 1024 * 1024,
} as const;

/** Rule codes of {@link lintExtensionDefinition} (module rules are EXT001–EXT006, at publish). */
export const ExtensionDefinitionRule = {
  Schema: 'EXD001',
  UnsupportedAbi: 'EXD002',
  LimitAbovePolicy: 'EXD003',
  UnknownHostCall: 'EXD004',
  DuplicateHostCall: 'EXD005',
} as const;

const identifier = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,62}$/, 'lower-case letters, digits and dashes, starting with a letter');

const rpcName = z
  .string()
  .regex(/^[a-z][a-z0-9_.]*\.[A-Z][A-Za-z0-9]*\/[A-Z][A-Za-z0-9]*$/, 'package.Service/Method');

export const extensionDefinitionSchema = z.strictObject({
  schemaVersion: z.literal(1),
  /** Unique per tenant; callers name the extension by it. */
  name: identifier,
  description: z.string().max(2000).optional(),
  module: z.strictObject({
    /** sha256 (lower-case hex) of the module, as PutExtensionModule answered. */
    sha256: z.string().regex(/^[0-9a-f]{64}$/, '64 lower-case hex digits'),
  }),
  abiVersion: z.number().int(),
  /** The exported function the host calls. */
  entryPoint: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'a WebAssembly export name')
    .default('run'),
  extensionPoints: z
    .array(z.enum([ExtensionPoint.SalesOrderLinePricing, ExtensionPoint.ProcessServiceTask]))
    .min(1, 'implement at least one extension point'),
  limits: z.strictObject({
    maxMemoryPages: z.number().int().min(1),
    timeoutMs: z.number().int().min(1).default(1000),
    maxInputBytes: z
      .number()
      .int()
      .min(1)
      .default(64 * 1024),
    maxOutputBytes: z
      .number()
      .int()
      .min(1)
      .default(64 * 1024),
  }),
  /** RPCs the guest may call, as the caller (`package.Service/Method`). */
  allowedHostCalls: z.array(rpcName).default([]),
});

/** A validated ExtensionDefinition. */
export type ExtensionDefinition = z.infer<typeof extensionDefinitionSchema>;
/** What an author writes (defaults may be omitted). */
export type ExtensionDefinitionInput = z.input<typeof extensionDefinitionSchema>;

/** One finding of {@link lintExtensionDefinition}. */
export interface ExtensionDefinitionViolation extends FieldViolation {
  readonly rule: string;
}

/** Checks a definition (JSON value) and returns it with every violation found. */
export function lintExtensionDefinition(value: unknown): {
  definition: ExtensionDefinition | undefined;
  violations: ExtensionDefinitionViolation[];
} {
  const parsed = extensionDefinitionSchema.safeParse(value);
  if (!parsed.success) {
    return {
      definition: undefined,
      violations: parsed.error.issues.map((i) => ({
        rule: ExtensionDefinitionRule.Schema,
        field: ['content', ...i.path.map(String)].join('.'),
        description: `${ExtensionDefinitionRule.Schema}: ${i.message}`,
      })),
    };
  }
  const d = parsed.data;
  const out: ExtensionDefinitionViolation[] = [];
  const add = (rule: string, field: string, description: string) =>
    out.push({ rule, field: `content.${field}`, description: `${rule}: ${description}` });
  if (!SUPPORTED_ABI_VERSIONS.includes(d.abiVersion)) {
    add(
      ExtensionDefinitionRule.UnsupportedAbi,
      'abiVersion',
      `ABI version ${d.abiVersion} is not supported; this platform runs ${SUPPORTED_ABI_VERSIONS.join(', ')}`,
    );
  }
  const limits: [keyof typeof d.limits, number][] = [
    ['maxMemoryPages', EXTENSION_POLICY.maxMemoryPages],
    ['timeoutMs', EXTENSION_POLICY.maxTimeoutMs],
    ['maxInputBytes', EXTENSION_POLICY.maxInputBytes],
    ['maxOutputBytes', EXTENSION_POLICY.maxOutputBytes],
  ];
  for (const [key, max] of limits) {
    if (d.limits[key] > max) {
      add(
        ExtensionDefinitionRule.LimitAbovePolicy,
        `limits.${key}`,
        `${d.limits[key]} is above the tenant policy's ${max}`,
      );
    }
  }
  const seen = new Set<string>();
  d.allowedHostCalls.forEach((rpc, i) => {
    if (seen.has(rpc)) {
      add(
        ExtensionDefinitionRule.DuplicateHostCall,
        `allowedHostCalls.${i}`,
        `${rpc} is listed twice`,
      );
    }
    seen.add(rpc);
    const [service, method] = rpc.split('/');
    const desc = service ? ameideRegistry.getService(service) : undefined;
    const m = desc?.methods.find((x) => x.name === method);
    if (service === 'ameide.extensions.v1.ExtensionService') {
      add(
        ExtensionDefinitionRule.UnknownHostCall,
        `allowedHostCalls.${i}`,
        `${rpc}: an extension may not call extensions (that would nest sandboxes without a bound)`,
      );
    } else if (!m) {
      add(
        ExtensionDefinitionRule.UnknownHostCall,
        `allowedHostCalls.${i}`,
        `no RPC ${rpc} in the proto module`,
      );
    } else if (m.methodKind !== 'unary') {
      add(
        ExtensionDefinitionRule.UnknownHostCall,
        `allowedHostCalls.${i}`,
        `${rpc} is ${m.methodKind}; host calls are unary RPCs`,
      );
    }
  });
  return { definition: out.length === 0 ? d : undefined, violations: out };
}
