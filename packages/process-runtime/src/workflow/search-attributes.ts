import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * Custom search attributes of process instances (Temporal visibility). The dev server and
 * every namespace must register them: see {@link SEARCH_ATTRIBUTE_TYPES}.
 */
export const processSearchAttributes = {
  tenant: defineSearchAttributeKey('AmeideTenant', SearchAttributeType.KEYWORD),
  definition: defineSearchAttributeKey('AmeideDefinition', SearchAttributeType.KEYWORD),
  version: defineSearchAttributeKey('AmeideDefinitionVersion', SearchAttributeType.INT),
  status: defineSearchAttributeKey('AmeideStatus', SearchAttributeType.KEYWORD),
  businessKey: defineSearchAttributeKey('AmeideBusinessKey', SearchAttributeType.KEYWORD),
  /** `user:<id>` and `group:<name>` of every open user task. */
  taskCandidates: defineSearchAttributeKey(
    'AmeideTaskCandidates',
    SearchAttributeType.KEYWORD_LIST,
  ),
  /** `<message name>:<correlation key>` of every message the instance waits for. */
  messages: defineSearchAttributeKey('AmeideMessages', SearchAttributeType.KEYWORD_LIST),
} as const;

/** `name=Type` pairs as `temporal server start-dev --search-attribute` and `operator search-attribute create` take them. */
export const SEARCH_ATTRIBUTE_TYPES: Readonly<Record<string, string>> = {
  AmeideTenant: 'Keyword',
  AmeideDefinition: 'Keyword',
  AmeideDefinitionVersion: 'Int',
  AmeideStatus: 'Keyword',
  AmeideBusinessKey: 'Keyword',
  AmeideTaskCandidates: 'KeywordList',
  AmeideMessages: 'KeywordList',
};
