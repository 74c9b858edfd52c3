import { performance } from "node:perf_hooks";

/**
 * How fast the merchants with a queue may start requests while a merchant without one is being served.
 *
 * A share of one request at a time still let a merchant that keeps a queue fill most of the event loop: its
 * next request starts the moment the last one ends, and a merchant sending one request now and then met a loop
 * busy 80–90 % of the time and waited behind it at every step (issue #26: 1.2–3.3× its p99 alone). The loop
 * cannot be preempted, so the way to leave room is to start the queued merchants' requests less often. Every
 * tick the pacer measures how busy the loop was and what a finished request cost it on average, estimates
 * what the merchants without a queue use, and spaces the queued merchants' starts so that the whole loop
 * stays near `targetLoad`. They never get less than `floorLoad` of it between them: a queued merchant slows
 * down, it never stops. With no merchant without a queue served within the window, nothing is paced.
 */
export type PacingOptions = {
  /** Share of the event loop (0–1) the server holds to while a merchant without a queue is being served. */
  targetLoad: number;
  /** Share the queued merchants keep between them however much the others use. */
  floorLoad: number;
  /** How often the loop is measured and the gap recomputed. */
  tickMs: number;
  /** Busy share of the event loop since the previous call; Node's own measure by default. */
  probe?: () => number;
};

export type Pacer = {
  /** A merchant without a queue was served (an API request let straight in, or one of its hosted pages). */
  noteUnqueued(now: number): void;
  /** A request let through the gate finished; `queued` when it had waited in its merchant's queue. */
  finished(queued: boolean): void;
  /** Measures the tick that just ended and returns the gap to keep between queued starts (0: unpaced). */
  tick(now: number, windowMs: number): number;
  /** Starts the measuring afresh after the gate had nothing queued (the idle time is not a measure). */
  restart(): void;
};

export function eventLoopProbe(): () => number {
  let last = performance.eventLoopUtilization();
  return () => {
    const current = performance.eventLoopUtilization();
    const delta = performance.eventLoopUtilization(current, last);
    last = current;
    return delta.utilization;
  };
}

/** Weight of the newest tick in the running estimates: a few ticks of history, no more. */
const SMOOTHING = 0.3;
const smooth = (previous: number, sample: number) => previous + SMOOTHING * (sample - previous);

export function createPacer(options: PacingOptions): Pacer {
  const probe = options.probe ?? eventLoopProbe();
  let costMs = 1; // loop time per finished request, until measured
  let unqueuedShare = 0;
  let unqueuedAt = Number.NEGATIVE_INFINITY;
  let unqueuedDone = 0;
  let queuedDone = 0;

  return {
    noteUnqueued(now) {
      unqueuedAt = now;
    },
    finished(queued) {
      if (queued) queuedDone++;
      else unqueuedDone++;
    },
    tick(now, windowMs) {
      const busy = probe();
      const done = unqueuedDone + queuedDone;
      // Work no request accounts for (jobs, GC, the other pages) is charged to the requests: erring towards
      // pacing more, never less.
      if (done > 0) costMs = smooth(costMs, (busy * options.tickMs) / done);
      unqueuedShare = smooth(unqueuedShare, (unqueuedDone * costMs) / options.tickMs);
      unqueuedDone = 0;
      queuedDone = 0;
      if (now - unqueuedAt > windowMs) return 0;
      return costMs / Math.max(options.floorLoad, options.targetLoad - unqueuedShare);
    },
    restart() {
      probe();
      unqueuedDone = 0;
      queuedDone = 0;
    },
  };
}
