import { describe, expect, it } from 'vitest';
import { formFields, formSubmission } from './schema-form.js';

const schema = {
  type: 'object',
  properties: {
    approved: { type: 'boolean', title: 'Approve?' },
    comment: { type: 'string' },
    amount: { type: 'integer' },
    level: { enum: ['low', 'high'] },
    extra: { type: 'object' },
  },
  required: ['approved', 'amount'],
};

describe('user task form from JSON Schema', () => {
  it('has one field per property with its kind, label and required mark', () => {
    expect(formFields(schema).map((f) => [f.name, f.kind, f.label, f.required])).toEqual([
      ['approved', 'boolean', 'Approve?', true],
      ['comment', 'text', 'comment', false],
      ['amount', 'integer', 'amount', true],
      ['level', 'enum', 'level', false],
      ['extra', 'json', 'extra', false],
    ]);
  });

  it('coerces inputs and names the field that is wrong', () => {
    const fields = formFields(schema);
    expect(formSubmission(fields, { approved: true, amount: '12', extra: '{"a":1}' })).toEqual({
      ok: true,
      data: { approved: true, amount: 12, extra: { a: 1 } },
    });
    expect(formSubmission(fields, { approved: false })).toEqual({
      ok: false,
      message: 'amount is required',
    });
    expect(formSubmission(fields, { amount: '1.5' })).toEqual({
      ok: false,
      message: 'amount must be a whole number',
    });
  });
});
