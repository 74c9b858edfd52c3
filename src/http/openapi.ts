import { z } from "@hono/zod-openapi";
import type { ErrorCode } from "../lib/errors.js";
import { ERROR_STATUS } from "../lib/errors.js";
import type { Examples } from "../lib/wire.js";

export const ErrorSchema = z
  .object({
    error: z.string(),
    message: z.string(),
    code: z.string().openapi({ example: "NOT_FOUND" }),
    request_id: z.string(),
    issues: z
      .array(z.object({ path: z.array(z.union([z.string(), z.number()])), message: z.string() }))
      .optional(),
  })
  .openapi("Error");

/**
 * Every example given to a route, with the schema it illustrates: a test parses each one, so an example
 * cannot drift from what the API accepts or sends.
 */
const documented: { schema: z.ZodType; name: string; value: unknown }[] = [];
export function documentedExamples(): readonly { schema: z.ZodType; name: string; value: unknown }[] {
  return documented;
}

function jsonContent<T extends z.ZodType>(schema: T, examples: Examples | undefined) {
  for (const [name, example] of Object.entries(examples ?? {}))
    documented.push({ schema, name, value: example.value });
  return { "application/json": { schema, ...(examples ? { examples } : {}) } };
}

export const jsonBody = <T extends z.ZodType>(schema: T, description?: string, examples?: Examples) => ({
  required: true,
  content: jsonContent(schema, examples),
  ...(description ? { description } : {}),
});

export const jsonResponse = <T extends z.ZodType>(schema: T, description: string, examples?: Examples) => ({
  description,
  content: jsonContent(schema, examples),
});

/** Documented error responses for a route; 400 and 401 apply to every authenticated route. */
export const errorResponses = (...codes: ErrorCode[]) => {
  const all = new Set<ErrorCode>(["BAD_REQUEST", "UNAUTHORIZED", ...codes]);
  const out: Record<number, ReturnType<typeof jsonResponse<typeof ErrorSchema>>> = {};
  for (const code of all) out[ERROR_STATUS[code]] = jsonResponse(ErrorSchema, code);
  return out;
};
