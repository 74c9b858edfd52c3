import type { Examples } from "../lib/wire.js";

export const createSubscriptionExamples: Examples = {
  flat: {
    summary: "Flat body, as Flowglad takes it (no `subscription` wrapper)",
    value: { customerExternalId: "user_123", priceSlug: "pro_monthly", quantity: 1 },
  },
};
