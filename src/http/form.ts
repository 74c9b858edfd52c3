import type { Context } from "hono";

/**
 * The string fields of a posted HTML form. A body that is not a readable form (a broken multipart
 * boundary, garbage) yields no fields: the page then answers with its usual "check your details" 400
 * instead of a parser exception turning into a 500.
 */
export async function readFormFields(c: Context): Promise<Record<string, string>> {
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
