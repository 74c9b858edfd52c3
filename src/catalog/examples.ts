import type { Examples } from "../lib/wire.js";

export const createProductExamples: Examples = {
  subscription: {
    summary: "A monthly plan with a 14-day trial",
    value: {
      product: { name: "Pro", pricingModelId: "pricing_model_5Tq1wE8uC2", slug: "pro" },
      price: {
        type: "subscription",
        unitPrice: 2900,
        currency: "usd",
        slug: "pro_monthly",
        intervalUnit: "month",
        intervalCount: 1,
        trialPeriodDays: 14,
      },
    },
  },
  oneTime: {
    summary: "A one-time purchase ($199.00, amounts in minor units)",
    value: {
      product: { name: "Lifetime licence", pricingModelId: "pricing_model_5Tq1wE8uC2" },
      price: { type: "single_payment", unitPrice: 19900, currency: "usd", slug: "lifetime" },
    },
  },
};

export const createPriceExamples: Examples = {
  yearly: {
    summary: "A yearly price for an existing product",
    value: {
      price: {
        productId: "prod_8Wc4yN6pA1",
        type: "subscription",
        unitPrice: 29000,
        currency: "usd",
        slug: "pro_yearly",
        intervalUnit: "year",
        intervalCount: 1,
      },
    },
  },
};
