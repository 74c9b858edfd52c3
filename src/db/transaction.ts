import { panic } from "../lib/errors.js";
import type { Executor } from "./executor.js";

/** The slice of a postgres.js `sql` object this module drives. */
export type PostgresClient = {
  unsafe: (query: string, params?: unknown[], options?: Record<string, unknown>) => unknown;
  reserve?: () => Promise<PostgresClient & { release: () => void }>;
  begin?: (...args: unknown[]) => unknown;
  savepoint?: (...args: unknown[]) => unknown;
};

type CommandResult = { command?: string };

/** Statements a transaction's work sent and handed over, keyed by the transaction's own client. */
const atCommit = new WeakMap<object, Promise<unknown>[]>();

/**
 * postgres.js's `begin` for the pool: the same transaction, two round trips fewer. Its own `begin` waits for
 * BEGIN before running any statement and for the last statement before sending COMMIT. Here BEGIN goes out
 * with the transaction's first statement, and what the work hands to `settleAtCommit` goes out with COMMIT,
 * all awaited together: a failed statement aborts the transaction, so the COMMIT behind it rolls back and
 * the statement's error is what the caller gets. `prepareClient` is applied to the reserved connection the
 * way the pool's own clients are prepared.
 */
export function pipelinedBegin(
  pool: PostgresClient,
  prepareClient: <C extends PostgresClient>(client: C) => C,
): (...args: unknown[]) => Promise<unknown> {
  return async (...args: unknown[]) => {
    const [mode, work] = (typeof args[0] === "function" ? ["", args[0]] : args) as [
      string,
      (client: PostgresClient) => Promise<unknown>,
    ];
    if (!pool.reserve) panic("this postgres.js has no reserve()");
    const connection = await pool.reserve();
    const client = prepareClient({
      unsafe: connection.unsafe.bind(connection),
      savepoint: () => {
        return panic("nested transactions are not supported");
      },
    } as PostgresClient);
    const handedOver: Promise<unknown>[] = [];
    atCommit.set(client, handedOver);
    const begun = client.unsafe(`begin ${mode.replace(/[^a-z ]/gi, "")}`) as Promise<unknown>;
    // Its outcome is read at commit; until then a failure must not count as an unhandled rejection.
    begun.catch(() => undefined);
    try {
      const result = await work(client);
      const committed = client.unsafe("commit") as Promise<CommandResult>;
      const outcomes = await Promise.allSettled([begun, ...handedOver, committed]);
      const failed = outcomes.find((o) => o.status === "rejected");
      if (failed) throw failed.reason;
      const { command } = (await committed) ?? {};
      if (command !== "COMMIT") panic(`transaction ended with ${command ?? "nothing"}, not COMMIT`);
      return result;
    } catch (err) {
      // Whatever is still in flight finishes first; then the transaction, if still open, is rolled back
      // (after a COMMIT that became a rollback this is a harmless no-op).
      await Promise.allSettled([begun, ...handedOver]);
      await (client.unsafe("rollback") as Promise<unknown>).catch(() => undefined);
      throw err;
    } finally {
      atCommit.delete(client);
      connection.release();
    }
  };
}

/**
 * Statements of the transaction `tx` whose results nobody needs before it commits (its events, the last
 * update of a row it holds locked). On the Postgres pool they are awaited together with COMMIT, in the same
 * round trip; elsewhere (PGlite, or a client without the pipelined begin) they are awaited here. Either way
 * the transaction commits only if all of them succeeded.
 */
export async function settleAtCommit(tx: Executor, statements: Promise<unknown>[]): Promise<void> {
  const client = (tx as unknown as { session: { client: object } }).session.client;
  const handedOver = atCommit.get(client);
  if (handedOver) {
    // Read at commit; a failure before then must not count as an unhandled rejection.
    for (const statement of statements) statement.catch(() => undefined);
    handedOver.push(...statements);
    return;
  }
  await Promise.all(statements);
}
