import type { IntervalUnit } from "../db/schema/index.js";
import { panic } from "../lib/errors.js";

const DAY_MS = 24 * 60 * 60 * 1000;

function daysInMonth(year: number, monthIndex: number): number {
  return new Date(Date.UTC(year, monthIndex + 1, 0)).getUTCDate();
}

function addMonths(date: Date, months: number): Date {
  const total = date.getUTCFullYear() * 12 + date.getUTCMonth() + months;
  const year = Math.floor(total / 12);
  const month = total - year * 12;
  // Jan 31 + 1 month lands on the last day of February, never rolls over into March.
  const day = Math.min(date.getUTCDate(), daysInMonth(year, month));
  return new Date(
    Date.UTC(
      year,
      month,
      day,
      date.getUTCHours(),
      date.getUTCMinutes(),
      date.getUTCSeconds(),
      date.getUTCMilliseconds(),
    ),
  );
}

/**
 * Calendar-correct interval arithmetic in UTC. `count` may be negative. Months and years clamp to the
 * last day of the target month, so a period anchored on the 31st stays anchored on the month's end.
 */
export function addInterval(date: Date, unit: IntervalUnit, count: number): Date {
  if (!Number.isInteger(count)) panic(`interval count must be an integer, got ${count}`);
  switch (unit) {
    case "day":
      return new Date(date.getTime() + count * DAY_MS);
    case "week":
      return new Date(date.getTime() + count * 7 * DAY_MS);
    case "month":
      return addMonths(date, count);
    case "year":
      return addMonths(date, count * 12);
  }
}

const APPROX_UNIT_MS: Record<IntervalUnit, number> = {
  day: DAY_MS,
  week: 7 * DAY_MS,
  month: 30.436875 * DAY_MS,
  year: 365.2425 * DAY_MS,
};

export type Period = { start: Date; end: Date };

/**
 * The billing period aligned to `anchor` that contains `now` (start inclusive, end exclusive). Every
 * boundary is computed from the anchor itself rather than from the previous boundary, so clamping in
 * short months never drifts the anchor day (Jan 31 → Feb 29 → Mar 31).
 */
export function periodContaining(anchor: Date, unit: IntervalUnit, intervalCount: number, now: Date): Period {
  if (!Number.isInteger(intervalCount) || intervalCount < 1) {
    panic(`interval count must be a positive integer, got ${intervalCount}`);
  }
  const boundary = (k: number) => addInterval(anchor, unit, k * intervalCount);
  let k = Math.floor((now.getTime() - anchor.getTime()) / (APPROX_UNIT_MS[unit] * intervalCount));
  while (boundary(k).getTime() > now.getTime()) k--;
  while (boundary(k + 1).getTime() <= now.getTime()) k++;
  return { start: boundary(k), end: boundary(k + 1) };
}
