import { lookup as dnsLookup } from "node:dns/promises";
import { isIP } from "node:net";
import { type AllowList, isMetadataHost, plainAddress, plainHost, refusalOf } from "../lib/address-policy.js";
import { badRequest } from "../lib/errors.js";

/** Every address a hostname has, as `dns.lookup` (the system resolver, /etc/hosts included) answers. */
export type Resolver = (hostname: string) => Promise<{ address: string; family: number }[]>;

export const systemResolver: Resolver = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/** Where a delivery connects: an address that passed the policy, for the URL's hostname. */
export type CheckedDestination = { address: string; family: 4 | 6 };

/**
 * Why a URL may not be registered, or null. Cloud metadata names and addresses never; other literal
 * addresses by the policy, which tells the merchant now rather than at the first delivery. Hostnames are
 * checked when a delivery resolves them (DNS can change in between).
 */
const metadataRefusal = (host: string) =>
  `destination ${host} is a cloud metadata address; webhooks are never sent there`;

export function registrationRefusal(url: string, allow: AllowList): string | null {
  const host = plainHost(new URL(url).hostname);
  if (isMetadataHost(host)) return metadataRefusal(host);
  if (isIP(host) === 0) return null;
  return refusalOf(host, host, allow);
}

/** The service-level guard behind the API and the dashboard: a 400 in Flowglad's error shape. */
export function assertRegistrable(url: string, allow: AllowList): void {
  const refusal = registrationRefusal(url, allow);
  if (refusal)
    throw badRequest(`Invalid webhook url: ${refusal}`, [{ path: ["webhook", "url"], message: refusal }]);
}

/**
 * Resolves the URL's host once and checks every address it has; the delivery then connects to the checked
 * address and nothing else, so an answer that changes between check and connect (DNS rebinding) reaches
 * nothing. One refused address refuses the host: which of them a connection would pick is not ours to know.
 */
export async function checkDestination(
  url: URL,
  allow: AllowList,
  resolve: Resolver,
): Promise<CheckedDestination | { refusal: string }> {
  const host = plainHost(url.hostname);
  if (isMetadataHost(host)) return { refusal: metadataRefusal(host) };
  if (isIP(host) !== 0) {
    const refusal = refusalOf(host, host, allow);
    return refusal ? { refusal } : { address: host, family: isIP(host) === 4 ? 4 : 6 };
  }
  let answers: { address: string; family: number }[];
  try {
    answers = await resolve(host);
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    return { refusal: `could not resolve ${host}${typeof code === "string" ? `: ${code}` : ""}` };
  }
  if (answers.length === 0) return { refusal: `could not resolve ${host}: no addresses` };
  for (const answer of answers) {
    const refusal = refusalOf(host, answer.address, allow);
    if (refusal) return { refusal };
  }
  const first = answers[0] as { address: string; family: number };
  const address = plainAddress(first.address);
  return { address, family: isIP(address) === 4 ? 4 : 6 };
}
