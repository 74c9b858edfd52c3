import { FlowgladProvider, type LoadedFlowgladContextValues, useBilling } from "@flowglad/react";
import { StrictMode, useState } from "react";
import { createRoot } from "react-dom/client";

/** What the merchant set up in Glade: a toggle feature on the Team plan and a meter counting reports. */
const TEAM_FEATURE = "team-workspace";
const REPORTS_METER = "reports";

type Product = LoadedFlowgladContextValues["pricingModel"]["products"][number];
type Price = Product["prices"][number];

function priceLabel(price: Price): string {
  const amount = new Intl.NumberFormat("en-US", { style: "currency", currency: price.currency }).format(
    price.unitPrice / 100,
  );
  return price.type === "subscription" ? `${amount} / ${price.intervalUnit}` : amount;
}

type Purchase = LoadedFlowgladContextValues["purchases"][number];

/** What the first payment came to: a discount code entered on the hosted page shows here. */
function paidLabel(purchase: Purchase): string {
  // Glade's purchases also carry their currency; the SDK's type leaves it out.
  const currency = (purchase as Purchase & { currency?: string }).currency ?? "USD";
  return new Intl.NumberFormat("en-US", { style: "currency", currency }).format(
    purchase.firstInvoiceValue / 100,
  );
}

function Catalog({ billing }: { billing: LoadedFlowgladContextValues }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const products = billing.pricingModel.products.filter((product) => product.active && !product.default);

  async function buy(price: Price) {
    setBusy(true);
    setError(null);
    const urls = { successUrl: `${location.origin}/?checkout=done`, cancelUrl: `${location.origin}/` };
    // The server side adds the signed-in user's customerExternalId; the browser never chooses it.
    const result = await billing.createCheckoutSession(
      price.slug
        ? { priceSlug: price.slug, ...urls, autoRedirect: true }
        : { priceId: price.id, ...urls, autoRedirect: true },
    );
    if ("error" in result) {
      setError(`Could not start checkout (${result.error.code})`);
      setBusy(false);
    }
  }

  return (
    <section aria-labelledby="products-title">
      <h2 id="products-title">Products</h2>
      {error && <p role="alert">{error}</p>}
      {products.map((product) => (
        <article key={product.id} data-product={product.slug ?? product.id}>
          <h3>
            {product.name}
            {product.slug && billing.hasPurchased(product.slug) && <span className="owned">✓ Purchased</span>}
          </h3>
          {product.description && <p>{product.description}</p>}
          {product.prices
            .filter((price) => price.active)
            .map((price) => (
              <button key={price.id} type="button" disabled={busy} onClick={() => buy(price)}>
                Buy {product.name} · {priceLabel(price)}
              </button>
            ))}
        </article>
      ))}
    </section>
  );
}

/** The one gated feature and the one metered action: both read from useBilling(), nothing from this app. */
function Workspace({ billing }: { billing: LoadedFlowgladContextValues }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (!billing.checkFeatureAccess(TEAM_FEATURE)) {
    return (
      <section aria-labelledby="workspace-title">
        <h2 id="workspace-title">Team workspace</h2>
        <p>Subscribe to Glade Team to unlock the team workspace.</p>
      </section>
    );
  }
  const reports = billing.checkUsageBalance(REPORTS_METER);

  async function generateReport() {
    setBusy(true);
    setError(null);
    // The server side picks the signed-in user's current subscription and a fresh transaction id.
    const result = await billing.createUsageEvent({ usageMeterSlug: REPORTS_METER, amount: 1 });
    if ("error" in result) setError(`Could not record the report (${result.error.code})`);
    await billing.reload();
    setBusy(false);
  }

  return (
    <section aria-labelledby="workspace-title" data-workspace="unlocked">
      <h2 id="workspace-title">Team workspace</h2>
      {error && <p role="alert">{error}</p>}
      <p data-reports-left={reports?.availableBalance ?? 0}>
        Reports left this period: {reports?.availableBalance ?? 0}
      </p>
      <button type="button" disabled={busy} onClick={generateReport}>
        Generate report
      </button>
    </section>
  );
}

function Purchases({ billing }: { billing: LoadedFlowgladContextValues }) {
  return (
    <section aria-labelledby="purchases-title">
      <h2 id="purchases-title">Your purchases</h2>
      {billing.purchases.length === 0 ? (
        <p>No purchases yet.</p>
      ) : (
        <ul>
          {billing.purchases.map((purchase) => (
            <li key={purchase.id} data-purchase={purchase.id}>
              {purchase.name} ({purchase.status}) · {paidLabel(purchase)}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function Store() {
  const billing = useBilling();
  if (!billing.loaded) return <p>Loading…</p>;
  if (billing.errors) return <p role="alert">Could not load billing: {billing.errors[0]?.message}</p>;
  if (billing.customer === null) return <p>Please sign in.</p>;
  return (
    <main>
      {new URLSearchParams(location.search).get("checkout") === "done" && (
        <p role="status">Thanks for your order!</p>
      )}
      <Catalog billing={billing} />
      <Workspace billing={billing} />
      <Purchases billing={billing} />
    </main>
  );
}

const root = document.getElementById("root");
if (root) {
  // No baseURL: the provider calls this same origin's /api/flowglad/<action> with the session cookie.
  createRoot(root).render(
    <StrictMode>
      <FlowgladProvider>
        <Store />
      </FlowgladProvider>
    </StrictMode>,
  );
}
