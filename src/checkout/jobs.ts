import type { BackgroundJob } from "../context/index.js";
import { sweepExpiredSessions } from "./expire.js";
import { reconcilePendingSessions } from "./reconcile.js";

export const checkoutJobs: BackgroundJob[] = [
  { name: "checkout-expiry-sweep", intervalMs: 30_000, run: (deps) => sweepExpiredSessions(deps) },
  { name: "checkout-reconcile-pending", intervalMs: 30_000, run: (deps) => reconcilePendingSessions(deps) },
];
