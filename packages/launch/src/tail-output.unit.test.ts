import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { tailOutput } from './tail-output.js';

const printing = async (n: number, maxLines: number) => {
  const child = spawn(process.execPath, [
    '-e',
    `for (let i = 1; i <= ${n}; i++) console.log('line ' + i)`,
  ]);
  const output = tailOutput(child, maxLines);
  await once(child, 'close');
  return output;
};

describe('tailOutput', () => {
  it('keeps the first lines and the last ones, saying how many it left out', async () => {
    const output = await printing(100, 5);
    expect(output.lines).toEqual(['line 96', 'line 97', 'line 98', 'line 99', 'line 100']);
    const text = output.text().split('\n');
    expect(text.slice(0, 10)).toEqual(Array.from({ length: 10 }, (_, i) => `line ${i + 1}`));
    expect(text[10]).toBe('… (85 lines left out)');
    expect(text.slice(11)).toEqual(output.lines);
  });

  it('gives short output once, in order', async () => {
    expect((await printing(12, 5)).text().split('\n')).toEqual(
      Array.from({ length: 12 }, (_, i) => `line ${i + 1}`),
    );
    expect((await printing(3, 5)).text()).toBe('line 1\nline 2\nline 3');
  });
});
