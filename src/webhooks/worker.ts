import { sql } from "drizzle-orm";
import type { AppDeps, BackgroundJob } from "../context/index.js";
import { param, rawStatement } from "../db/statement.js";
import { newId } from "../lib/ids.js";
import { recordEndpointOutcome } from "./circuit.js";
import { type Claimed, claimBatch } from "./claim-deliveries.js";
import type { Resolver } from "./destination.js";
import { nextAttemptAt } from "./schedule.js";
import { openWebhookSecret } from "./secret-at-rest.js";
import { DEFAULT_TIMEOUT_MS, type SendResult, SNIPPET_CHARS, sendWebhook } from "./send.js";

export type DeliveryWorkerOptions = {
  /** Deliveries claimed per round; all of them are sent in parallel. */
  batchSize?: number;
  /**
   * Most deliveries of one endpoint a worker has in flight: half the batch by default in a drain, so one
   * endpoint's backlog (or a hanging receiver) always leaves seats for the others.
   */
  perEndpoint?: number;
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

export const DEFAULT_BATCH_SIZE = 32;
export const DEFAULT_LOCK_MARGIN_MS = 30_000;

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

type ClaimRound = {
  limit: number;
  share: number;
  seats?: ReadonlyMap<string, number>;
  organizationId?: string;
};

async function claim(deps: WorkerDeps, settings: Settings, round: ClaimRound) {
  const at = deps.now();
  const lockUntil = new Date(at.getTime() + settings.lockMs);
  const claimed = await claimBatch(deps.db, { at, lockUntil, ...round });
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
  let outcome: Outcome;
  try {
    outcome = await recordAttempt(deps, delivery, lockUntil, attemptedAt, sent, settings.random);
  } catch (err) {
    // The POST happened but its result was not saved: the claim expires and the delivery is sent again.
    deps.logger.error({ err, deliveryId: delivery.id }, "webhook attempt could not be recorded");
    return "lost";
  }
  // What the receiver answered says how the endpoint is doing even when the delivery's own claim was broken.
  const endpointOutcome = { endpointId: delivery.endpoint_id, ok: sent.ok, probe: delivery.probe };
  try {
    await recordEndpointOutcome(deps, { ...endpointOutcome, finishedAt: deps.now() });
  } catch (err) {
    // The attempt is on record; the circuit only misses one data point.
    deps.logger.error(
      { err, endpointId: delivery.endpoint_id },
      "webhook endpoint health could not be recorded",
    );
  }
  return outcome;
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
  const limit = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const { claimed, lockUntil } = await claim(deps, settings, {
    limit,
    share: options.perEndpoint ?? limit,
    ...(options.organizationId !== undefined ? { organizationId: options.organizationId } : {}),
  });
  const result = emptyResult();
  result.claimed = claimed.length;
  const outcomes = await Promise.all(claimed.map((d) => attempt(deps, settings, d, lockUntil)));
  for (const outcome of outcomes) result[outcome]++;
  return result;
}

/** While a drain waits on slow attempts, how often it looks for newly due work (the job's own period). */
const IDLE_CLAIM_MS = 250;

const pause = (ms: number) => {
  let timer: NodeJS.Timeout | undefined;
  const done = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  return { done, cancel: () => clearTimeout(timer) };
};

/**
 * Keeps up to `batchSize` deliveries in flight, claiming more as slots free up, until nothing more is
 * due or `budgetMs` is spent; then waits for what is in flight. One slow receiver therefore holds one
 * slot, not a whole batch, and a job tick (and so a shutdown) stays bounded. No endpoint gets more than
 * `perEndpoint` of the slots, so a backlog or a hanging receiver always leaves room for the others, and
 * while slots are held, newly due work is still looked for every IDLE_CLAIM_MS.
 */
export async function drainDeliveries(
  deps: WorkerDeps,
  options: DeliveryWorkerOptions & { budgetMs?: number } = {},
): Promise<BatchResult> {
  const settings = settingsOf(options);
  const slots = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const share = options.perEndpoint ?? Math.max(1, Math.floor(slots / 2));
  // Refill only once a quarter of the slots is free, so claims stay batched under load.
  const refillAt = Math.max(1, Math.floor(slots / 4));
  // A budget of elapsed wall time for this tick (bounding a shutdown), not a timestamp anything is stamped with.
  const deadline = Date.now() + (options.budgetMs ?? 5_000);
  const total = emptyResult();
  const inFlight = new Set<Promise<void>>();
  const heldBy = new Map<string, number>();
  const seats = () => new Map([...heldBy].map(([endpointId, held]) => [endpointId, share - held]));
  const hold = (endpointId: string, by: number) => {
    const held = (heldBy.get(endpointId) ?? 0) + by;
    if (held > 0) heldBy.set(endpointId, held);
    else heldBy.delete(endpointId);
  };
  for (;;) {
    const free = slots - inFlight.size;
    if (Date.now() < deadline && (free >= refillAt || inFlight.size === 0)) {
      const { claimed, lockUntil } = await claim(deps, settings, {
        limit: free,
        share,
        seats: seats(),
        ...(options.organizationId !== undefined ? { organizationId: options.organizationId } : {}),
      });
      total.claimed += claimed.length;
      for (const delivery of claimed) {
        hold(delivery.endpoint_id, 1);
        const task = attempt(deps, settings, delivery, lockUntil).then((outcome) => {
          total[outcome]++;
          hold(delivery.endpoint_id, -1);
          inFlight.delete(task);
        });
        inFlight.add(task);
      }
      if (claimed.length > 0) continue;
      if (inFlight.size === 0) return total;
      // Nothing claimable now: wait for a slot to free up, or for new work to come due.
      const idle = pause(IDLE_CLAIM_MS);
      await Promise.race([...inFlight, idle.done]);
      idle.cancel();
      continue;
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
