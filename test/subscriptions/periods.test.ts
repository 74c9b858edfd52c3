import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addInterval, periodContaining } from "../../src/subscriptions/periods.js";

const utc = (iso: string) => new Date(iso);

describe("addInterval", () => {
  it("clamps month-end dates to the last day of shorter months", () => {
    expect(addInterval(utc("2025-01-31T10:00:00Z"), "month", 1).toISOString()).toBe(
      "2025-02-28T10:00:00.000Z",
    );
    expect(addInterval(utc("2024-01-31T10:00:00Z"), "month", 1).toISOString()).toBe(
      "2024-02-29T10:00:00.000Z",
    );
    expect(addInterval(utc("2025-03-31T00:00:00Z"), "month", 1).toISOString()).toBe(
      "2025-04-30T00:00:00.000Z",
    );
    expect(addInterval(utc("2025-08-31T23:59:59.999Z"), "month", 3).toISOString()).toBe(
      "2025-11-30T23:59:59.999Z",
    );
  });

  it("crosses year boundaries in both directions", () => {
    expect(addInterval(utc("2025-12-15T00:00:00Z"), "month", 1).toISOString()).toBe(
      "2026-01-15T00:00:00.000Z",
    );
    expect(addInterval(utc("2025-01-15T00:00:00Z"), "month", -1).toISOString()).toBe(
      "2024-12-15T00:00:00.000Z",
    );
    expect(addInterval(utc("2025-03-31T00:00:00Z"), "month", -1).toISOString()).toBe(
      "2025-02-28T00:00:00.000Z",
    );
    expect(addInterval(utc("2025-01-10T00:00:00Z"), "month", 14).toISOString()).toBe(
      "2026-03-10T00:00:00.000Z",
    );
  });

  it("handles leap days in yearly intervals", () => {
    expect(addInterval(utc("2024-02-29T12:00:00Z"), "year", 1).toISOString()).toBe(
      "2025-02-28T12:00:00.000Z",
    );
    expect(addInterval(utc("2024-02-29T12:00:00Z"), "year", 4).toISOString()).toBe(
      "2028-02-29T12:00:00.000Z",
    );
  });

  it("adds days and weeks as exact UTC days", () => {
    expect(addInterval(utc("2025-03-08T12:00:00Z"), "day", 1).toISOString()).toBe("2025-03-09T12:00:00.000Z");
    expect(addInterval(utc("2025-02-25T00:00:00Z"), "week", 1).toISOString()).toBe(
      "2025-03-04T00:00:00.000Z",
    );
    expect(addInterval(utc("2025-01-01T00:00:00Z"), "day", 365).toISOString()).toBe(
      "2026-01-01T00:00:00.000Z",
    );
  });

  it("rejects a fractional count", () => {
    expect(() => addInterval(utc("2025-01-01T00:00:00Z"), "month", 1.5)).toThrow(/integer/);
  });
});

describe("periodContaining", () => {
  it("keeps a month-end anchor on the month end instead of drifting", () => {
    const anchor = utc("2024-01-31T09:00:00Z");
    const march = periodContaining(anchor, "month", 1, utc("2024-03-05T00:00:00Z"));
    expect(march.start.toISOString()).toBe("2024-02-29T09:00:00.000Z");
    expect(march.end.toISOString()).toBe("2024-03-31T09:00:00.000Z");
    const april = periodContaining(anchor, "month", 1, utc("2024-04-15T00:00:00Z"));
    expect(april.start.toISOString()).toBe("2024-03-31T09:00:00.000Z");
    expect(april.end.toISOString()).toBe("2024-04-30T09:00:00.000Z");
  });

  it("treats the start as inclusive and the end as exclusive", () => {
    const anchor = utc("2025-01-15T00:00:00Z");
    const atBoundary = periodContaining(anchor, "month", 1, utc("2025-02-15T00:00:00Z"));
    expect(atBoundary.start.toISOString()).toBe("2025-02-15T00:00:00.000Z");
    const justBefore = periodContaining(anchor, "month", 1, utc("2025-02-14T23:59:59.999Z"));
    expect(justBefore.start.toISOString()).toBe("2025-01-15T00:00:00.000Z");
    expect(justBefore.end.toISOString()).toBe("2025-02-15T00:00:00.000Z");
  });

  it("finds the period before a future anchor", () => {
    const period = periodContaining(utc("2025-06-10T00:00:00Z"), "month", 3, utc("2025-05-01T00:00:00Z"));
    expect(period.start.toISOString()).toBe("2025-03-10T00:00:00.000Z");
    expect(period.end.toISOString()).toBe("2025-06-10T00:00:00.000Z");
  });

  it("always returns a period containing now, and the next period starts exactly where it ends", () => {
    const units = ["day", "week", "month", "year"] as const;
    const minMs = Date.UTC(2000, 0, 1);
    const maxMs = Date.UTC(2060, 0, 1);
    fc.assert(
      fc.property(
        fc.integer({ min: minMs, max: maxMs }),
        fc.integer({ min: minMs, max: maxMs }),
        fc.constantFrom(...units),
        fc.integer({ min: 1, max: 12 }),
        (anchorMs, nowMs, unit, count) => {
          const anchor = new Date(anchorMs);
          const { start, end } = periodContaining(anchor, unit, count, new Date(nowMs));
          expect(start.getTime()).toBeLessThanOrEqual(nowMs);
          expect(end.getTime()).toBeGreaterThan(nowMs);
          expect(periodContaining(anchor, unit, count, end).start.getTime()).toBe(end.getTime());
        },
      ),
      { numRuns: 300 },
    );
  });
});
