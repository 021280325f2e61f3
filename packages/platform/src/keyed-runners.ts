/** Options of {@link createKeyedRunners}. */
export interface KeyedRunnersOptions<K, I, T> {
  /** Starts the thing of a key that has none; a failure is reported and tried again at the next sync. */
  start(key: K, input: I): Promise<T>;
  /** Stops what `start` gave, when its key is no longer wanted or on close. */
  stop(value: T, key: K): Promise<void>;
  /** A start or a stop failed; the other keys carry on. */
  onError(err: unknown, key: K, phase: 'start' | 'stop'): void;
}

/** Exactly one running thing per wanted key: {@link createKeyedRunners}. */
export interface KeyedRunners<K, I> {
  /**
   * Starts one for each wanted key that has none (with its input) and stops those whose key
   * is not wanted any more. Syncs run one at a time, in the order called; the promise settles
   * (never rejects) once this one's stops are done, not waiting for its starts.
   */
  sync(wanted: Iterable<readonly [K, I]>): Promise<void>;
  /** Stops every one, those still starting once started; syncs not run yet and later ones do nothing. */
  close(): Promise<void>;
}

/**
 * Keeps exactly one running thing per key as the set of wanted keys changes: the relays and
 * read models of each tenant database of its own, a process worker per tenant namespace.
 * A key being stopped is stopped once its start has settled.
 */
export function createKeyedRunners<K, I, T>(
  options: KeyedRunnersOptions<K, I, T>,
): KeyedRunners<K, I> {
  const running = new Map<K, Promise<{ value: T } | undefined>>();
  let closed = false;
  let queue: Promise<void> = Promise.resolve();
  const start = (key: K, input: I) => {
    const started: Promise<{ value: T } | undefined> = new Promise<T>((resolve) =>
      resolve(options.start(key, input)),
    ).then(
      (value) => ({ value }),
      (err: unknown) => {
        if (running.get(key) === started) running.delete(key);
        options.onError(err, key, 'start');
        return undefined;
      },
    );
    running.set(key, started);
  };
  const stop = async (key: K, started: Promise<{ value: T } | undefined>) => {
    const s = await started;
    if (s)
      await options.stop(s.value, key).catch((err: unknown) => options.onError(err, key, 'stop'));
  };
  const stopUnwanted = async (wanted: ReadonlyMap<K, I> | undefined) => {
    const stopping: Promise<void>[] = [];
    for (const [key, started] of running)
      if (!wanted?.has(key)) {
        running.delete(key);
        stopping.push(stop(key, started));
      }
    await Promise.all(stopping);
  };
  const serially = (run: () => Promise<void>) => {
    const next = queue.then(run);
    queue = next.catch(() => undefined);
    return next;
  };
  return {
    sync(wanted) {
      const keys = new Map(wanted);
      return serially(async () => {
        if (closed) return;
        for (const [key, input] of keys) if (!running.has(key)) start(key, input);
        await stopUnwanted(keys);
      });
    },
    close() {
      closed = true;
      return serially(() => stopUnwanted(undefined));
    },
  };
}
