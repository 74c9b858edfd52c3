import { z } from "@hono/zod-openapi";
import type { ErrorCode } from "../lib/errors.js";
import { ERROR_STATUS } from "../lib/errors.js";

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

export const jsonBody = <T extends z.ZodType>(schema: T, description?: string) => ({
  required: true,
  content: { "application/json": { schema } },
  ...(description ? { description } : {}),
});

export const jsonResponse = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});

/** Documented error responses for a route; 400 and 401 apply to every authenticated route. */
export const errorResponses = (...codes: ErrorCode[]) => {
  const all = new Set<ErrorCode>(["BAD_REQUEST", "UNAUTHORIZED", ...codes]);
  const out: Record<number, ReturnType<typeof jsonResponse<typeof ErrorSchema>>> = {};
  for (const code of all) out[ERROR_STATUS[code]] = jsonResponse(ErrorSchema, code);
  return out;
};
