import { setTimeout as sleep } from "node:timers/promises";

/** What the listener needs of a postgres.js client opened for it (one connection). */
export type ListenConnection = {
  unsafe(query: string): PromiseLike<unknown>;
  end(options: { timeout: number }): Promise<void>;
};

export type ListenHooks = {
  onnotify: (channel: string, payload: string) => void;
  onclose: () => void;
};

type Subscriber = { onMessage: (payload: string) => void; onConnect: () => void };

export const RELISTEN_FIRST_DELAY_MS = 100;
export const RELISTEN_MAX_DELAY_MS = 5_000;

const listenStatement = (channel: string) => `listen "${channel.replaceAll('"', '""')}"`;

/**
 * LISTEN on a connection of its own, re-established for as long as it takes. postgres.js's own `listen` issues
 * LISTEN again when its connection closes, but drops the error if that attempt fails as well (the backend is
 * terminated again while it reconnects, or the database still refuses connections) and never tries again: the
 * process silently stops hearing, and an API key revoked elsewhere keeps working in it. The outage suite caught it
 * under load (pg_terminate_backend round after round). Here every close starts a retry loop with backoff, and a
 * close during an attempt makes the loop go round again, so a success always means "listening now".
 */
export function createListener(connect: (hooks: ListenHooks) => ListenConnection) {
  const subscribers = new Map<string, Subscriber[]>();
  let closed = false;
  let losses = 0;
  let relistening: Promise<void> | undefined;
  const connection = connect({
    onnotify: (channel, payload) => {
      for (const subscriber of subscribers.get(channel) ?? []) subscriber.onMessage(payload);
    },
    onclose: () => {
      losses++;
      if (!closed) void relisten();
    },
  });

  async function listenToAll(): Promise<void> {
    for (const channel of subscribers.keys()) await connection.unsafe(listenStatement(channel));
  }

  function relisten(): Promise<void> {
    relistening ??= (async () => {
      for (let delay = RELISTEN_FIRST_DELAY_MS; !closed; delay = Math.min(delay * 2, RELISTEN_MAX_DELAY_MS)) {
        const seen = losses;
        try {
          await listenToAll();
          if (losses === seen) {
            for (const list of subscribers.values()) for (const subscriber of list) subscriber.onConnect();
            return;
          }
          // Lost again while (or right after) listening: that LISTEN belonged to a connection that is gone.
        } catch {
          // Still unreachable; the next attempt waits longer.
        }
        await sleep(delay, undefined, { ref: false });
      }
    })().finally(() => {
      relistening = undefined;
    });
    return relistening;
  }

  return {
    /** Calls `onMessage` with each NOTIFY on `channel`, and `onConnect` once listening (again). */
    async listen(channel: string, onMessage: Subscriber["onMessage"], onConnect: Subscriber["onConnect"]) {
      const known = subscribers.get(channel);
      const subscriber = { onMessage, onConnect };
      if (known) known.push(subscriber);
      else subscribers.set(channel, [subscriber]);
      if (!known) await connection.unsafe(listenStatement(channel));
      onConnect();
    },
    async close(): Promise<void> {
      closed = true;
      await connection.end({ timeout: 5 });
    },
  };
}
