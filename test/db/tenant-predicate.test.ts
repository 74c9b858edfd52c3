import { and, eq, type SQL } from "drizzle-orm";
import { PgDialect } from "drizzle-orm/pg-core";
import { describe, expect, it } from "vitest";
import { customers, invoices } from "../../src/db/schema/index.js";
import { ownedBy, param, sameTenant } from "../../src/db/statement.js";

const dialect = new PgDialect({ casing: "snake_case" });
const render = (query: Parameters<PgDialect["sqlToQuery"]>[0]) => dialect.sqlToQuery(query);

describe("the tenant predicate", () => {
  it("checks a row found by something else in a form no index can serve, against placeholders by default", () => {
    const { sql } = render(and(eq(customers.id, param("id")), sameTenant(customers)) as SQL);
    expect(sql).toBe(
      '("customers"."id" = $1 and ("customers"."organization_id", "customers"."livemode") is not distinct from ($2, $3))',
    );
  });

  it("checks against another row's columns in a join", () => {
    const { sql } = render(sameTenant(invoices, customers.organizationId, customers.livemode));
    expect(sql).toBe(
      '("invoices"."organization_id", "invoices"."livemode") is not distinct from ("customers"."organization_id", "customers"."livemode")',
    );
  });

  it("finds a merchant's rows with plain equalities, so the tenant's index serves lists", () => {
    const { sql, params } = render(ownedBy(customers, { organizationId: "org_1", livemode: true }));
    expect(sql).toBe('("customers"."organization_id" = $1 and "customers"."livemode" = $2)');
    expect(params).toEqual(["org_1", true]);
  });
});
