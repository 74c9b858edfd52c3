export type ProrationPeriod = { start: Date; end: Date };

/** A line of a proration breakdown: a credit (negative) for an item the change ends, a charge for one it adds. */
export type ProrationLine = { description: string; quantity: number; unitPrice: number; amount: number };

/** What one changed item contributes: its full per-period total, negative for an item the change ends. */
export type ProrationEntry = { description: string; periodTotal: number };

/** Floor division for a positive divisor (BigInt division truncates toward zero). */
function floorDiv(dividend: bigint, divisor: bigint): bigint {
  const quotient = dividend / divisor;
  return dividend % divisor !== 0n && dividend < 0n ? quotient - 1n : quotient;
}

function shares(period: ProrationPeriod, now: Date) {
  const remaining = BigInt(period.end.getTime() - now.getTime());
  const length = BigInt(period.end.getTime() - period.start.getTime());
  return { remaining, length, running: remaining > 0n && length > 0n };
}

/**
 * The price difference for the rest of the current period, rounded down (the customer is never charged
 * a fraction of a minor unit more than the exact share). Exact integer math throughout.
 */
export function prorate(oldTotal: number, newTotal: number, period: ProrationPeriod, now: Date) {
  const difference = BigInt(newTotal) - BigInt(oldTotal);
  const { remaining, length, running } = shares(period, now);
  if (difference <= 0n || !running) return 0;
  return Number((difference * remaining) / length);
}

/**
 * The breakdown of a proration: each entry's share of the rest of the period. Rounded on the running sum
 * (each line is the step of floor(sum so far)), so the lines add up to exactly `prorate(old, new)` and each
 * is within one minor unit of its exact share.
 */
export function prorationLines(
  entries: ProrationEntry[],
  period: ProrationPeriod,
  now: Date,
): ProrationLine[] {
  const { remaining, length, running } = shares(period, now);
  if (!running) return [];
  let exactSoFar = 0n;
  let roundedSoFar = 0n;
  return entries.map((entry) => {
    exactSoFar += BigInt(entry.periodTotal) * remaining;
    const rounded = floorDiv(exactSoFar, length);
    const amount = Number(rounded - roundedSoFar);
    roundedSoFar = rounded;
    return { description: entry.description, quantity: 1, unitPrice: amount, amount };
  });
}
