import { sql } from "drizzle-orm";
import type { AppDeps, BackgroundJob } from "../context/index.js";
import type { Executor } from "../db/client.js";
import { queryRows } from "../db/raw.js";
import { param, rawStatement } from "../db/statement.js";
import { newId } from "../lib/ids.js";
import type { Resolver } from "./destination.js";
import { nextAttemptAt } from "./schedule.js";
import { openWebhookSecret } from "./secret-at-rest.js";
import { DEFAULT_TIMEOUT_MS, type SendResult, SNIPPET_CHARS, sendWebhook } from "./send.js";

export type DeliveryWorkerOptions = {
  /** Deliveries claimed per round; all of them are sent in parallel. */
  batchSize?: number;
  /** Bound on one POST, response body included. */
  timeoutMs?: number;
  /** Added to the timeout to get the claim length; covers recording the result after the POST. */
  lockMarginMs?: number;
  /** Restricts a run to one tenant (targeted flushes, tests sharing a database). */
  organizationId?: string;
  /** Stands in for DNS (tests); the system resolver otherwise. */
  resolve?: Resolver;
  random?: () => number;
};

export type BatchResult = {
  claimed: number;
  delivered: number;
  retrying: number;
  failed: number;
  lost: number;
};

/** `config` holds GLADE_WEBHOOK_ALLOW_PRIVATE and the key that opens sealed signing secrets. */
type WorkerDeps = Pick<AppDeps, "db" | "now" | "logger"> & {
  config: Pick<AppDeps["config"], "webhookAllowPrivate" | "encryptionKey">;
};

type Claimed = {
  id: string;
  organization_id: string;
  livemode: boolean;
  attempt_count: number;
  event_id: string;
  payload: unknown;
  endpoint_id: string;
  url: string;
  secret: string;
};

export const DEFAULT_BATCH_SIZE = 32;
export const DEFAULT_LOCK_MARGIN_MS = 30_000;

/**
 * Claims due deliveries by stamping `locked_until`. SKIP LOCKED lets concurrent workers take disjoint
 * rows; the claim outlives the longest possible send, so under normal operation no two workers hold the
 * same delivery. A worker that dies leaves the stamp to expire and the delivery is claimed again: that
 * is where "at least once" comes from. Deliveries of paused (inactive) endpoints wait where they are.
 */
async function claimBatch(db: Executor, at: Date, lockUntil: Date, limit: number, organizationId?: string) {
  // Raw SQL parameters go to the driver untouched, and postgres.js (as set up by drizzle) wants strings.
  const now = sql`${at.toISOString()}::timestamptz`;
  const tenant = organizationId === undefined ? sql`` : sql`and c.organization_id = ${organizationId}`;
  return queryRows<Claimed>(
    db,
    sql`
    with claimable as (
      select c.id from webhook_deliveries c
      join webhook_endpoints ce on ce.id = c.endpoint_id
      where c.status = 'pending' and c.next_attempt_at <= ${now}
        and (c.locked_until is null or c.locked_until < ${now})
        and ce.active ${tenant}
      order by c.next_attempt_at
      limit ${limit}
      for update of c skip locked
    )
    update webhook_deliveries d set locked_until = ${lockUntil.toISOString()}::timestamptz
    from claimable, events ev, webhook_endpoints e
    where d.id = claimable.id and ev.id = d.event_id and e.id = d.endpoint_id
    returning d.id, d.organization_id, d.livemode, d.attempt_count, d.event_id, ev.payload, e.id as endpoint_id, e.url, e.secret`,
  );
}

type Outcome = "delivered" | "retrying" | "failed" | "lost";

// Built once: one of these runs per delivery attempt. Timestamps travel as ISO strings (or null).
const writeAttempt = rawStatement<{ id: string }>(
  "record_webhook_attempt",
  sql`
    with attempt as (
      insert into webhook_attempts
        (id, delivery_id, organization_id, livemode, attempted_at, status_code, duration_ms, response_snippet, error)
      values (${param("attemptId")}, ${param("deliveryId")}, ${param("organizationId")}, ${param("livemode")}::boolean,
        ${param("attemptedAt")}::timestamptz, ${param("statusCode")}::int, ${param("durationMs")}::int,
        ${param("snippet")}::text, ${param("error")}::text)
    )
    update webhook_deliveries set
      attempt_count = ${param("attempts")}::int, last_attempt_at = ${param("attemptedAt")}::timestamptz,
      locked_until = null, status = ${param("status")}::text,
      delivered_at = ${param("deliveredAt")}::timestamptz,
      next_attempt_at = coalesce(${param("retryAt")}::timestamptz, next_attempt_at)
    where id = ${param("deliveryId")} and status = 'pending' and locked_until = ${param("lockUntil")}::timestamptz
    returning id`,
);

/**
 * Writes the attempt and the delivery's next state in one statement (atomic, one round trip). The
 * update is fenced on our claim stamp: if the claim was broken meanwhile (redelivery, endpoint deleted,
 * lock expired), the attempt is still logged but the newer state wins.
 */
async function recordAttempt(
  deps: WorkerDeps,
  delivery: Claimed,
  lockUntil: Date,
  attemptedAt: Date,
  result: SendResult,
  random: () => number,
): Promise<Outcome> {
  const attempts = delivery.attempt_count + 1;
  const finishedAt = deps.now();
  const retryAt = result.ok ? null : nextAttemptAt(attempts, finishedAt, random);
  const outcome: Outcome = result.ok ? "delivered" : retryAt ? "retrying" : "failed";
  const status = outcome === "retrying" ? "pending" : outcome;
  const updated = await writeAttempt(deps.db, {
    attemptId: newId("webhookAttempt"),
    deliveryId: delivery.id,
    organizationId: delivery.organization_id,
    livemode: delivery.livemode,
    attemptedAt: attemptedAt.toISOString(),
    statusCode: result.statusCode,
    durationMs: result.durationMs,
    snippet: result.responseSnippet,
    error: result.error,
    attempts,
    status,
    deliveredAt: result.ok ? finishedAt.toISOString() : null,
    retryAt: retryAt ? retryAt.toISOString() : null,
    lockUntil: lockUntil.toISOString(),
  });
  return updated.length === 1 ? outcome : "lost";
}

function bodyOf(payload: unknown): string {
  return typeof payload === "string" ? payload : JSON.stringify(payload);
}

type Settings = { timeoutMs: number; lockMs: number; random: () => number; resolve: Resolver | undefined };

function settingsOf(options: DeliveryWorkerOptions): Settings {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return {
    timeoutMs,
    lockMs: timeoutMs + (options.lockMarginMs ?? DEFAULT_LOCK_MARGIN_MS),
    random: options.random ?? Math.random,
    resolve: options.resolve,
  };
}

async function claim(deps: WorkerDeps, settings: Settings, limit: number, organizationId?: string) {
  const now = deps.now();
  const lockUntil = new Date(now.getTime() + settings.lockMs);
  const claimed = await claimBatch(deps.db, now, lockUntil, limit, organizationId);
  return { claimed, lockUntil };
}

/** Sends one claimed delivery and records the outcome; a failure to record counts as "lost". */
async function attempt(
  deps: WorkerDeps,
  settings: Settings,
  delivery: Claimed,
  lockUntil: Date,
): Promise<Outcome> {
  const attemptedAt = deps.now();
  const sent = await sendSigned(deps, settings, delivery);
  try {
    return await recordAttempt(deps, delivery, lockUntil, attemptedAt, sent, settings.random);
  } catch (err) {
    // The POST happened but its result was not saved: the claim expires and the delivery is sent again.
    deps.logger.error({ err, deliveryId: delivery.id }, "webhook attempt could not be recorded");
    return "lost";
  }
}

/** The POST, or a failed attempt that sent nothing when the signing secret does not open. */
async function sendSigned(deps: WorkerDeps, settings: Settings, delivery: Claimed): Promise<SendResult> {
  let secret: string;
  try {
    secret = openWebhookSecret(deps.config, { id: delivery.endpoint_id, secret: delivery.secret });
  } catch (err) {
    const error = (err as Error).message.slice(0, SNIPPET_CHARS);
    return { ok: false, statusCode: null, durationMs: 0, responseSnippet: null, error };
  }
  return sendWebhook(
    { url: delivery.url, secret },
    { id: delivery.event_id, body: bodyOf(delivery.payload) },
    // Receivers check the signature timestamp against their own clock, so it is always real time.
    {
      timeoutMs: settings.timeoutMs,
      signedAt: new Date(),
      allow: deps.config.webhookAllowPrivate,
      ...(settings.resolve ? { resolve: settings.resolve } : {}),
    },
  );
}

const emptyResult = (): BatchResult => ({ claimed: 0, delivered: 0, retrying: 0, failed: 0, lost: 0 });

/** One round: claim up to `batchSize` due deliveries, POST them all at once, record each outcome. */
export async function runDeliveryBatch(
  deps: WorkerDeps,
  options: DeliveryWorkerOptions = {},
): Promise<BatchResult> {
  const settings = settingsOf(options);
  const { claimed, lockUntil } = await claim(
    deps,
    settings,
    options.batchSize ?? DEFAULT_BATCH_SIZE,
    options.organizationId,
  );
  const result = emptyResult();
  result.claimed = claimed.length;
  const outcomes = await Promise.all(claimed.map((d) => attempt(deps, settings, d, lockUntil)));
  for (const outcome of outcomes) result[outcome]++;
  return result;
}

/**
 * Keeps up to `batchSize` deliveries in flight, claiming more as slots free up, until nothing more is
 * due or `budgetMs` is spent; then waits for what is in flight. One slow receiver therefore holds one
 * slot, not a whole batch, and a job tick (and so a shutdown) stays bounded.
 */
export async function drainDeliveries(
  deps: WorkerDeps,
  options: DeliveryWorkerOptions & { budgetMs?: number } = {},
): Promise<BatchResult> {
  const settings = settingsOf(options);
  const slots = options.batchSize ?? DEFAULT_BATCH_SIZE;
  // Refill only once a quarter of the slots is free, so claims stay batched under load.
  const refillAt = Math.max(1, Math.floor(slots / 4));
  // A budget of elapsed wall time for this tick (bounding a shutdown), not a timestamp anything is stamped with.
  const deadline = Date.now() + (options.budgetMs ?? 5_000);
  const total = emptyResult();
  const inFlight = new Set<Promise<void>>();
  let queueEmpty = false;
  for (;;) {
    const free = slots - inFlight.size;
    if (!queueEmpty && Date.now() < deadline && (free >= refillAt || inFlight.size === 0)) {
      const { claimed, lockUntil } = await claim(deps, settings, free, options.organizationId);
      total.claimed += claimed.length;
      queueEmpty = claimed.length < free;
      for (const delivery of claimed) {
        const task = attempt(deps, settings, delivery, lockUntil).then((outcome) => {
          total[outcome]++;
          inFlight.delete(task);
        });
        inFlight.add(task);
      }
      if (claimed.length > 0) continue;
    }
    if (inFlight.size === 0) return total;
    await Promise.race(inFlight);
  }
}

export const webhookDeliveryJob: BackgroundJob = {
  name: "webhook-delivery",
  intervalMs: 250,
  run: (deps) => drainDeliveries(deps),
};
