import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import type { AppDeps } from "../../src/context/index.js";
import { type Executor, SESSION_SETTINGS } from "../../src/db/client.js";
import * as schema from "../../src/db/schema/index.js";

/**
 * Runs `work` on a one-connection client that records every statement it sends, then runs each recorded
 * statement whose text `keep` accepts (default: every one) again under EXPLAIN (ANALYZE, BUFFERS). Only
 * reads should be kept: EXPLAIN ANALYZE executes what it explains.
 */
export async function explainStatements(
  databaseUrl: string,
  deps: AppDeps,
  work: (traced: AppDeps) => Promise<unknown>,
  keep: (query: string) => boolean = () => true,
): Promise<string[]> {
  const sent: { query: string; params: unknown[] }[] = [];
  let tracing = true;
  const client = postgres(databaseUrl, {
    max: 1,
    onnotice: () => {},
    // Planned as the server's sessions plan (no parallel workers); without its timeouts, so a slow plan still prints.
    connection: { max_parallel_workers_per_gather: SESSION_SETTINGS.max_parallel_workers_per_gather },
    debug: (_connection, query, params) => {
      if (tracing && !query.includes("pg_catalog") && keep(query))
        sent.push({ query, params: params as unknown[] });
    },
  });
  try {
    const traced = drizzle(client, { schema, casing: "snake_case" }) as unknown as Executor;
    await work({ ...deps, db: traced });
    tracing = false;
    const plans: string[] = [];
    for (const { query, params } of sent) {
      const rows = await client.unsafe(`explain (analyze, buffers) ${query}`, params as never[]);
      plans.push(`${query}\n${rows.map((r) => `  ${r["QUERY PLAN"]}`).join("\n")}`);
    }
    return plans;
  } finally {
    await client.end({ timeout: 5 });
  }
}
