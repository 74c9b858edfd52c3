import { z } from "@hono/zod-openapi";

/**
 * Glade computes no tax yet. Flowglad's records carry tax fields, so every payment and invoice carries them with
 * what is true: no tax was added (`taxAmount` 0, the subtotal is the whole amount) and no rate, state, country
 * or type applied.
 */
export const NO_TAX = {
  taxAmount: 0,
  taxRatePercentage: null,
  taxState: null,
  taxCountry: null,
  taxType: null,
} as const;

export const NoTaxFields = {
  taxAmount: z.number().int().openapi({ description: "Always 0: Glade computes no tax yet" }),
  taxRatePercentage: z.null(),
  taxState: z.null(),
  taxCountry: z.null(),
  taxType: z.null(),
};
