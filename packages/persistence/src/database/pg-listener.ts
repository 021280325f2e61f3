import pg from 'pg';
import type { NotificationListener } from './database.js';

/** The LISTEN side of a pg {@link Database}: one dedicated connection for all channels. */
export interface PgListener {
  listen(channel: string, fn: NotificationListener): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/**
 * LISTEN needs a session that stays open between transactions, which a pool
 * cannot promise, so the channels of one database share a client of their
 * own, connected on the first `listen`. When that connection fails it is
 * reopened (backoff up to 5 s), every channel is listened to again and every
 * listener is called once: notifications sent while it was down are lost, and
 * a listener must then look for itself (a relay runs a cycle).
 */
export function createPgListener(
  config: pg.ClientConfig,
  onError: (error: Error) => void,
): PgListener {
  const channels = new Map<string, Set<NotificationListener>>();
  let client: Promise<pg.Client> | undefined;
  let current: pg.Client | undefined;
  let closed = false;
  let reconnectTimer: NodeJS.Timeout | undefined;
  let failures = 0;

  const connect = (): Promise<pg.Client> => {
    const c = new pg.Client(config);
    current = c;
    c.on('notification', (message) => {
      for (const fn of channels.get(message.channel) ?? []) fn(message.payload ?? '');
    });
    const lost = (error?: Error): void => {
      if (closed || current !== c) return;
      current = undefined;
      client = undefined;
      if (error) onError(error);
      scheduleReconnect();
    };
    c.on('error', lost);
    c.on('end', () => lost());
    const opened = (async () => {
      await c.connect();
      for (const channel of channels.keys()) await c.query(`LISTEN "${channel}"`);
      return c;
    })();
    opened.catch(() => {
      if (current === c) current = undefined;
      c.end().catch(() => undefined);
    });
    return opened;
  };

  const scheduleReconnect = (): void => {
    if (closed || reconnectTimer || channels.size === 0) return;
    const delay = Math.min(5_000, 100 * 2 ** Math.min(failures, 6));
    reconnectTimer = setTimeout(() => {
      reconnectTimer = undefined;
      if (closed || client) return;
      const opening = (client = connect());
      opening.then(
        () => {
          failures = 0;
          for (const set of channels.values()) for (const fn of set) fn('');
        },
        (error: unknown) => {
          failures++;
          if (client === opening) client = undefined;
          onError(error as Error);
          scheduleReconnect();
        },
      );
    }, delay);
    reconnectTimer.unref();
  };

  return {
    async listen(channel, fn) {
      let set = channels.get(channel);
      const first = set === undefined;
      set ??= new Set();
      set.add(fn);
      channels.set(channel, set);
      const forget = (): void => {
        set.delete(fn);
        if (set.size === 0) channels.delete(channel);
      };
      const opening = (client ??= connect());
      let c: pg.Client;
      try {
        c = await opening;
      } catch (error) {
        if (client === opening) client = undefined;
        forget();
        throw error;
      }
      // LISTEN is idempotent: a client that connected after `channels` got
      // this entry has listened already, and that is fine.
      if (first)
        await c.query(`LISTEN "${channel}"`).catch((error: unknown) => {
          forget();
          throw error;
        });
      return async () => {
        if (!set.delete(fn) || set.size > 0) return;
        channels.delete(channel);
        const open = await client?.catch(() => undefined);
        await open?.query(`UNLISTEN "${channel}"`).catch(() => undefined);
      };
    },
    async close() {
      closed = true;
      clearTimeout(reconnectTimer);
      const open = await client?.catch(() => undefined);
      client = undefined;
      await open?.end().catch(() => undefined);
    },
  };
}
