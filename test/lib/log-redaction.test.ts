import { Writable } from "node:stream";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { toAppError } from "../../src/http/errors.js";
import { createLogger } from "../../src/lib/logger.js";
import { testContext } from "../support/index.js";

const ctx = await testContext();

/** A logger writing to memory, as the server's would to stdout. */
function capture() {
  let text = "";
  const out = new Writable({
    write(chunk, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  return { logger: createLogger("info", out as never), text: () => text };
}

async function failure(query: ReturnType<typeof sql>): Promise<unknown> {
  try {
    await ctx.deps.db.execute(query);
  } catch (err) {
    return err;
  }
  throw new Error("the query did not fail");
}

describe("logs never carry a query's values", () => {
  const secret = "whsec_NeverInALogLine0123456789";
  const email = "private.person@example.com";
  const address = "12 Secret Garden Road";

  it("redacts params, parameters, detail and the value a data error quotes, through every cause", async () => {
    const log = capture();
    const { organizationId } = await ctx.merchant("Loud failures");
    // A unique violation (an unhandled error, logged): its params hold all three, its detail the secret.
    const duplicate = await failure(
      sql`insert into api_keys (id, organization_id, livemode, name, key_hash, key_prefix)
        values ('apikey_dup_1', ${organizationId}, false, ${email}, ${secret}, ${address}),
          ('apikey_dup_2', ${organizationId}, false, ${email}, ${secret}, ${address})`,
    );
    expect(toAppError(duplicate, log.logger, "req_test").code).toBe("INTERNAL_SERVER_ERROR");
    // A data error (answered 400 to a client, but logged by a job that meets one) quotes the bad value.
    log.logger.error({ err: await failure(sql`select ${secret}::int`) }, "job failed");
    const written = log.text();
    expect(written).toContain("unhandled error");
    expect(written).toContain("Failed query");
    for (const value of [secret, email, address]) expect(written, value).not.toContain(value);
    expect(written).toContain("[redacted]");
  });

  it("keeps card fields and keys redacted in plain objects too", () => {
    const log = capture();
    log.logger.info(
      { cardNumber: "4242424242424242", nested: { secretKey: "sk_live_abc", cvc: "123" } },
      "x",
    );
    expect(log.text()).not.toMatch(/4242424242424242|sk_live_abc|"123"/);
  });
});
