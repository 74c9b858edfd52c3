import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

/**
 * Stripe's SDK is loaded on first use, through src/payments/stripe/sdk.ts alone: a value import anywhere else would
 * load it when the server starts (about 15 MB) and bring a second copy of its error classes, so an `instanceof`
 * check could miss an error thrown by Glade's client. (The import-rules tool cannot tell type-only imports apart.)
 */
function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sourceFiles(join(dir, entry.name))
      : entry.name.endsWith(".ts")
        ? [join(dir, entry.name)]
        : [],
  );
}

describe("Stripe's SDK", () => {
  it("is imported as a value by src/payments/stripe/sdk.ts only", () => {
    const valueImports = sourceFiles("src").filter((file) =>
      /^\s*import\s+(?!type\b)[^;]*from\s+["']stripe["']|\bimport\(\s*["']stripe["']\s*\)|require\(\s*["']stripe["']\s*\)/m.test(
        readFileSync(file, "utf8"),
      ),
    );
    expect(valueImports).toEqual(["src/payments/stripe/sdk.ts"]);
  });
});
