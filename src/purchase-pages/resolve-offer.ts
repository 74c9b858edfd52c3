import {
  type CatalogTenant,
  findPriceBySlugInDefaultPricingModel,
  findPriceTenant,
  findProductBySlugInDefaultPricingModel,
  findProductTenant,
  getDefaultPriceForProduct,
  getPrice,
  getProduct,
  type PriceRow,
  type ProductRow,
} from "../catalog/index.js";
import type { AppDeps, Merchant } from "../context/index.js";
import { getOrganization } from "../organizations/index.js";
import type { PageProblem } from "./params.js";

/** What a purchase link sells, in the tenant (organization + mode) the catalog object belongs to. */
export type Offer = {
  merchant: Merchant;
  merchantName: string;
  price: PriceRow;
  product: ProductRow | null;
};

export type LinkTarget =
  | { kind: "price"; priceId: string }
  | { kind: "product"; productId: string }
  | { kind: "priceSlug"; organizationId: string; livemode: boolean; slug: string }
  | { kind: "productSlug"; organizationId: string; livemode: boolean; slug: string };

/** Ids and slugs are short tokens; anything else is answered without a database round trip. */
const TOKEN = /^[0-9A-Za-z_-]{1,200}$/;

const notFoundProblem = (livemode: boolean): PageProblem => ({
  status: 404,
  title: "Purchase link not found",
  message: "This purchase link is not valid. Check the address, or ask the seller for a new link.",
  livemode,
});

const unavailable = (livemode: boolean, message: string): PageProblem => ({
  status: 404,
  title: "Not available",
  message,
  livemode,
});

function tenantMerchant(tenant: CatalogTenant): Merchant {
  return { organizationId: tenant.organizationId, livemode: tenant.livemode, apiKeyId: "purchase_page" };
}

async function findPriceAndProduct(
  deps: AppDeps,
  target: LinkTarget,
): Promise<{ merchant: Merchant; price: PriceRow | undefined; product: ProductRow | null } | undefined> {
  if (target.kind === "price" || target.kind === "priceSlug") {
    let merchant: Merchant;
    let price: PriceRow | undefined;
    if (target.kind === "price") {
      const tenant = await findPriceTenant(deps.db, target.priceId);
      if (!tenant) return undefined;
      merchant = tenantMerchant(tenant);
      price = await getPrice(deps.db, merchant, target.priceId);
    } else {
      merchant = tenantMerchant(target);
      price = await findPriceBySlugInDefaultPricingModel(deps.db, merchant, target.slug);
    }
    if (!price) return undefined;
    const product = price.productId ? ((await getProduct(deps.db, merchant, price.productId)) ?? null) : null;
    return { merchant, price, product };
  }
  let merchant: Merchant;
  let product: ProductRow | undefined;
  if (target.kind === "product") {
    const tenant = await findProductTenant(deps.db, target.productId);
    if (!tenant) return undefined;
    merchant = tenantMerchant(tenant);
    product = await getProduct(deps.db, merchant, target.productId);
  } else {
    merchant = tenantMerchant(target);
    product = await findProductBySlugInDefaultPricingModel(deps.db, merchant, target.slug);
  }
  if (!product) return undefined;
  return { merchant, product, price: await getDefaultPriceForProduct(deps.db, merchant, product.id) };
}

/**
 * The price a link sells, or the page to show instead. Read-only: a GET of a link must never write. A link only
 * sells while the price and its product are active and both have `purchasePageEnabled`; usage prices never.
 */
export async function resolveOffer(deps: AppDeps, target: LinkTarget): Promise<Offer | PageProblem> {
  const fallbackMode = "livemode" in target ? target.livemode : true;
  const tokens = Object.entries(target).filter(([key]) => key !== "kind" && key !== "livemode");
  if (tokens.some(([, value]) => typeof value !== "string" || !TOKEN.test(value))) {
    return notFoundProblem(fallbackMode);
  }
  const found = await findPriceAndProduct(deps, target);
  if (!found) return notFoundProblem(fallbackMode);
  const { merchant, price, product } = found;
  const livemode = merchant.livemode;
  if (!price || price.type === "usage") {
    return unavailable(livemode, "This product cannot be bought through a link.");
  }
  if (!price.active || (product !== null && !product.active)) {
    return unavailable(livemode, "This product is no longer for sale.");
  }
  if (!price.purchasePageEnabled || (product !== null && !product.purchasePageEnabled)) {
    return unavailable(livemode, "The seller has turned off this purchase link.");
  }
  const org = await getOrganization(deps.db, merchant.organizationId);
  return { merchant, merchantName: org?.name ?? "Merchant", price, product };
}
