import { createHash } from 'node:crypto';
import { AmeideError, type FieldViolation } from '@ameide/errors';
import type { ArtifactKind } from './artifact-kind.js';

/** Largest content the store accepts: 4 MiB. */
export const MAX_CONTENT_BYTES = 4 * 1024 * 1024;

/** sha256 of bytes, lowercase hex. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** What publishing a kind produces besides freezing the content (e.g. an ExecutionPlan). */
export interface PublishArtifacts {
  readonly planHash: string;
  readonly plan: Uint8Array;
  /**
   * What the published version refers to, by kind of reference (`calls`: proto methods,
   * `processes`, `hostCalls`, ...): recorded in the published event, for the Graph.
   */
  readonly references?: Readonly<Record<string, readonly string[]>>;
}

/**
 * Per-kind rules, the generic validation hook. `validate` checks every draft
 * (create, revise); `publish` runs when a version is published and may refuse
 * it (throw an AmeideError) or return a compiled form stored with the version.
 */
export interface ArtifactKindRules {
  validate?(
    content: Uint8Array,
    contentType: string,
  ): readonly FieldViolation[] | Promise<readonly FieldViolation[]>;
  publish?(
    content: Uint8Array,
    contentType: string,
    context: PublishContext,
  ): Promise<PublishArtifacts | undefined>;
  /**
   * Why this content may be published only after a completed sandbox run of it (an agent
   * definition allowing `act` tools), or undefined when it needs none.
   */
  sandboxRequired?(content: Uint8Array, contentType: string): string | undefined;
}

/** What a publish hook may know about the tenant's other artifacts. */
export interface PublishContext {
  /** The tenant publishing (from the verified token). */
  readonly tenantId: string;
  /** Published versions of the tenant's process definitions, by name. */
  readonly publishedVersions: Readonly<Record<string, readonly number[]>>;
  /** Published versions of the tenant's decision definitions, by name (business rule tasks). */
  readonly publishedDecisions?: Readonly<Record<string, readonly number[]>>;
}

const MIME = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}(\s*;.*)?$/i;

/** Checks rules every kind shares: size, content type, JSON well-formedness. */
export function checkContent(content: Uint8Array, contentType: string): FieldViolation[] {
  const violations: FieldViolation[] = [];
  if (content.byteLength > MAX_CONTENT_BYTES) {
    violations.push({
      field: 'content',
      description: `content is ${formatBytes(content.byteLength)}; the limit is ${formatBytes(MAX_CONTENT_BYTES)}`,
    });
    return violations;
  }
  if (!MIME.test(contentType)) {
    violations.push({
      field: 'content_type',
      description: `"${contentType}" is not a MIME type like "application/json"`,
    });
  } else if (/[/+]json(\s*;|$)/i.test(contentType)) {
    try {
      JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(content));
    } catch (err) {
      violations.push({
        field: 'content',
        description: `not valid JSON: ${(err as Error).message}`,
      });
    }
  }
  return violations;
}

/** Names: 1-200 characters, no control characters, no surrounding spaces. */
export function checkName(name: string): FieldViolation[] {
  if (name.length === 0) return [{ field: 'name', description: 'required' }];
  if (name.length > 200)
    return [{ field: 'name', description: `${name.length} characters; at most 200` }];
  if (name.trim() !== name)
    return [{ field: 'name', description: 'must not start or end with spaces' }];
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name))
    return [{ field: 'name', description: 'must not contain control characters' }];
  return [];
}

/** Throws `invalid_argument` naming every violation, when there are any. */
export function refuseIfInvalid(what: string, violations: readonly FieldViolation[]): void {
  if (violations.length === 0) return;
  const first = violations[0]!;
  const more = violations.length > 1 ? ` (and ${violations.length - 1} more)` : '';
  throw AmeideError.invalidArgument(
    `${what}: ${first.field}: ${first.description}${more}`,
    violations,
  );
}

function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MiB` : `${(n / 1024).toFixed(1)} KiB`;
}

export type KindRules = Partial<Record<ArtifactKind, ArtifactKindRules>>;
