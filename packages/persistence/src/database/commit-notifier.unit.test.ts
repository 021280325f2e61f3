import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { createCommitNotifier } from './commit-notifier.js';

describe('commit notifier', () => {
  it('notifies with the first commit, owes the next within the gap and pays it with a later COMMIT', async () => {
    const sent: string[] = [];
    const n = createCommitNotifier((c) => Promise.resolve(sent.push(c)), 50);
    expect(n.now(['a'])).toEqual(['a']);
    expect(n.now(['a'])).toEqual([]);
    n.later(['a']);
    await sleep(60);
    // A COMMIT after the gap carries what is owed, even one that asked for nothing.
    expect(n.now([])).toEqual(['a']);
    await sleep(120);
    expect(sent).toEqual([]);
    n.close();
  });

  it('sends what is owed itself when no COMMIT comes', async () => {
    const sent: string[] = [];
    const n = createCommitNotifier((c) => Promise.resolve(sent.push(c)), 10);
    expect(n.now(['a', 'b'])).toEqual(['a', 'b']);
    n.later(n.now(['a']).length ? [] : ['a']);
    for (let i = 0; i < 100 && sent.length === 0; i++) await sleep(5);
    expect(sent).toEqual(['a']);
    expect(n.now(['a'])).toEqual([]);
    n.close();
  });
});
