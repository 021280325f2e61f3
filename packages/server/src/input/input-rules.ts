/** What a string field of a request may hold beyond the defaults. */
export interface StringFieldRule {
  /**
   * Longest value in UTF-16 code units (what `string.length` counts, one per
   * character for most text); `Infinity` when another check bounds it.
   */
  readonly maxLength?: number;
  /** Allows tab, line feed and carriage return (free text over several lines). */
  readonly multiline?: boolean;
}

/**
 * Longest string any request field takes unless {@link inputRules} says
 * otherwise. Ids, names, references and tokens are far shorter; a longer value
 * is a mistake or an attack, and would otherwise reach Postgres or Temporal.
 */
export const DEFAULT_MAX_STRING_LENGTH = 1024;

/** Deepest nesting of messages and JSON values a request may have. */
export const MAX_NESTING_DEPTH = 64;

// Temporal keeps at most 2 KiB (UTF-8) per search-attribute value: 500 UTF-16
// units are at most 1,500 bytes.
const businessKey: StringFieldRule = { maxLength: 500 };
// A workflow id (`<tenant>:<instance id>`) is at most 1,000 bytes in Temporal;
// 256 units are at most 768 bytes, plus a tenant of at most 63.
const instanceId: StringFieldRule = { maxLength: 256 };
const freeText: StringFieldRule = { multiline: true };

/**
 * Exceptions to the defaults (single line, at most
 * {@link DEFAULT_MAX_STRING_LENGTH}), by full field name. Artifact content
 * (Markdown, BPMN, JSON) is `bytes` in the contract, which the host does not
 * read: its own rules (size, well-formedness) apply in the Transformation
 * Domain.
 */
export const inputRules: Readonly<Record<string, StringFieldRule>> = {
  // JSON variables, task data and message payloads: free text, bounded by the
  // payload limit the ProcessService checks before Temporal sees them.
  'google.protobuf.Value.string_value': { multiline: true, maxLength: Infinity },
  'ameide.sales.v1.CancelOrderRequest.reason': freeText,
  'ameide.process.v1.CancelProcessRequest.reason': freeText,
  // An agent's task and a reviewer's comment are free text over several lines.
  'ameide.agents.v1.RunAgentRequest.input': { multiline: true, maxLength: 16_000 },
  'ameide.agents.v1.DecideProposalRequest.comment': { multiline: true, maxLength: 2_000 },
  'ameide.process.v1.StartProcessRequest.business_key': businessKey,
  'ameide.process.v1.ListProcessInstancesRequest.business_key': businessKey,
  'ameide.process.v1.GetProcessInstanceRequest.instance_id': instanceId,
  'ameide.process.v1.ListUserTasksRequest.instance_id': instanceId,
  'ameide.process.v1.CompleteUserTaskRequest.instance_id': instanceId,
  'ameide.process.v1.CorrelateMessageRequest.instance_id': instanceId,
  'ameide.process.v1.CancelProcessRequest.instance_id': instanceId,
  // Kept as the key of the message's receipt, like an idempotency key.
  'ameide.process.v1.CorrelateMessageRequest.message_id': { maxLength: 200 },
};
