import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { asciiOnly } from './workflow-bundle.js';

describe('asciiOnly (the workflow bundle as a one-byte string)', () => {
  it('escapes every character above U+007F and means the same program', () => {
    const source = [
      '// A comment — with a dash, ♔ and ø',
      'const s = "⚠ node — names";',
      'const t = `template ♥ ${s.length}`;',
      'const r = /[—ø]+/.test("øø");',
      'const u = /\\p{Emoji}/u.test("😀");',
      'const emoji = "😀";',
      '({ s, t, r, u, emoji, lengths: [s.length, emoji.length] })',
    ].join('\n');
    const escaped = asciiOnly(source);
    expect(escaped).not.toMatch(/[\u0080-\uffff]/);
    expect(escaped).toContain('\\u2014');
    expect(runInNewContext(escaped)).toEqual(runInNewContext(source));
  });

  it('leaves ASCII sources as they are', () => {
    const source = 'const a = "plain"; // nothing to escape\n';
    expect(asciiOnly(source)).toBe(source);
  });
});
