import postgres from "postgres";
import { afterAll, describe, expect, inject, it } from "vitest";
import { openDatabase } from "../../src/db/client.js";
import { databaseProxy } from "../support/index.js";

const url = inject("databaseUrl");
const admin = postgres(url, { max: 1, onnotice: () => {} });
afterAll(() => admin.end({ timeout: 5 }));

/** Sends `payload` on `channel` until `heard` has it: a NOTIFY sent while nobody listens is gone. */
async function untilHeard(heard: string[], channel: string, payload: string) {
  await expect
    .poll(async () => {
      await admin`select pg_notify(${channel}, ${payload})`;
      return heard.includes(payload);
    })
    .toBe(true);
}

describe("a LISTEN connection", () => {
  it("listens again after its connection is lost and the first attempts to reconnect fail", async () => {
    const proxy = await databaseProxy(url);
    const handle = await openDatabase({ databaseUrl: proxy.url, dataDir: "" });
    const heard: string[] = [];
    let connects = 0;
    try {
      await handle.listen(
        "glade_listener_test",
        (payload) => heard.push(payload),
        () => connects++,
      );
      await untilHeard(heard, "glade_listener_test", "before");
      expect(connects).toBe(1);

      // The host goes away: the connection drops and the LISTEN issued again at once is refused too.
      // postgres.js's own listen gave up at this point for good.
      proxy.hangUp();
      await expect.poll(() => proxy.hangUps()).toBeGreaterThan(1);
      await proxy.restore();

      await untilHeard(heard, "glade_listener_test", "after");
      expect(connects).toBe(2);
    } finally {
      await handle.close();
      await proxy.close();
    }
  });
});
