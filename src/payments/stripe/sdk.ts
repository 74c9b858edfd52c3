import { createRequire } from "node:module";
import type StripeSdk from "stripe";

const require = createRequire(import.meta.url);
let loaded: typeof StripeSdk | undefined;

/**
 * Stripe's SDK, loaded on first use: about 15 MB of a server's memory that a merchant on the sandbox alone never
 * needs. Synchronous (its CommonJS build), so error checks in `catch` blocks stay plain expressions; every
 * runtime use in Glade goes through here, so there is one copy of its classes for `instanceof`.
 */
export function stripeSdk(): typeof StripeSdk {
  loaded ??= require("stripe") as typeof StripeSdk;
  return loaded;
}
