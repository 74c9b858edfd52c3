import { CONFIRM_FORM } from "../scenarios/complete.js";
import { type BenchDatabase, createBody, createOneSession, createOpenSessions } from "./database.js";
import type { LoadSpec } from "./load.js";
import type { BenchOptions } from "./options.js";

export type GladeRequest = "create" | "complete" | "page";

/**
 * The Glade side's load for one measured run, for the profiling passes (the scenarios size their own
 * session pools). Confirms get enough distinct open sessions for a fast run.
 */
export async function gladeSpec(
  db: BenchDatabase,
  kind: GladeRequest,
  options: BenchOptions,
): Promise<LoadSpec> {
  if (kind === "create") {
    return {
      method: "POST",
      path: "/api/v1/checkout-sessions",
      headers: { "content-type": "application/json", authorization: db.secret },
      body: createBody(db),
      expectStatus: 200,
    };
  }
  if (kind === "page")
    return { method: "GET", path: `/checkout/${await createOneSession(db)}`, expectStatus: 200 };
  const pool = await createOpenSessions(db, Math.ceil(2000 * (options.warmup + options.duration)));
  let next = 0;
  return {
    method: "POST",
    path: () => `/checkout/${pool[next++ % pool.length]}/confirm`,
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: CONFIRM_FORM,
    expectStatus: 303,
  };
}
