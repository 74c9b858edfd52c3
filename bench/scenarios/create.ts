import { startBare, startGlade } from "../lib/child.js";
import { type Comparison, compare } from "../lib/compare.js";
import { type BenchDatabase, createBody } from "../lib/database.js";
import type { BenchOptions } from "../lib/options.js";

/** POST /api/v1/checkout-sessions against one INSERT … RETURNING behind node:http. */
export async function benchCreate(
  db: BenchDatabase,
  options: BenchOptions,
  log: (line: string) => void,
): Promise<Comparison> {
  const body = createBody(db);
  const headers = { "content-type": "application/json", authorization: db.secret };
  return compare(
    db,
    {
      glade: {
        label: "glade",
        start: () => startGlade(db.url, { httpWorkers: options.gladeWorkers }),
        spec: () => ({ method: "POST", path: "/api/v1/checkout-sessions", headers, body, expectStatus: 200 }),
      },
      bare: {
        label: "bare",
        start: () => startBare("create", { DATABASE_URL: db.url, BARE_ORG_ID: db.merchant.organizationId }),
        spec: () => ({ method: "POST", path: "/checkout-sessions", headers, body, expectStatus: 200 }),
      },
      references: [
        {
          label: "Hono + zod + the same INSERT",
          start: () =>
            startBare("create-hono", { DATABASE_URL: db.url, BARE_ORG_ID: db.merchant.organizationId }),
          spec: () => ({ method: "POST", path: "/checkout-sessions", headers, body, expectStatus: 200 }),
        },
      ],
    },
    options,
    log,
  );
}
