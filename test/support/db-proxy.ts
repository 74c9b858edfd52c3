import { connect, createServer, type Server, type Socket } from "node:net";

/**
 * A TCP relay between Glade's pool and Postgres, for outage tests: `cut` drops every connection and refuses
 * new ones (the database host gone), `hangUp` drops every connection and hangs up on each new one as it comes
 * (counted by `hangUps`, so a test can wait for reconnection attempts), `restore` lets them through again.
 * `url` is `databaseUrl` pointed at the relay.
 */
export type DatabaseProxy = {
  url: string;
  cut: () => Promise<void>;
  hangUp: () => void;
  hangUps: () => number;
  restore: () => Promise<void>;
  close: () => Promise<void>;
};

export async function databaseProxy(databaseUrl: string): Promise<DatabaseProxy> {
  const target = new URL(databaseUrl);
  const sockets = new Set<Socket>();
  let hangingUp = false;
  let hangUps = 0;
  const relay = (client: Socket) => {
    if (hangingUp) {
      hangUps++;
      client.destroy();
      return;
    }
    const upstream = connect(Number(target.port || 5432), target.hostname);
    for (const [from, to] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      sockets.add(from);
      from.pipe(to);
      from.on("error", () => to.destroy());
      from.on("close", () => {
        sockets.delete(from);
        to.destroy();
      });
    }
  };
  let server: Server | undefined;
  let port = 0;
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const s = createServer(relay);
      s.once("error", reject);
      s.listen(port, "127.0.0.1", () => {
        const address = s.address();
        if (typeof address === "object" && address) port = address.port;
        server = s;
        resolve();
      });
    });
  const stop = async () => {
    const s = server;
    server = undefined;
    for (const socket of sockets) socket.destroy();
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  };
  await listen();
  const url = new URL(databaseUrl);
  url.hostname = "127.0.0.1";
  url.port = String(port);
  return {
    url: url.toString(),
    cut: stop,
    hangUp: () => {
      hangingUp = true;
      for (const socket of sockets) socket.destroy();
    },
    hangUps: () => hangUps,
    restore: async () => {
      hangingUp = false;
      if (!server) await listen();
    },
    close: stop,
  };
}
