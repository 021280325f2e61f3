/**
 * Sends the notifications transactions asked for once they have committed
 * (`tx.notifyAfterCommit`), coalesced per channel: while one is on its way,
 * any number of further requests for that channel make exactly one more, sent
 * after it. Every commit is thus followed by a notification sent after it
 * committed, at the cost of one statement per round trip and channel at most.
 *
 * Why not `NOTIFY` inside the transaction: Postgres then takes one lock per
 * database for the commit of every notifying transaction and holds it through
 * the commit's WAL flush, so such commits run one at a time.
 */
export interface CommitNotifier {
  notify(channel: string): void;
}

/** `send` runs `SELECT pg_notify(channel, '')` outside any transaction; failures are dropped. */
export function createCommitNotifier(send: (channel: string) => Promise<unknown>): CommitNotifier {
  // Present: a notification is on its way; true: another is wanted after it.
  const inFlight = new Map<string, boolean>();
  const start = (channel: string): void => {
    inFlight.set(channel, false);
    void send(channel)
      .catch(() => undefined)
      .finally(() => {
        if (inFlight.get(channel)) start(channel);
        else inFlight.delete(channel);
      });
  };
  return {
    notify(channel) {
      if (inFlight.has(channel)) inFlight.set(channel, true);
      else start(channel);
    },
  };
}
