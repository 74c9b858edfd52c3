import type { Column } from "drizzle-orm";

/** Where one key of a row comes from: the caller's values, a constant, or a column the statement returned. */
export type RowSource =
  | { key: string; given: string }
  | { key: string; constant: unknown }
  | { key: string; returned: string; column: Pick<Column, "mapFromDriverValue"> };

type Decoder = (value: unknown) => unknown;

/**
 * A function that builds a row as ONE object literal, every key in the same order, compiled once per
 * statement. Assembled key by key instead (a spread, then a store per column), a row of more than a dozen
 * columns became a dictionary-mode object: slow to build, and slow for every serializer that read it
 * (`perf` on a checkout create: hidden-class migrations and megamorphic loads, ~4 % of the request).
 * The generated code only ever contains property names quoted by JSON.stringify and array indexes.
 */
export function compileRowShape<Row>(
  sources: RowSource[],
): (given: Record<string, unknown>, returned: Record<string, unknown>) => Row {
  const constants: unknown[] = [];
  const decoders: Decoder[] = [];
  const fields = sources.map((source) => {
    const key = JSON.stringify(source.key);
    if ("given" in source) return `${key}: given[${JSON.stringify(source.given)}]`;
    if ("constant" in source) {
      constants.push(source.constant);
      return `${key}: constants[${constants.length - 1}]`;
    }
    const { column } = source;
    decoders.push((value) => column.mapFromDriverValue(value));
    const raw = `returned[${JSON.stringify(source.returned)}]`;
    return `${key}: ${raw} == null ? null : decoders[${decoders.length - 1}](${raw})`;
  });
  const make = new Function("constants", "decoders", "given", "returned", `return { ${fields.join(", ")} };`);
  return (given, returned) => make(constants, decoders, given, returned) as Row;
}

/**
 * A copy of a row with a regular shape. Drizzle and postgres.js build each row one key at a time, which
 * leaves a row of more than about sixteen columns a dictionary-mode object; code that reads many of its
 * fields (planning a checkout from its session, serializing it) pays for that on every read. A spread copy
 * has a regular shape.
 */
export function withRegularShape<Row extends object>(row: Row): Row {
  return { ...row };
}
