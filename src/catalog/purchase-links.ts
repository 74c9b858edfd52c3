/**
 * Public purchase-page URLs. The catalog owns their shape because the price and product wire objects carry
 * them; the purchase-pages domain serves them.
 */
export function pricePurchaseUrl(publicUrl: string, priceId: string): string {
  return `${publicUrl}/price/${encodeURIComponent(priceId)}/purchase`;
}

export function productPurchaseUrl(publicUrl: string, productId: string): string {
  return `${publicUrl}/product/${encodeURIComponent(productId)}/purchase`;
}
