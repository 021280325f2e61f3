import { describe, expect, it } from 'vitest';
import { createStatementNames } from './statement-names.js';

describe('statement names', () => {
  const sql = 'SELECT $1::int AS n';

  it('runs a text unnamed the first time, then under one name on every connection', () => {
    const names = createStatementNames();
    const [a, b] = [{}, {}];
    expect(names.config(a, sql, [1]).name).toBeUndefined();
    const named = names.config(a, sql, [2]);
    expect(typeof named.name).toBe('string');
    expect(named).toMatchObject({ text: sql, values: [2] });
    expect(names.config(b, sql, [3]).name).toBe(named.name);
    expect(names.config(a, 'SELECT 2', []).name).toBeUndefined();
  });

  it('keeps at most so many names per connection and texts in all', () => {
    const names = createStatementNames({ maxPerConnection: 2, maxTexts: 3 });
    const client = {};
    for (const text of ['a', 'b', 'c', 'd']) names.config(client, text, []);
    expect(['a', 'b', 'c', 'd'].map((t) => names.config(client, t, []).name !== undefined)).toEqual(
      [true, true, false, false],
    );
    // Another connection still has room for a known text.
    expect(names.config({}, 'c', []).name).toBeDefined();
  });

  it('runs a text unnamed from then on when Postgres refuses its changed result type', () => {
    const names = createStatementNames();
    names.config({}, sql, []);
    expect(names.config({}, sql, []).name).toBeDefined();
    names.failed(sql, { code: '23505', message: 'duplicate key' });
    expect(names.config({}, sql, []).name).toBeDefined();
    names.failed(sql, { code: '0A000', message: 'cached plan must not change result type' });
    expect(names.config({}, sql, []).name).toBeUndefined();
  });
});
