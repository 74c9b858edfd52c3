import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { z } from "zod";

/** The pay form's fields a problem can be about. */
export const PAY_FIELDS = ["email", "name", "country", "cardNumber", "cardExpiry", "cardCvc"] as const;
export type PayField = (typeof PAY_FIELDS)[number];
export type FieldErrors = Partial<Record<PayField, string>>;

/**
 * What a failed submit leaves for the page it redirects to (POST → 303 → GET, so a reload never pays
 * twice): each field's problem and what the customer typed, never a card number, expiry or code.
 */
const Flash = z.object({
  fieldErrors: z.partialRecord(z.enum(PAY_FIELDS), z.string().max(300)),
  message: z.string().max(300).nullable(),
  email: z.string().max(254),
  name: z.string().max(200),
  country: z.string().max(2),
});
export type CheckoutFlash = z.infer<typeof Flash>;

const COOKIE = "glade_checkout_flash";

/** Scoped to the one session's page and gone after it is read or after two minutes. */
export function leaveFlash(c: Context, sessionId: string, flash: CheckoutFlash, secure: boolean): void {
  // What was typed may be anything (the form is not trusted): kept only as far as the fields take it.
  const fieldErrors: FieldErrors = {};
  for (const [field, message] of Object.entries(flash.fieldErrors))
    if (message) fieldErrors[field as PayField] = message.slice(0, 300);
  const kept: CheckoutFlash = {
    fieldErrors,
    message: flash.message?.slice(0, 300) ?? null,
    email: flash.email.slice(0, 254),
    name: flash.name.slice(0, 200),
    country: /^[A-Z]{2}$/.test(flash.country) ? flash.country : "",
  };
  setCookie(c, COOKIE, Buffer.from(JSON.stringify(kept)).toString("base64url"), {
    path: `/checkout/${sessionId}`,
    maxAge: 120,
    httpOnly: true,
    sameSite: "Lax",
    secure,
  });
}

/** The flash for this page, if any, cleared as it is read. A cookie that does not parse is ignored. */
export function takeFlash(
  c: Context,
  sessionId: string,
):
  | { fieldErrors: FieldErrors; error: string | null; email: string; name: string; country: string }
  | undefined {
  const raw = getCookie(c, COOKIE);
  if (raw === undefined) return undefined;
  deleteCookie(c, COOKIE, { path: `/checkout/${sessionId}` });
  try {
    const parsed = Flash.safeParse(JSON.parse(Buffer.from(raw, "base64url").toString("utf8")));
    if (!parsed.success) return undefined;
    const { message, ...rest } = parsed.data;
    return { ...rest, error: message };
  } catch {
    return undefined;
  }
}

/** Which card field a processor's refusal is about; a decline as such is about the card number. */
export function declinedField(message: string): PayField {
  if (/security code|cvc/i.test(message)) return "cardCvc";
  if (/expir/i.test(message)) return "cardExpiry";
  return "cardNumber";
}

/** The field an issue's path names, if it is one of the form's. */
export function issueField(path: readonly PropertyKey[]): PayField | undefined {
  const head = path[0];
  return (PAY_FIELDS as readonly PropertyKey[]).includes(head ?? "") ? (head as PayField) : undefined;
}
