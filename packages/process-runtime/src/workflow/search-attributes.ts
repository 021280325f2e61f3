import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * Custom search attributes of process instances (Temporal visibility): the one place their
 * names and types are written down. The dev server and every namespace must register them:
 * see {@link SEARCH_ATTRIBUTE_TYPES}.
 */
export const processSearchAttributes = {
  tenant: defineSearchAttributeKey('AmeideTenant', SearchAttributeType.KEYWORD),
  definition: defineSearchAttributeKey('AmeideDefinition', SearchAttributeType.KEYWORD),
  version: defineSearchAttributeKey('AmeideDefinitionVersion', SearchAttributeType.INT),
  status: defineSearchAttributeKey('AmeideStatus', SearchAttributeType.KEYWORD),
  businessKey: defineSearchAttributeKey('AmeideBusinessKey', SearchAttributeType.KEYWORD),
  /** `user:<id>` and `group:<name>` of every open user task (`any` for a task open to all). */
  taskCandidates: defineSearchAttributeKey(
    'AmeideTaskCandidates',
    SearchAttributeType.KEYWORD_LIST,
  ),
  /** `<message name>:<correlation key>` of every message the instance waits for. */
  messages: defineSearchAttributeKey('AmeideMessages', SearchAttributeType.KEYWORD_LIST),
} as const;

/**
 * The search attributes an instance starts with (StartProcess, a message or signal start, a
 * timer start's Schedule, a call activity's child): tenant, definition, version, RUNNING and its
 * business key.
 */
export function startSearchAttributes(
  tenantId: string,
  definition: { readonly name: string; readonly version: number },
  businessKey: string,
) {
  return [
    { key: processSearchAttributes.tenant, value: tenantId },
    { key: processSearchAttributes.definition, value: definition.name },
    { key: processSearchAttributes.version, value: definition.version },
    { key: processSearchAttributes.status, value: 'RUNNING' },
    { key: processSearchAttributes.businessKey, value: businessKey },
  ];
}

/** Type names as the `temporal` CLI spells them. */
const CLI_TYPES: Readonly<Record<SearchAttributeType, string>> = {
  [SearchAttributeType.TEXT]: 'Text',
  [SearchAttributeType.KEYWORD]: 'Keyword',
  [SearchAttributeType.INT]: 'Int',
  [SearchAttributeType.DOUBLE]: 'Double',
  [SearchAttributeType.BOOL]: 'Bool',
  [SearchAttributeType.DATETIME]: 'Datetime',
  [SearchAttributeType.KEYWORD_LIST]: 'KeywordList',
};

/**
 * `name=Type` pairs as `temporal server start-dev --search-attribute` and `operator
 * search-attribute create` take them, derived from {@link processSearchAttributes}.
 */
export const SEARCH_ATTRIBUTE_TYPES: Readonly<Record<string, string>> = Object.fromEntries(
  Object.values(processSearchAttributes).map((key) => [key.name, CLI_TYPES[key.type]]),
);
