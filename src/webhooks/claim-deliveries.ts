import { type SQL, sql } from "drizzle-orm";
import type { Executor } from "../db/client.js";
import { param, rawStatement } from "../db/statement.js";

export type Claimed = {
  id: string;
  organization_id: string;
  livemode: boolean;
  attempt_count: number;
  event_id: string;
  payload: unknown;
  endpoint_id: string;
  url: string;
  secret: string;
  /** Taken through a half-open circuit: its outcome decides whether the circuit closes or stays open. */
  probe: boolean;
};

const dueBy = sql`${param("now")}::timestamptz`;
const claimedUntil = sql`${param("lockUntil")}::timestamptz`;
const claimLimit = sql`${param("limit")}::int`;
const onlyOrganization = sql`${param("organizationId")}::text`;
/** How many more of an endpoint's deliveries this worker takes now: `{ endpointId: n }`, `share` if absent. */
const seatsOf = (endpoint: SQL) =>
  sql`coalesce((${param("seats")}::text::jsonb ->> ${endpoint})::int, ${param("share")}::int)`;

const free = (row: string) => sql.raw(`(${row}.locked_until is null or ${row}.locked_until < `);
const isFree = (row: string) => sql`${free(row)}${dueBy})`;

/** An endpoint's due deliveries, earliest first: the partial index of pending deliveries, in its own order. */
const dueOf = (endpoint: SQL, which: "free" | "any") => sql`
        select w.id, w.locked_until from webhook_deliveries w
        where w.endpoint_id = ${endpoint} and w.status = 'pending' and w.next_attempt_at <= ${dueBy}
          ${which === "free" ? sql`and ${isFree("w")}` : sql``}
        order by w.next_attempt_at`;

/**
 * The claim, planned the same way whatever the size of a backlog: every read of webhook_deliveries is a
 * descent of the partial index of pending deliveries by (endpoint_id, next_attempt_at), in that index's
 * order and bounded by a LIMIT, or a primary-key lookup; never a walk through one endpoint's backlog. The
 * ORDER BYs ask for what only that index gives without a sort, so stale statistics cannot talk the planner
 * into another plan.
 *
 * 1. `pending_endpoints`: the endpoints with anything pending, one index descent each (a loose index scan).
 * 2. `turns`: of those, the active ones whose circuit lets them (closed, with seats left in this worker; or
 *    half-open) and that have something to claim; least recently served first, at most `limit` of them.
 *    That is the round robin: every endpoint with due work gets its turn, however long another's backlog.
 * 3. `claimed`: each turn's quota, an even split of `limit`. Circuit closed: its earliest free due
 *    deliveries, locked with SKIP LOCKED (so concurrent workers take disjoint rows, as before). Half-open:
 *    its earliest due delivery as the probe, if no one holds it. Probes are one at a time across workers
 *    because a claimed delivery keeps its place at the front until its attempt is recorded (its due time
 *    does not move before), so while a probe is in flight the half-open endpoint has nothing to claim.
 * 4. `served`: the round-robin stamp; a probe also keeps the circuit shut to other claims until its result
 *    is in or its claim expires. SKIP LOCKED: a claim never waits on an endpoint row.
 */
export const CLAIM_SQL = sql`
    with recursive pending_endpoints(endpoint_id) as (
      (select d.endpoint_id from webhook_deliveries d where d.status = 'pending'
        order by d.endpoint_id, d.next_attempt_at limit 1)
      union all
      select (select d.endpoint_id from webhook_deliveries d
          where d.status = 'pending' and d.endpoint_id > p.endpoint_id
          order by d.endpoint_id, d.next_attempt_at limit 1)
      from pending_endpoints p where p.endpoint_id is not null
    ), turns as (
      select e.id, e.circuit_open_until is not null as probing, ${seatsOf(sql`e.id`)} as seats,
        row_number() over (order by e.last_claimed_at nulls first, e.id) as rank
      from pending_endpoints p join webhook_endpoints e on e.id = p.endpoint_id
      where e.active and (${onlyOrganization} is null or e.organization_id = ${onlyOrganization})
        and (e.circuit_open_until is null or e.circuit_open_until <= ${dueBy})
        and (e.circuit_open_until is not null or ${seatsOf(sql`e.id`)} > 0)
        and case when e.circuit_open_until is null
          then exists (select 1 from (${dueOf(sql`p.endpoint_id`, "free")} limit 1) w)
          else coalesce((select ${isFree("w")} from (${dueOf(sql`p.endpoint_id`, "any")} limit 1) w), false) end
      order by e.last_claimed_at nulls first, e.id
      limit ${claimLimit}
    ), quotas as (
      select t.id, t.probing, least(t.seats, ${claimLimit} / n.turns
        + case when t.rank <= ${claimLimit} % n.turns then 1 else 0 end) as quota
      from turns t, (select count(*)::int as turns from turns) n
    ), claimed as (
      select w.id, q.id as endpoint_id from quotas q
      cross join lateral (
        select w.id from (${dueOf(sql`q.id`, "free")} limit q.quota for update skip locked) w
        where not q.probing
        union all
        select c.id from (${dueOf(sql`q.id`, "any")} limit 1) w
        cross join lateral (
          select c.id from webhook_deliveries c
          where c.id = w.id and c.status = 'pending' and ${isFree("c")}
          for update skip locked) c
        where q.probing
      ) w
    ), served as (
      update webhook_endpoints e set last_claimed_at = ${dueBy},
        circuit_open_until = case when e.circuit_open_until is null then null
          else greatest(e.circuit_open_until, ${claimedUntil}) end
      where e.id = any(array(select s.id from webhook_endpoints s
        where s.id = any(array(select endpoint_id from claimed)) for update skip locked))
    )
    update webhook_deliveries d set locked_until = ${claimedUntil}
    from events ev, webhook_endpoints e
    where d.id = any(array(select id from claimed)) and ev.id = d.event_id and e.id = d.endpoint_id
    returning d.id, d.organization_id, d.livemode, d.attempt_count, d.event_id, ev.payload, e.id as endpoint_id,
      e.url, e.secret, e.circuit_open_until is not null as probe`;

const claimStatement = rawStatement<Claimed>("claim_webhook_deliveries", CLAIM_SQL);

export type ClaimRequest = {
  at: Date;
  lockUntil: Date;
  limit: number;
  /** Most deliveries of one endpoint taken by this claim. */
  share: number;
  /** Endpoints with fewer seats left in this worker than `share` (some of theirs are in flight). */
  seats?: ReadonlyMap<string, number>;
  organizationId?: string | undefined;
};

/** The statement's named values (the plan tests EXPLAIN it with the same ones). */
export function claimParams(request: ClaimRequest): Record<string, unknown> {
  return {
    now: request.at.toISOString(),
    lockUntil: request.lockUntil.toISOString(),
    limit: request.limit,
    share: request.share,
    seats: JSON.stringify(Object.fromEntries(request.seats ?? [])),
    organizationId: request.organizationId ?? null,
  };
}

export function claimBatch(db: Executor, request: ClaimRequest): Promise<Claimed[]> {
  return claimStatement(db, claimParams(request));
}
