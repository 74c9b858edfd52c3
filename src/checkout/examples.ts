import type { Examples } from "../lib/wire.js";

const redirects = {
  successUrl: "https://shop.example.com/thanks?session={CHECKOUT_SESSION_ID}",
  cancelUrl: "https://shop.example.com/pricing",
};

export const createCheckoutSessionExamples: Examples = {
  product: {
    summary: "Buy a price by its slug, for a known customer",
    value: {
      checkoutSession: {
        type: "product",
        priceSlug: "pro_monthly",
        quantity: 1,
        customerExternalId: "user_123",
        outputMetadata: { plan: "pro" },
        ...redirects,
      },
    },
  },
  anonymous: {
    summary: "Anyone may pay (the customer is created from the form)",
    value: {
      checkoutSession: { type: "product", priceId: "price_2bX9kQ7mW4", anonymous: true, ...redirects },
    },
  },
  addPaymentMethod: {
    summary: "Save a new card and make it the subscription's default",
    value: {
      checkoutSession: {
        type: "add_payment_method",
        customerExternalId: "user_123",
        targetSubscriptionId: "sub_7Ln3pV8rT1",
        ...redirects,
      },
    },
  },
  activateSubscription: {
    summary: "Pay what a subscription owes and make it active",
    value: {
      checkoutSession: {
        type: "activate_subscription",
        customerExternalId: "user_123",
        targetSubscriptionId: "sub_7Ln3pV8rT1",
        ...redirects,
      },
    },
  },
};

const created = Date.UTC(2026, 11, 1, 9, 30);

export const checkoutSessionResponseExamples: Examples = {
  open: {
    summary: "An open product session and the page to send the customer to",
    value: {
      checkoutSession: {
        id: "chckt_session_4Hs8dQ2nY6",
        type: "product",
        status: "open",
        livemode: false,
        organizationId: "org_9Kd2mB5xR3",
        pricingModelId: "pricing_model_5Tq1wE8uC2",
        priceId: "price_2bX9kQ7mW4",
        quantity: 1,
        customerId: "cus_3Jv6nH1sL8",
        customerEmail: "ada@example.com",
        customerName: "Ada Lovelace",
        billingAddress: null,
        ...redirects,
        outputMetadata: { plan: "pro" },
        outputName: null,
        targetSubscriptionId: null,
        automaticallyUpdateSubscriptions: null,
        preserveBillingCycleAnchor: false,
        paymentMethodType: null,
        discountId: null,
        purchaseId: null,
        invoiceId: null,
        subscriptionId: null,
        paymentId: null,
        paymentMethodId: null,
        anonymous: false,
        currency: "usd",
        amountTotal: 2900,
        expires: created + 24 * 3_600_000,
        completedAt: null,
        createdAt: created,
        updatedAt: created,
      },
      url: "http://localhost:3000/checkout/chckt_session_4Hs8dQ2nY6",
    },
  },
};
