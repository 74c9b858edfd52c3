import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { Executor } from "../../src/db/client.js";
import { insertSelectStatement } from "../../src/db/insert-select.js";
import { compileRowShape } from "../../src/db/row-shape.js";
import { checkoutSessions } from "../../src/db/schema/index.js";

describe("rows built in one shape", () => {
  it("takes each key from the caller's values, a constant or a decoded returned column, in the given order", () => {
    const toRow = compileRowShape<Record<string, unknown>>([
      { key: "id", given: "id" },
      { key: "status", constant: "open" },
      {
        key: "createdAt",
        returned: "created_at",
        column: { mapFromDriverValue: (v) => new Date(String(v)) },
      },
      { key: "odd'key\"", given: "odd'key\"" },
      { key: "missing", returned: "missing", column: { mapFromDriverValue: () => "never" } },
    ]);
    const row = toRow(
      { id: "x_1", "odd'key\"": 7, ignored: true },
      { created_at: "2026-01-01T00:00:00Z", missing: null },
    );
    expect(row).toEqual({
      id: "x_1",
      status: "open",
      createdAt: new Date("2026-01-01T00:00:00Z"),
      "odd'key\"": 7,
      missing: null,
    });
    expect(Object.keys(row)).toEqual(["id", "status", "createdAt", "odd'key\"", "missing"]);
  });

  it("refuses a constant it could not write safely as a literal", () => {
    const db = {} as Executor;
    for (const constant of ["it's", "a\\b", 1.5]) {
      const insert = insertSelectStatement("bad_constant", checkoutSessions, {
        computed: {},
        constant: { outputName: constant as string },
        from: sql`(select 1) as one`,
      });
      // Built on first use: the mistake surfaces there, before anything is sent.
      expect(() => insert(db, {} as never)).toThrow(/constant for outputName/);
    }
  });
});
