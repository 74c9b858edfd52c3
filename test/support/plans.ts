import type postgres from "postgres";

/**
 * How a long-lived connection plans `text` (a statement as the server sent it, `$n` parameters): the generic
 * plan, made without parameter values, as EXPLAIN text. `name` labels a failure.
 */
export async function genericPlan(sql: postgres.Sql, text: string, name = "statement"): Promise<string> {
  const params = Math.max(0, ...[...text.matchAll(/\$(\d+)/g)].map((m) => Number(m[1])));
  return sql
    .begin(async (tx) => {
      await tx.unsafe("set local plan_cache_mode = force_generic_plan");
      await tx.unsafe(`prepare plan_probe as ${text}`);
      const args = Array.from({ length: params }, () => "null").join(", ");
      const rows = await tx.unsafe(`explain execute plan_probe${params ? `(${args})` : ""}`);
      await tx.unsafe("deallocate plan_probe");
      return rows.map((r) => r["QUERY PLAN"] as string).join("\n");
    })
    .catch((err: unknown) => {
      throw new Error(`${name}: ${err instanceof Error ? err.message : String(err)}\n${text}`);
    });
}
