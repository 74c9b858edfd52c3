import { z } from "@hono/zod-openapi";
import { LIST_TOTAL_CAP } from "./pagination.js";

// The wire format's building blocks, shared by every domain's schemas and serializers. They describe
// what goes over the wire, not how it is served, so they live in lib/ and the domains need nothing
// from http/ outside their route modules.

/** Epoch milliseconds on the wire, as Flowglad sends timestamps. */
export const EpochMs = z.number().int();
/** The last millisecond of year 9999: every instant a client may send fits a JavaScript Date and Postgres. */
export const MAX_EPOCH_MS = 253_402_300_799_999;
/** An instant a client sends (epoch ms), bounded so it always converts to a date. */
export const EpochMsInput = EpochMs.min(0).max(MAX_EPOCH_MS);
export const toEpochMs = (d: Date): number => d.getTime();
export const toEpochMsOrNull = (d: Date | null | undefined): number | null => (d ? d.getTime() : null);

const MetadataRecord = z.record(
  z.string().max(100),
  z.union([z.string().max(500), z.number().refine(Number.isFinite), z.boolean()]),
);

/**
 * zod's record check reads `value.constructor.prototype`, so an own key named `constructor` (say `null`) throws
 * inside the validator (a 500). Such an object is handed on as a non-object, which the record refuses with a 400.
 */
export const MetadataSchema = z.preprocess(
  (value) =>
    value !== null && typeof value === "object" && Object.hasOwn(value, "constructor")
      ? "constructor key"
      : value,
  MetadataRecord,
);

/** Flowglad's list envelope; every list route returns exactly this shape. */
export const listEnvelope = <T extends z.ZodType>(item: T, name: string) =>
  z
    .object({
      data: z.array(item),
      hasMore: z.boolean(),
      total: z
        .number()
        .int()
        .openapi({
          description: `How many rows the list holds, exact up to ${LIST_TOTAL_CAP}; ${LIST_TOTAL_CAP + 1} means more than ${LIST_TOTAL_CAP}. Page with hasMore and nextCursor, which are always exact.`,
        }),
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

/**
 * An absolute http(s) URL: no `javascript:`, `data:`, `file:` or relative URLs, no control characters. Kept in
 * the URL standard's own form (`new URL(value).href`): what a browser would go to is what is stored and shown,
 * so `" https://evil.example"` or `"https:evil.example"` cannot pass a check that reads them differently.
 */
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
  }, "must be an absolute http(s) URL")
  .overwrite((value) => {
    try {
      return new URL(value).href;
    } catch {
      // Already refused above (zod runs every check); left as it came for the error message.
      return value;
    }
  });

/** `{id}` in a path: an object's id, as every `/things/{id}` route takes it. */
export const PathId = z.object({
  id: z
    .string()
    .min(1)
    .max(100)
    .openapi({ param: { name: "id", in: "path" } }),
});

/** Named examples of a body, shown in the API reference next to its schema (each one parsed by a test). */
export type Examples = Record<string, { summary: string; value: unknown }>;
