import type { MiddlewareHandler } from "hono";
import { AppError } from "../lib/errors.js";
import { createPacer, type PacingOptions } from "./tenant-pacing.js";
import type { AppEnv } from "./types.js";

/**
 * Per-merchant admission. On a shared pool and a couple of cores, one merchant's full-speed client would hold
 * every database connection and most of the CPU, and another merchant's single request would wait behind all
 * of it. While the server has only one organization's traffic, that organization runs as many API requests at
 * once as it sends; as soon as another organization has been served within `contentionWindowMs`, each runs at
 * most `sharedConcurrency` at a time in this process and the rest wait in that organization's own queue, first
 * come first served. A busy merchant then waits on itself, and everyone else finds the CPU and a connection.
 * While a merchant without a queue is being served, the queued requests also start at a measured pace
 * (tenant-pacing.ts), round robin across the merchants that have them, so the event loop keeps room for it.
 * A queue that is full, or a wait past `maxWaitMs`, answers 429 with a retry hint: the official client backs
 * off and tries again.
 */
export type TenantGateOptions = {
  sharedConcurrency: number;
  queueLimit: number;
  maxWaitMs: number;
  contentionWindowMs: number;
  /** Spacing of queued requests while a merchant without a queue is served (tenant-pacing.ts); none when absent. */
  pacing?: PacingOptions;
  now?: () => number;
};

type Waiter = { admit: () => void; timer: NodeJS.Timeout };
type Lane = { running: number; waiting: Waiter[] };

export type TenantGate = {
  /** Resolves with the slot's release once `tenant` may run; rejects with a 429 AppError when it may not. */
  enter: (tenant: string) => Promise<() => void>;
  /**
   * Traffic of `tenant` that takes no slot (its hosted pages) still counts as it being served, and as
   * unqueued work the pacing keeps room for.
   */
  seen: (tenant: string) => void;
  /** Requests of `tenant` running and waiting now. */
  load: (tenant: string) => { running: number; waiting: number };
  /** Tenants with a request running or waiting: the gate forgets a tenant as soon as it goes idle. */
  tenants: () => number;
};

export function createTenantGate(options: TenantGateOptions): TenantGate {
  const now = options.now ?? Date.now;
  // In the order their queues were last served, so that the first lane with a waiter is the next one's turn.
  const lanes = new Map<string, Lane>();
  // Tenants served within the window, least recent first (re-inserted on each visit), so the stale ones
  // are dropped from the front and the check costs the same however many merchants there are.
  const recent = new Map<string, number>();
  const pacer = options.pacing ? createPacer(options.pacing) : undefined;
  let gapMs = 0;
  let nextQueuedAt = 0;
  let ticker: NodeJS.Timeout | undefined;
  let wake: NodeJS.Timeout | undefined;

  function remember(tenant: string): void {
    recent.delete(tenant);
    recent.set(tenant, now());
  }

  function seen(tenant: string): void {
    remember(tenant);
    // A customer at a checkout page is never queued: the pacing keeps room for the page like for any
    // request let straight in, whatever the merchant's API queue.
    pacer?.noteUnqueued(now());
    pacer?.finished(false);
  }

  function contended(): boolean {
    const horizon = now() - options.contentionWindowMs;
    for (const [tenant, at] of recent) {
      if (at >= horizon) break;
      recent.delete(tenant);
    }
    return recent.size > 1;
  }

  const capacity = () => (contended() ? options.sharedConcurrency : Number.POSITIVE_INFINITY);

  function nextInLine(cap: number): [string, Lane] | undefined {
    for (const entry of lanes) if (entry[1].waiting.length > 0 && entry[1].running < cap) return entry;
    return undefined;
  }

  /** Lets queued requests in while there are slots, round robin across tenants, spaced while paced. */
  function admitQueued(): void {
    const cap = capacity();
    // A queue left over from sharing drains at once: a merchant alone is held back by nothing, not even by
    // the room the pacing keeps for its own hosted pages.
    const paced = gapMs > 0 && Number.isFinite(cap);
    for (let next = nextInLine(cap); next; next = nextInLine(cap)) {
      const [tenant, lane] = next;
      if (paced) {
        const at = now();
        if (at < nextQueuedAt) {
          wakeAt(nextQueuedAt - at);
          return;
        }
        nextQueuedAt = at + gapMs;
      }
      const waiter = lane.waiting.shift() as Waiter;
      clearTimeout(waiter.timer);
      remember(tenant); // served now, however long ago it arrived
      lane.running++;
      lanes.delete(tenant);
      lanes.set(tenant, lane);
      waiter.admit();
    }
  }

  function wakeAt(delayMs: number): void {
    if (wake) return;
    wake = setTimeout(() => {
      wake = undefined;
      admitQueued();
    }, delayMs);
  }

  function startTicking(): void {
    if (!pacer || ticker) return;
    const { tickMs } = options.pacing as PacingOptions;
    pacer.restart();
    ticker = setInterval(() => {
      gapMs = pacer.tick(now(), options.contentionWindowMs);
      // Nobody waits any more, whatever the slots: the next queue starts the measuring afresh.
      if (!nextInLine(Number.POSITIVE_INFINITY)) {
        clearInterval(ticker);
        ticker = undefined;
      }
      admitQueued();
    }, tickMs);
    ticker.unref();
  }

  function forgetIfIdle(tenant: string, lane: Lane): void {
    if (lane.running === 0 && lane.waiting.length === 0) lanes.delete(tenant);
  }

  function releaser(tenant: string, lane: Lane, queued: boolean): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      lane.running--;
      pacer?.finished(queued);
      forgetIfIdle(tenant, lane);
      admitQueued();
    };
  }

  return {
    enter(tenant) {
      remember(tenant);
      let lane = lanes.get(tenant);
      if (!lane) {
        lane = { running: 0, waiting: [] };
        lanes.set(tenant, lane);
      }
      const current = lane;
      if (current.waiting.length === 0 && current.running < capacity()) {
        current.running++;
        pacer?.noteUnqueued(now());
        return Promise.resolve(releaser(tenant, current, false));
      }
      if (current.waiting.length >= options.queueLimit) return Promise.reject(busy(options.maxWaitMs));
      startTicking();
      return new Promise((resolve, reject) => {
        const waiter: Waiter = {
          admit: () => resolve(releaser(tenant, current, true)),
          timer: setTimeout(() => {
            current.waiting.splice(current.waiting.indexOf(waiter), 1);
            forgetIfIdle(tenant, current);
            reject(busy(options.maxWaitMs));
          }, options.maxWaitMs),
        };
        current.waiting.push(waiter);
      });
    },
    seen,
    load(tenant) {
      const lane = lanes.get(tenant);
      return { running: lane?.running ?? 0, waiting: lane?.waiting.length ?? 0 };
    },
    tenants: () => lanes.size,
  };
}

/** How long a client is told to wait before trying again: one wait's worth, capped where the client's hint ends. */
const RETRY_AFTER_CAP_MS = 2_000;

export class TenantBusyError extends AppError {
  readonly retryAfterMs: number;
  constructor(retryAfterMs: number) {
    super("TOO_MANY_REQUESTS", "Too many requests in progress for this organization: retry shortly", {
      retryable: true,
    });
    this.retryAfterMs = retryAfterMs;
  }
}

function busy(maxWaitMs: number): TenantBusyError {
  return new TenantBusyError(Math.min(maxWaitMs, RETRY_AFTER_CAP_MS));
}

/** After the API key: the merchant is known, nothing has touched the database for it yet. */
export function admitTenant(gate: TenantGate): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    let release: () => void;
    try {
      release = await gate.enter(c.get("merchant").organizationId);
    } catch (err) {
      if (err instanceof TenantBusyError) c.header("retry-after-ms", String(err.retryAfterMs));
      throw err;
    }
    try {
      await next();
    } finally {
      release();
    }
  };
}

/** Hosted checkout pages take no slot (a customer is waiting), but their merchant is being served. */
export function noteTenantPages(gate: TenantGate): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    c.set("tenantSeen", gate.seen);
    await next();
  };
}
