import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { migrate, openDatabase } from "../../src/db/client.js";

const ADMIN_URL = process.env.GLADE_TEST_ADMIN_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

/**
 * A new database on the test Postgres (or on the server of `anyUrlOnTheServer`), migrated with the committed
 * migrations. `drop` removes it (and ends the admin connection); every caller arranges to call it when its
 * tests are done.
 */
export async function createMigratedDatabase(
  prefix: string,
  anyUrlOnTheServer = ADMIN_URL,
): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `${prefix}_${Date.now()}_${randomBytes(4).toString("hex")}`;
  const adminUrl = new URL(anyUrlOnTheServer);
  adminUrl.pathname = "/postgres";
  const admin = postgres(adminUrl.toString(), { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${name}"`);
  const url = new URL(anyUrlOnTheServer);
  url.pathname = `/${name}`;
  const handle = await openDatabase({ databaseUrl: url.toString(), dataDir: "" });
  await migrate(handle);
  await handle.close();
  return {
    url: url.toString(),
    drop: async () => {
      await admin.unsafe(`drop database if exists "${name}" with (force)`);
      await admin.end({ timeout: 5 });
    },
  };
}
