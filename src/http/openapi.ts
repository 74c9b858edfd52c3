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

/** Epoch milliseconds on the wire, as Flowglad sends timestamps. */
export const EpochMs = z.number().int();
export const toEpochMs = (d: Date): number => d.getTime();
export const toEpochMsOrNull = (d: Date | null | undefined): number | null => (d ? d.getTime() : null);

export const MetadataSchema = z.record(
  z.string().max(100),
  z.union([z.string().max(500), z.number().refine(Number.isFinite), z.boolean()]),
);

/** Flowglad's list envelope; every list route returns exactly this shape. */
export const listEnvelope = <T extends z.ZodType>(item: T, name: string) =>
  z
    .object({
      data: z.array(item),
      hasMore: z.boolean(),
      total: z.number().int(),
      currentCursor: z.string().optional(),
      nextCursor: z.string().optional(),
    })
    .openapi(name);

/** Control characters are invalid in a URL, and Postgres text cannot hold a NUL at all. */
function hasControlCharacter(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

/** An absolute http(s) URL: no `javascript:`, `data:`, `file:` or relative URLs, no control characters. */
export const HttpUrl = z
  .string()
  .max(2048)
  .refine((value) => !hasControlCharacter(value), "must not contain control characters")
  .refine((value) => {
    try {
      const url = new URL(value);
      return (url.protocol === "https:" || url.protocol === "http:") && url.hostname.length > 0;
    } catch {
      return false;
    }
  }, "must be an absolute http(s) URL");
