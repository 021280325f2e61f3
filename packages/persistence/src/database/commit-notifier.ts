/**
 * Decides when the notifications that committed transactions asked for
 * (`tx.notifyAfterCommit`) go out. The first commit on a channel in `gapMs`
 * carries it; a commit within the gap leaves it owed, and the first COMMIT
 * after the gap (any transaction's) carries it, or a timer sends it one more
 * gap later when no COMMIT came. Every commit is thus followed by a
 * notification sent after it committed, at most `2 × gapMs` later, while a busy
 * writer sends at most one per channel per `gapMs` (each costs the server a
 * statement and a lock that every notifying transaction takes) and usually
 * no extra round trip.
 *
 * Why not `NOTIFY` inside the transaction: Postgres then takes that lock for
 * the commit of every notifying transaction and holds it through the commit's
 * WAL flush, so such commits run one at a time.
 */
export interface CommitNotifier {
  /**
   * For a transaction about to commit that asked for `channels`: the channels
   * to notify right after its COMMIT (its own that are due, and any owed).
   */
  now(channels: Iterable<string>): string[];
  /** After that COMMIT succeeded: the asked-for channels not notified are owed. */
  later(channels: Iterable<string>): void;
  /** Drops what is still owed. */
  close(): void;
}

/** Default gap between two notifications of one channel. */
export const NOTIFY_GAP_MS = 2;

/** `send` runs `SELECT pg_notify(channel, '')` outside any transaction; failures are dropped. */
export function createCommitNotifier(
  send: (channel: string) => Promise<unknown>,
  gapMs: number = NOTIFY_GAP_MS,
): CommitNotifier {
  const lastSent = new Map<string, number>();
  // Owed channels, with the timer that sends them if no COMMIT does first.
  const owed = new Map<string, NodeJS.Timeout>();
  const sent = (channel: string, at: number): void => {
    lastSent.set(channel, at);
    clearTimeout(owed.get(channel));
    owed.delete(channel);
  };
  return {
    now(channels) {
      const due: string[] = [];
      // Most transactions notify nothing and nothing is owed.
      if (owed.size === 0 && isEmpty(channels)) return due;
      const at = performance.now();
      for (const channel of new Set([...channels, ...owed.keys()])) {
        if (at - (lastSent.get(channel) ?? -Infinity) < gapMs) continue;
        sent(channel, at);
        due.push(channel);
      }
      return due;
    },
    later(channels) {
      for (const channel of channels) {
        if (owed.has(channel)) continue;
        // A gap later than a COMMIT could carry it, so that a busy writer's COMMITs do.
        const delay = (lastSent.get(channel) ?? -Infinity) + 2 * gapMs - performance.now();
        const timer = setTimeout(
          () => {
            sent(channel, performance.now());
            void send(channel).catch(() => undefined);
          },
          Math.max(0, delay),
        );
        timer.unref();
        owed.set(channel, timer);
      }
    },
    close() {
      for (const timer of owed.values()) clearTimeout(timer);
      owed.clear();
    },
  };
}

function isEmpty(channels: Iterable<string>): boolean {
  if (channels instanceof Set || channels instanceof Map) return channels.size === 0;
  if (Array.isArray(channels)) return channels.length === 0;
  return false;
}
