import type { Examples } from "../lib/wire.js";

export const createUsageEventExamples: Examples = {
  byMeterSlug: {
    summary: "Record 1,200 units on a meter; the transaction id makes a retry count once",
    value: {
      usageEvent: {
        subscriptionId: "sub_7Ln3pV8rT1",
        usageMeterSlug: "api_calls",
        amount: 1200,
        transactionId: "job_2026-12-01_4411",
      },
    },
  },
};
