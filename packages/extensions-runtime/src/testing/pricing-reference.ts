/** One order line of the pricing example's input. */
export interface PricingLine {
  readonly sku: string;
  readonly qty: number;
  readonly unitPrice: number;
}

const cents = (x: number) => Math.round(x * 100) / 100;

/**
 * The pricing example (`guests/pricing.ts`) as a plain TypeScript function: the expected output
 * in tests and the baseline of the benchmark. 10% off from 10 units, 20% off from 100, rounded
 * to cents.
 */
export function pricingReference(input: { readonly lines: readonly PricingLine[] }): {
  lines: {
    sku: string;
    qty: number;
    unitPrice: number;
    adjustedUnitPrice: number;
    lineTotal: number;
  }[];
  total: number;
} {
  let total = 0;
  const lines = input.lines.map((l) => {
    const discount = l.qty >= 100 ? 0.2 : l.qty >= 10 ? 0.1 : 0;
    const adjustedUnitPrice = cents(l.unitPrice * (1 - discount));
    const lineTotal = cents(adjustedUnitPrice * l.qty);
    total += lineTotal;
    return { sku: l.sku, qty: l.qty, unitPrice: l.unitPrice, adjustedUnitPrice, lineTotal };
  });
  return { lines, total: cents(total) };
}
