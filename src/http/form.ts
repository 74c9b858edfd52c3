import type { Context } from "hono";

/**
 * The string fields of a posted HTML form. A body that is not a readable form (a broken multipart
 * boundary, garbage) yields no fields: the page then answers with its usual "check your details" 400
 * instead of a parser exception turning into a 500.
 */
export async function readFormFields(c: Context): Promise<Record<string, string>> {
  const type = c.req.header("content-type") ?? "";
  if (type.toLowerCase().startsWith("application/x-www-form-urlencoded")) {
    // What the hosted page posts. Read as text: the generic form parser builds a whole WHATWG Request
    // for every post, which cost the confirm path a few percent of its CPU.
    // Same reading as the generic parser: a repeated key keeps its last value, `key[]` lists are not fields.
    const fields: Record<string, string> = {};
    for (const [key, value] of new URLSearchParams(await c.req.text())) {
      if (!key.endsWith("[]")) fields[key] = value;
    }
    return fields;
  }
  let raw: Record<string, unknown>;
  try {
    raw = await c.req.parseBody();
  } catch {
    return {};
  }
  const fields: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (typeof value === "string") fields[key] = value;
  }
  return fields;
}
