import { sql } from "drizzle-orm";
import { describe, expect, inject, it } from "vitest";
import { migrate, openDatabase, postgresConnection } from "../../src/db/client.js";
import { queryRows } from "../../src/db/raw.js";

describe("DATABASE_URL naming a Unix socket (libpq's ?host=/dir)", () => {
  it("turns the socket directory into postgres.js's socket path and leaves other URLs alone", () => {
    expect(postgresConnection("postgres://app@localhost/shop?host=/run/postgresql")).toEqual({
      url: "postgres://app@localhost/shop",
      path: "/run/postgresql/.s.PGSQL.5432",
    });
    expect(postgresConnection("postgres://app@localhost:6543/shop?host=/tmp/&sslmode=disable")).toEqual({
      url: "postgres://app@localhost:6543/shop?sslmode=disable",
      path: "/tmp/.s.PGSQL.6543",
    });
    const tcp = "postgres://app@db.internal:5432/shop?sslmode=require";
    expect(postgresConnection(tcp)).toEqual({ url: tcp });
  });

  it("connects, migrates and queries over the socket", async () => {
    const url = new URL(inject("databaseUrl"));
    url.hostname = "localhost";
    url.searchParams.set("host", "/var/run/postgresql");
    const handle = await openDatabase({ databaseUrl: url.toString(), dataDir: "" });
    try {
      await migrate(handle);
      const [row] = await queryRows<{ addr: string | null; db: string }>(
        handle.db,
        sql`select inet_server_addr()::text as addr, current_database() as db`,
      );
      // A Unix-socket session has no server address; a TCP one would say 127.0.0.1.
      expect(row).toEqual({ addr: null, db: url.pathname.slice(1) });
    } finally {
      await handle.close();
    }
  });
});
