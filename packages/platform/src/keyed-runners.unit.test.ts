import { describe, expect, it } from 'vitest';
import { createKeyedRunners } from './keyed-runners.js';

/** A promise settled from outside. */
function deferred<T = void>() {
  let resolve!: (v: T) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Runners whose starts and stops are recorded; `gate` holds a key's start or stop until released. */
function recorded() {
  const log: string[] = [];
  const errors: string[] = [];
  const live = new Set<string>();
  const failStart = new Set<string>();
  const failStop = new Set<string>();
  const gates = new Map<string, Promise<void>>();
  const runners = createKeyedRunners<string, number, string>({
    async start(key, input) {
      log.push(`start ${key} ${input}`);
      await gates.get(`start ${key}`);
      if (failStart.has(key)) throw new Error(`no ${key}`);
      if (live.has(key)) throw new Error(`${key} runs twice`);
      live.add(key);
      return `${key}#${input}`;
    },
    async stop(value, key) {
      log.push(`stop ${value}`);
      await gates.get(`stop ${key}`);
      if (failStop.has(key)) throw new Error(`cannot stop ${key}`);
      live.delete(key);
    },
    onError(err, key, phase) {
      errors.push(`${phase} ${key}: ${(err as Error).message}`);
    },
  });
  return { runners, log, errors, live, failStart, failStop, gates };
}

const wanted = (...keys: string[]) => keys.map((k, i) => [k, i + 1] as const);

describe('createKeyedRunners', () => {
  it('starts one per new key, leaves running ones alone and stops vanished ones', async () => {
    const r = recorded();
    await r.runners.sync(wanted('a', 'b'));
    await r.runners.sync(wanted('a', 'b'));
    await r.runners.sync([
      ['b', 9],
      ['c', 3],
    ]);
    expect(r.log).toEqual(['start a 1', 'start b 2', 'start c 3', 'stop a#1']);
    await new Promise((res) => setTimeout(res, 0));
    expect([...r.live].sort()).toEqual(['b', 'c']);
    expect(r.errors).toEqual([]);
  });

  it('reports a failing start without holding up the others, and tries it again at the next sync', async () => {
    const r = recorded();
    r.failStart.add('bad');
    await r.runners.sync(wanted('bad', 'good'));
    await new Promise((res) => setTimeout(res, 0));
    expect(r.errors).toEqual(['start bad: no bad']);
    expect([...r.live]).toEqual(['good']);
    r.failStart.delete('bad');
    await r.runners.sync(wanted('bad', 'good'));
    await new Promise((res) => setTimeout(res, 0));
    expect([...r.live].sort()).toEqual(['bad', 'good']);
    expect(r.log.filter((l) => l.startsWith('start bad'))).toHaveLength(2);
  });

  it('reports a failing stop and still stops the others', async () => {
    const r = recorded();
    await r.runners.sync(wanted('a', 'b', 'c'));
    r.failStop.add('b');
    await r.runners.sync([]);
    expect(r.errors).toEqual(['stop b: cannot stop b']);
    expect([...r.live]).toEqual(['b']);
    expect(r.log.filter((l) => l.startsWith('stop'))).toHaveLength(3);
  });

  it('stops a key whose start is still running once the start is done', async () => {
    const r = recorded();
    const started = deferred();
    r.gates.set('start a', started.promise);
    void r.runners.sync(wanted('a'));
    let stopped = false;
    const sync = r.runners.sync([]).then(() => (stopped = true));
    await new Promise((res) => setTimeout(res, 10));
    expect(stopped).toBe(false);
    started.resolve();
    await sync;
    expect(r.log).toEqual(['start a 1', 'stop a#1']);
    expect(r.live.size).toBe(0);
  });

  it('runs syncs one at a time: a key stopped and wanted again starts after its stop', async () => {
    const r = recorded();
    await r.runners.sync(wanted('a', 'b'));
    const stopA = deferred();
    r.gates.set('stop a', stopA.promise);
    // One sync drops `a` (its stop hangs), the next wants it again with `c`, the third drops `b`.
    const first = r.runners.sync([['b', 2]]);
    const second = r.runners.sync([
      ['a', 7],
      ['b', 2],
      ['c', 3],
    ]);
    const third = r.runners.sync([
      ['a', 7],
      ['c', 3],
    ]);
    await new Promise((res) => setTimeout(res, 10));
    expect(r.log).toEqual(['start a 1', 'start b 2', 'stop a#1']);
    stopA.resolve();
    await Promise.all([first, second, third]);
    expect(r.log).toEqual([
      'start a 1',
      'start b 2',
      'stop a#1',
      'start a 7',
      'start c 3',
      'stop b#2',
    ]);
    await new Promise((res) => setTimeout(res, 0));
    expect([...r.live].sort()).toEqual(['a', 'c']);
    expect(r.errors).toEqual([]);
  });

  it('close stops every one, also one still starting; later syncs do nothing', async () => {
    const r = recorded();
    await r.runners.sync(wanted('a', 'b'));
    const started = deferred();
    r.gates.set('start c', started.promise);
    await r.runners.sync(wanted('a', 'b', 'c'));
    const closed = r.runners.close();
    started.resolve();
    await closed;
    expect(r.live.size).toBe(0);
    expect(r.log.filter((l) => l.startsWith('stop')).sort()).toEqual([
      'stop a#1',
      'stop b#2',
      'stop c#3',
    ]);
    await r.runners.sync(wanted('d'));
    expect(r.log.some((l) => l.includes(' d'))).toBe(false);
  });
});
