import { sql } from "drizzle-orm";
import type { AppDeps } from "../context/index.js";
import type { Executor } from "../db/client.js";
import { param, rawStatement } from "../db/statement.js";

/**
 * A per-endpoint circuit breaker. Retrying each delivery on its own schedule is right for one bad event;
 * for a receiver that is down it means every queued delivery keeps knocking (and holding a worker seat for
 * up to the send timeout) while the receiver stays down. So after CIRCUIT_OPENS_AFTER failed attempts in a
 * row the endpoint's circuit opens: nothing of it is claimed until `circuit_open_until`, then one delivery
 * at a time is tried as a probe. A failed probe reopens the circuit for twice as long (up to
 * CIRCUIT_MAX_OPEN_MS); any success closes it. Held deliveries make no attempt, so they spend none of their
 * retry window (which is counted in attempts: see schedule.ts) and only wait longer in real time.
 */
export const CIRCUIT_OPENS_AFTER = 5;
export const CIRCUIT_FIRST_OPEN_MS = 30_000;
export const CIRCUIT_MAX_OPEN_MS = 60 * 60 * 1000;

const at = sql`${param("at")}::timestamptz`;
const endpointId = sql`${param("endpointId")}::text`;

/** A success closes the circuit; on an endpoint that was healthy already it writes nothing. */
const closeCircuit = rawStatement<{ was_open: boolean }>(
  "close_webhook_circuit",
  sql`
    update webhook_endpoints e set consecutive_failures = 0, circuit_open_until = null
    from (select id, circuit_open_until is not null as was_open from webhook_endpoints where id = ${endpointId}) old
    where e.id = old.id and (e.consecutive_failures > 0 or e.circuit_open_until is not null)
    returning old.was_open`,
);

/**
 * A failure counts while the circuit is closed and opens it at the threshold; a probe's failure reopens it
 * for longer. Failures of attempts that were already in flight when it opened change nothing: they say
 * what the probe schedule already knows, and counting them would stretch the first opening at random.
 */
const countFailure = rawStatement<{ was_open: boolean; open_until: Date | string | null; failures: number }>(
  "count_webhook_failure",
  sql`
    update webhook_endpoints e set
      consecutive_failures = case
        when ${param("probe")}::boolean or e.circuit_open_until is null then e.consecutive_failures + 1
        else e.consecutive_failures end,
      circuit_open_until = case
        when ${param("probe")}::boolean then ${at} + least(
          ${param("firstOpenMs")}::float8 * power(2, greatest(0, e.consecutive_failures + 1 - ${param("opensAfter")}::int)),
          ${param("maxOpenMs")}::float8) * interval '1 millisecond'
        when e.circuit_open_until is null and e.consecutive_failures + 1 >= ${param("opensAfter")}::int
          then ${at} + ${param("firstOpenMs")}::float8 * interval '1 millisecond'
        else e.circuit_open_until end
    from (select id, circuit_open_until is not null as was_open from webhook_endpoints where id = ${endpointId}) old
    where e.id = old.id
    returning old.was_open, e.circuit_open_until as open_until, e.consecutive_failures as failures`,
);

type CircuitDeps = Pick<AppDeps, "db" | "logger">;

/** Feeds one recorded attempt's outcome to its endpoint's circuit, and logs when the circuit turns. */
export async function recordEndpointOutcome(
  deps: CircuitDeps & { db: Executor },
  attempt: { endpointId: string; ok: boolean; probe: boolean; finishedAt: Date },
): Promise<void> {
  const { endpointId: id, finishedAt } = attempt;
  if (attempt.ok) {
    const [closed] = await closeCircuit(deps.db, { endpointId: id });
    if (closed?.was_open) deps.logger.info({ endpointId: id }, "webhook endpoint circuit closed");
    return;
  }
  const [row] = await countFailure(deps.db, {
    endpointId: id,
    at: finishedAt.toISOString(),
    probe: attempt.probe,
    opensAfter: CIRCUIT_OPENS_AFTER,
    firstOpenMs: CIRCUIT_FIRST_OPEN_MS,
    maxOpenMs: CIRCUIT_MAX_OPEN_MS,
  });
  if (!row || row.open_until === null) return;
  if (!row.was_open || attempt.probe) {
    deps.logger.warn(
      { endpointId: id, failures: row.failures, openUntil: new Date(row.open_until).toISOString() },
      "webhook endpoint circuit opened",
    );
  }
}
