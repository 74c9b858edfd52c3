import { checkoutJobs } from "./checkout/index.js";
import type { AppDeps, BackgroundJob } from "./context/index.js";
import { deleteOldClientAttempts } from "./http/shared-rate-limit.js";
import { deleteExpiredPortalAccess } from "./portal/index.js";
import {
  applyScheduledAdjustments,
  renewDueSubscriptions,
  runScheduledCancellations,
} from "./subscriptions/index.js";
import { webhookDeliveryJob } from "./webhooks/index.js";

/** Jobs that run inside the server process (webhook delivery, expiry sweeps); each domain adds its own. */
export const BACKGROUND_JOBS: BackgroundJob[] = [
  ...checkoutJobs,
  webhookDeliveryJob,
  {
    name: "subscription-scheduled-cancellations",
    intervalMs: 60_000,
    run: (deps) => runScheduledCancellations(deps),
  },
  { name: "subscription-renewals", intervalMs: 60_000, run: (deps) => renewDueSubscriptions(deps) },
  {
    name: "subscription-scheduled-adjustments",
    intervalMs: 60_000,
    run: (deps) => applyScheduledAdjustments(deps),
  },
  {
    name: "client-attempt-windows",
    intervalMs: 10 * 60_000,
    run: (deps) => deleteOldClientAttempts(deps.db, deps.now()),
  },
  {
    name: "billing-portal-expired-access",
    intervalMs: 10 * 60_000,
    run: (deps) => deleteExpiredPortalAccess(deps.db, deps.now()),
  },
];

/**
 * Runs each job on its interval, never overlapping itself. A failing run is logged and retried on the
 * next tick: a job must be safe to repeat.
 */
export function startBackgroundJobs(
  deps: AppDeps,
  jobs: BackgroundJob[] = BACKGROUND_JOBS,
): { stop: () => Promise<void> } {
  const running = new Set<Promise<unknown>>();
  const timers = jobs.map((job) => {
    let busy = false;
    return setInterval(() => {
      if (busy) return;
      busy = true;
      const p = job
        .run(deps)
        .catch((err: unknown) => deps.logger.error({ err, job: job.name }, "background job failed"))
        .finally(() => {
          busy = false;
          running.delete(p);
        });
      running.add(p);
    }, job.intervalMs);
  });
  return {
    stop: async () => {
      for (const t of timers) clearInterval(t);
      await Promise.allSettled([...running]);
    },
  };
}
