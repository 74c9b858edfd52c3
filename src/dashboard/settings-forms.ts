// Reading the settings forms: every field checked, each problem kept for the page to show next to its field.
import type { DashboardRole } from "../db/schema/index.js";
import { ROLES } from "./users.js";

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const MAX_ADDRESS_LINES = 6;
const MAX_LINE = 100;
const MAX_DOMAINS = 20;
/** A host name as URLs carry it: dot-separated labels of letters, digits and inner hyphens (IPv4 passes too). */
const HOST = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;

export type Parsed<T, K extends string> =
  | { ok: true; value: T }
  | { ok: false; errors: Partial<Record<K, string>> };

export type Profile = {
  name: string;
  addressLines: string[];
  supportEmail: string | null;
  brandColor: string | null;
  logoUrl: string | null;
};
export type ProfileField = "name" | "addressLines" | "supportEmail" | "brandColor" | "logoUrl";
const COLOR = /^#[0-9a-f]{6}$/;

/** An https address of at most 2,048 characters: the hosted page's policy loads images over https only. */
function httpsUrl(text: string): boolean {
  if (text.length > 2048) return false;
  try {
    return new URL(text).protocol === "https:";
  } catch {
    return false;
  }
}

/** Lines of a textarea, trimmed, the blank ones dropped (browsers send CRLF). */
export function lines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== "");
}

export function parseProfile(form: Record<string, string>): Parsed<Profile, ProfileField> {
  const name = (form.name ?? "").trim();
  const addressLines = lines(form.addressLines ?? "");
  const email = (form.supportEmail ?? "").trim();
  const color = (form.brandColor ?? "").trim().toLowerCase();
  const logo = (form.logoUrl ?? "").trim();
  const errors: Partial<Record<ProfileField, string>> = {};
  if (color !== "" && !COLOR.test(color))
    errors.brandColor = "Enter a colour as # and six hex digits, like #1f5eff, or leave it empty.";
  if (logo !== "" && !httpsUrl(logo))
    errors.logoUrl = "Enter an https:// address of an image, or leave it empty.";
  if (name === "" || name.length > MAX_LINE)
    errors.name = `Enter the business name customers see, 1 to ${MAX_LINE} characters.`;
  if (addressLines.length > MAX_ADDRESS_LINES)
    errors.addressLines = `Use at most ${MAX_ADDRESS_LINES} address lines.`;
  else if (addressLines.some((l) => l.length > MAX_LINE))
    errors.addressLines = `Keep each address line to ${MAX_LINE} characters.`;
  if (email !== "" && (email.length > 320 || !EMAIL.test(email)))
    errors.supportEmail = "Enter an email address like support@example.com, or leave it empty.";
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return {
    ok: true,
    value: {
      name,
      addressLines,
      supportEmail: email === "" ? null : email,
      brandColor: color === "" ? null : color,
      logoUrl: logo === "" ? null : logo,
    },
  };
}

/** One host per line (commas and spaces separate too), lower-cased and without repeats. */
export function parseRedirectDomains(text: string): Parsed<string[], "domains"> {
  const entries = text
    .split(/[\s,]+/)
    .map((d) => d.trim().toLowerCase())
    .filter((d) => d !== "");
  const wrong = entries.find((d) => !HOST.test(d));
  if (wrong !== undefined) {
    const hint = /[/:]/.test(wrong) ? " Enter the host name only, without https:// or a path." : "";
    return { ok: false, errors: { domains: `"${wrong.slice(0, 80)}" is not a host name.${hint}` } };
  }
  const domains = [...new Set(entries)];
  if (domains.length > MAX_DOMAINS)
    return { ok: false, errors: { domains: `List at most ${MAX_DOMAINS} domains.` } };
  return { ok: true, value: domains };
}

export type Invite = { email: string; role: DashboardRole };
export type InviteField = "email" | "role";

export function parseRole(value: string | undefined): DashboardRole | undefined {
  return ROLES.find((r) => r === value);
}

export function parseInvite(form: Record<string, string>): Parsed<Invite, InviteField> {
  const email = (form.email ?? "").trim().toLowerCase();
  const role = parseRole(form.role);
  const errors: Partial<Record<InviteField, string>> = {};
  if (email.length > 320 || !EMAIL.test(email))
    errors.email = "Enter the email address of the person to invite.";
  if (!role) errors.role = "Choose a role: owner, admin or viewer.";
  if (!role || errors.email) return { ok: false, errors };
  return { ok: true, value: { email, role } };
}
