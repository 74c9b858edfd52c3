import postgres from "postgres";
import { afterAll, describe, expect, inject, it } from "vitest";
import { toAppError } from "../../src/http/errors.js";
import { createLogger } from "../../src/lib/logger.js";
import { createCustomer, testContext } from "../support/index.js";

const ctx = await testContext();
const other = postgres(inject("databaseUrl"), { max: 1, onnotice: () => {} });
afterAll(() => other.end({ timeout: 5 }));

describe("a statement the database gives up on", () => {
  it("answers 503 with a retry hint when a write waits past the lock timeout, and works once the lock is gone", async () => {
    const m = await ctx.merchant();
    await createCustomer(ctx, m.testKey, "locked-1", { email: "locked@example.com", name: "Locked" });
    const update = () =>
      ctx.api("PUT", "/api/v1/customers/locked-1", {
        key: m.testKey,
        body: { customer: { name: "Renamed" } },
      });

    const held = other.reserve();
    const lock = await held;
    try {
      await lock`begin`;
      await lock`select id from customers where external_id = 'locked-1' and organization_id = ${m.organizationId} for update`;
      const res = await update();
      expect(res.status).toBe(503);
      expect(res.headers.get("x-should-retry")).toBe("true");
      expect(res.body).toMatchObject({ code: "SERVICE_UNAVAILABLE" });
    } finally {
      await lock`rollback`;
      lock.release();
    }
    const after = await update();
    expect(after.status).toBe(200);
    expect(after.body.customer).toMatchObject({ name: "Renamed" });
  });

  it("treats a cancelled statement (statement_timeout) as retryable, as it does a lock timeout", () => {
    const logger = createLogger("silent");
    for (const code of ["57014", "55P03"]) {
      const wrapped = Object.assign(new Error("Failed query: update … params: secret"), {
        cause: Object.assign(new Error("canceling statement due to statement timeout"), { code }),
      });
      const error = toAppError(wrapped, logger, "req_1");
      expect(error).toMatchObject({ code: "SERVICE_UNAVAILABLE", retryable: true });
    }
    expect(toAppError(Object.assign(new Error("x"), { code: "23505" }), logger, "req_2").code).toBe(
      "INTERNAL_SERVER_ERROR",
    );
  });
});
