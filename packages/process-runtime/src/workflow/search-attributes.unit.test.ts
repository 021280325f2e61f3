import { AMEIDE_SEARCH_ATTRIBUTES } from '@ameide/testing';
import { describe, expect, it } from 'vitest';
import { processSearchAttributes, SEARCH_ATTRIBUTE_TYPES } from './search-attributes.js';

describe('search attributes', () => {
  it('registers every attribute the runtime writes, with its type', () => {
    expect(SEARCH_ATTRIBUTE_TYPES).toEqual({
      AmeideTenant: 'Keyword',
      AmeideDefinition: 'Keyword',
      AmeideDefinitionVersion: 'Int',
      AmeideStatus: 'Keyword',
      AmeideBusinessKey: 'Keyword',
      AmeideTaskCandidates: 'KeywordList',
      AmeideMessages: 'KeywordList',
    });
    expect(Object.keys(SEARCH_ATTRIBUTE_TYPES)).toHaveLength(
      Object.keys(processSearchAttributes).length,
    );
  });

  it('the test servers register the same attributes (their launcher cannot import the runtime)', () => {
    expect(AMEIDE_SEARCH_ATTRIBUTES).toEqual(SEARCH_ATTRIBUTE_TYPES);
  });
});
